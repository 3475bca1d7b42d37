"""`podman init` and `podman demo`: make a workspace."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from podman.cli.table import CONTEXT
from podman.core.errors import BadInput


def _ask(value: str | None, prompt: str, default: str | None = None) -> str:
    """Prompt only on a terminal; in scripts and CI a missing option is a usage error."""
    if value is not None:
        return value
    if sys.stdin.isatty():
        return click.prompt(prompt, default=default)
    if default is not None:
        return default
    raise BadInput(f"--{prompt.lower().replace(' ', '-')} is required",
                   "pass it as an option (prompts only appear on a terminal)")


@click.command(context_settings=CONTEXT)
@click.argument("directory", required=False, type=click.Path(file_okay=False, path_type=Path))
@click.option("--show", help="Show slug: lowercase a-z, 0-9, hyphens (folder under feeds/).")
@click.option("--title", help="Show title.")
@click.option("--author", help="Author shown in podcast apps.")
@click.option("--email", help="Owner email (Apple and Podcasting 2.0 use it to verify you).")
@click.option("--language", default=None, help="ISO 639 language code [default: en].")
@click.option("--category", help='Apple category, e.g. "News > Daily News" (Apple requires one).')
@click.option("--base-url", default=None, help="Where public/ will be served "
              "[default: http://127.0.0.1:8000].")
@click.option("--artwork", type=click.Path(dir_okay=False, exists=True, path_type=Path),
              help="Show artwork (square JPEG/PNG, 1400-3000 px; converted when it is not) "
                   "[default: a generated 3000 px cover with the title].")
def init(directory: Path | None, show: str | None, title: str | None, author: str | None,
         email: str | None, language: str | None, category: str | None, base_url: str | None,
         artwork: Path | None) -> None:
    """Create a workspace: podman.toml, feeds/SHOW/show.toml, the show's artwork and .gitignore.

    Refuses to overwrite an existing workspace. Prompts for missing options only on a terminal.
    """
    from podman.core.config import DEFAULT_BASE_URL
    from podman.workflows.init import InitOptions, init_workspace

    root = (directory or Path.cwd()).resolve()
    opts = InitOptions(
        show=_ask(show, "Show"), title=_ask(title, "Title"), author=_ask(author, "Author"),
        email=_ask(email, "Email"), language=language or "en",
        category=_ask(category, "Category"),
        base_url=base_url or DEFAULT_BASE_URL, artwork=artwork,
    )
    for path in init_workspace(root, opts):
        click.echo(f"created {path}", err=True)
    click.echo(f"next: podman -C {root} add EPISODE.mp3 && podman -C {root} build", err=True)


@click.command(context_settings=CONTEXT)
@click.argument("directory", required=False, default="podman-demo",
                type=click.Path(file_okay=False, path_type=Path))
def demo(directory: Path) -> None:
    """Make a ready-made workspace with two generated episodes, build it, print how to serve it."""
    from podman.workflows.demo import make_demo

    result = make_demo(directory.resolve(), log=lambda m: click.echo(m, err=True))
    click.echo(result.feed_path)
    click.echo(f"serve it: podman -C {result.root} serve   (then subscribe to {result.feed_url})",
               err=True)
