"""The jinja2 environment: packaged templates, which a workspace's templates/ may override."""

from __future__ import annotations

import functools
import hashlib
import os
from pathlib import Path

from podman.core.text import clean_text


def environment(workspace_templates: Path | None = None):  # -> jinja2.Environment
    """Autoescaping, StrictUndefined, workspace templates first (they may extend ours); a
    templates/ folder made after an earlier build in this process is seen too."""
    if workspace_templates is not None and not workspace_templates.is_dir():
        workspace_templates = None
    return _environment(workspace_templates)


@functools.cache
def _environment(workspace_templates: Path | None):  # -> jinja2.Environment
    import jinja2

    loaders: list[jinja2.BaseLoader] = []
    if workspace_templates is not None:
        loaders.append(jinja2.FileSystemLoader(str(workspace_templates)))
    loaders.append(jinja2.PackageLoader("podman", "templates"))
    env = jinja2.Environment(
        loader=jinja2.ChoiceLoader(loaders),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        finalize=_xml_safe,
    )
    return env


def _xml_safe(value: object) -> object:
    """Every value a template prints loses what XML 1.0 cannot carry (a control character in
    any catalog field must not make a feed unreadable)."""
    if type(value) is str:  # Markup (CDATA, sanitised HTML) is built from cleaned text already
        return clean_text(value)
    return value


def identity(workspace_templates: Path | None = None) -> str:
    """A digest of every template a render may load: the packaged ones and every file in the
    workspace's templates/ (an override may include or extend any of them)."""
    from importlib import resources

    h = hashlib.blake2b(digest_size=16)
    packaged = resources.files("podman").joinpath("templates")
    sources = [(f"podman/{p.name}", p) for p in packaged.iterdir() if p.is_file()]
    if workspace_templates is not None and workspace_templates.is_dir():
        sources += [(f"ws/{p.relative_to(workspace_templates).as_posix()}", p)
                    for p in workspace_templates.rglob("*") if p.is_file()]
    for name, path in sorted(sources, key=lambda s: s[0]):
        try:
            data = path.read_bytes()
        except OSError:  # unreadable now: a render would fail, a digest must not match
            data = os.urandom(16)
        h.update(b"%d:%s%d:" % (len(name), name.encode("utf-8", "surrogateescape"), len(data)))
        h.update(data)
    return h.hexdigest()


def render(name: str, workspace_templates: Path | None = None, **context: object) -> str:
    return environment(workspace_templates).get_template(name).render(**context)
