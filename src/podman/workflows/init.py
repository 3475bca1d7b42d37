"""`podman init`: create a workspace (podman.toml, a show, .gitignore) without overwriting one."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from podman.audio.artwork import check_artwork, fix_artwork, make_cover, read_image_info
from podman.core.config import DEFAULT_BASE_URL, SHOW_FILE, WORKSPACE_FILE
from podman.core.errors import BadInput, WorkspaceError
from podman.core.fsio import atomic_write
from podman.core.models import podcast_guid, slugify
from podman.core.urls import redact, url_problem

GITIGNORE = ("# podman: build output, the local storage backend's objects, the workspace lock,\n"
             "# import scratch, download stats (hashed requests and the key), caches\n"
             "/public/\n/media/\n/.podman.lock\n/.podman-import/\n/.podman/\n")


@dataclass(frozen=True)
class InitOptions:
    show: str
    title: str
    author: str
    email: str
    language: str = "en"
    category: str = ""
    base_url: str = DEFAULT_BASE_URL
    description: str = ""
    artwork: Path | None = None  # a square JPEG/PNG; without it a cover with the title is drawn


def podman_toml(base_url: str) -> str:
    """podman.toml written by tomlkit: any value is quoted and escaped, never formatted in."""
    import tomlkit

    base = base_url.rstrip("/")
    doc = tomlkit.document()
    doc.add(tomlkit.comment("podman workspace settings; every key is documented in "
                            "config.example.toml."))
    doc.add(tomlkit.comment("Credentials never go here: S3 uses the AWS chain (environment, "
                            "AWS_PROFILE, instance role)."))
    doc.add(tomlkit.nl())
    storage = tomlkit.table()
    storage.add(tomlkit.comment('"local" (a folder, the default) or "s3" (any S3-compatible '
                                "service)"))
    storage["backend"] = "local"
    storage.add(tomlkit.comment("local backend: folder holding the audio objects (git-ignored)"))
    storage["path"] = "media"
    storage.add(tomlkit.comment('where listeners download audio from: public_url + "/" + key'))
    storage["public_url"] = f"{base}/media"
    doc["storage"] = storage
    publish = tomlkit.table()
    publish.add(tomlkit.comment("where public/ is served; each show's feed is "
                                "base_url/<show>/feed.xml"))
    publish["base_url"] = base
    doc["publish"] = publish
    audio = tomlkit.table()
    audio.add(tomlkit.comment("loudness normalisation on `podman add` (-16 LUFS integrated, "
                              "-1 dBTP)"))
    audio["normalize"] = False
    doc["audio"] = audio
    return tomlkit.dumps(doc)


def show_toml(opts: InitOptions, guid: str, image: str = "") -> str:
    import tomlkit

    doc = tomlkit.document()
    doc.add(tomlkit.comment("A show's channel metadata; keys documented in show.example.toml"))
    doc["title"] = opts.title
    doc["description"] = opts.description or opts.title
    doc["language"] = opts.language
    doc["author"] = opts.author
    doc["email"] = opts.email
    doc["categories"] = [opts.category] if opts.category else []
    doc["explicit"] = False
    doc["type"] = "episodic"
    doc["image"] = image
    doc["podcast_guid"] = guid
    doc["podcast_guid"].comment("from the feed URL once; never recomputed, never changed")
    return tomlkit.dumps(doc)


def validate_init(opts: InitOptions) -> None:
    if not opts.show or slugify(opts.show) != opts.show:
        raise BadInput(f"--show {opts.show!r}: use lowercase a-z, 0-9 and hyphens",
                       f"for example `--show {slugify(opts.show) or 'my-show'}`")
    if not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", opts.email):
        raise BadInput(f"--email {opts.email!r}: not an email address")
    if not re.fullmatch(r"[a-zA-Z]{2,3}(-[a-zA-Z0-9]{2,8})*", opts.language):
        raise BadInput(f"--language {opts.language!r}: use an ISO 639 code such as en or en-us")
    problem = url_problem(opts.base_url)
    if problem:
        raise BadInput(f"--base-url {redact(opts.base_url)!r}: {problem}",
                       "for example --base-url https://podcasts.example.com")
    if not opts.title.strip():
        raise BadInput("--title: must not be empty")


def show_artwork(show_dir: Path, opts: InitOptions) -> Path:
    """The show's artwork beside show.toml: the given file as it is when it passes Apple's rules,
    else converted (cropped, scaled, RGB JPEG); without one a cover with the title is drawn."""
    if opts.artwork is None:
        return make_cover(show_dir / "artwork.jpg", opts.title).relative_to(show_dir)
    src = Path(opts.artwork)
    if check_artwork(src):
        return fix_artwork(src, show_dir).relative_to(show_dir)
    dest = show_dir / f"artwork{src.suffix.lower()}"
    atomic_write(dest, src.read_bytes())
    return dest.relative_to(show_dir)


def init_workspace(root: Path, opts: InitOptions) -> list[Path]:
    """Create the files; refuses when a podman.toml or the show already exists there."""
    validate_init(opts)
    ws_file = root / WORKSPACE_FILE
    if ws_file.exists():
        raise WorkspaceError(f"{ws_file}: a workspace already exists here",
                             "use it as it is, or choose another folder")
    show_dir = root / "feeds" / opts.show
    if (show_dir / SHOW_FILE).exists():
        raise WorkspaceError(f"{show_dir / SHOW_FILE}: the show already exists")
    if opts.artwork is not None:
        read_image_info(opts.artwork)  # not an image: refused before anything is written
    feed_url = f"{opts.base_url.rstrip('/')}/{opts.show}/feed.xml"
    image = show_artwork(show_dir, opts)
    created = [show_dir / image, show_dir / SHOW_FILE, ws_file]
    atomic_write(show_dir / SHOW_FILE, show_toml(opts, podcast_guid(feed_url), image.name))
    (show_dir / "episodes").mkdir(exist_ok=True)
    atomic_write(ws_file, podman_toml(opts.base_url))
    gitignore = root / ".gitignore"
    if not gitignore.exists():
        atomic_write(gitignore, GITIGNORE)
        created.append(gitignore)
    return created
