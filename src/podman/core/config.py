"""Reads podman.toml and show.toml into frozen dataclasses: defaults, env overrides, validation."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from podman.core.errors import ConfigError, WorkspaceError
from podman.core.urls import has_scheme, is_http_url, redact, url_problem

WORKSPACE_FILE = "podman.toml"
SHOW_FILE = "show.toml"
DEFAULT_PORT = 8000
DEFAULT_BASE_URL = f"http://127.0.0.1:{DEFAULT_PORT}"
PODCASTINDEX_PUBNOTIFY = "https://api.podcastindex.org/api/1.0/hub/pubnotify"
SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")  # a show folder: part of every URL


@dataclass(frozen=True)
class StorageConfig:
    backend: str = "local"
    path: Path = Path("media")  # local backend, absolute once loaded
    public_url: str = f"{DEFAULT_BASE_URL}/media"
    bucket: str = ""
    prefix: str = ""
    endpoint_url: str = ""
    region: str = ""
    addressing_style: str = "auto"  # path | virtual | auto
    profile: str = ""
    multipart_threshold: int = 64 * 1024 * 1024
    multipart_chunksize: int = 16 * 1024 * 1024
    max_concurrency: int = 8


@dataclass(frozen=True)
class PublishConfig:
    base_url: str = DEFAULT_BASE_URL  # where public/ is served; feed = {base_url}/{show}/feed.xml
    target: Path | None = None  # local backend: folder that publish copies public/ into
    prefix: str = ""  # S3 backend: key prefix for public/ files
    websub: bool = True  # after a publish that changed a feed: ping the show's websub_hub
    podcastindex: bool = True  # ... and the Podcast Index (pubnotify)
    podcastindex_url: str = PODCASTINDEX_PUBNOTIFY
    notify_timeout: float = 10.0  # seconds per notification


@dataclass(frozen=True)
class AudioConfig:
    normalize: bool = False
    target_i: float = -16.0
    target_tp: float = -1.0
    target_lra: float = 11.0
    encode: str = ""  # default preset for WAV/FLAC and when set; "" = keep publishable input
    also: tuple[str, ...] = ()


@dataclass(frozen=True)
class BuildConfig:
    feed_limit: int = 0  # 0 = every item in feed.xml


@dataclass(frozen=True)
class WorkspaceConfig:
    root: Path
    storage: StorageConfig = field(default_factory=StorageConfig)
    publish: PublishConfig = field(default_factory=PublishConfig)
    audio: AudioConfig = field(default_factory=AudioConfig)
    build: BuildConfig = field(default_factory=BuildConfig)

    @property
    def feeds_dir(self) -> Path:
        return self.root / "feeds"

    @property
    def public_dir(self) -> Path:
        return self.root / "public"

    def feed_url(self, show: str) -> str:
        return f"{self.publish.base_url.rstrip('/')}/{show}/feed.xml"

    def media_url(self, key: str) -> str:
        """The public URL of a storage key; an absolute URL (audio an import left on the old
        host with --no-download) stays as it is."""
        if key.startswith(("http://", "https://")):
            return key
        return f"{self.storage.public_url.rstrip('/')}/{key}"


@dataclass(frozen=True)
class ShowConfig:
    """One show's channel metadata from feeds/<slug>/show.toml."""

    slug: str
    title: str
    description: str
    language: str
    author: str
    email: str
    podcast_guid: str
    link: str = ""
    owner_name: str = ""
    image: str = ""  # file name beside show.toml or an absolute URL
    categories: tuple[tuple[str, ...], ...] = ()  # ("News",) or ("News", "Daily News")
    explicit: bool = False
    type: str = "episodic"
    copyright: str = ""
    locked: bool = True
    apple_id: str = ""  # Apple Podcasts id (digits), for the subscribe links that need it
    raw: dict[str, Any] = field(default_factory=dict)  # every key, for the later tags

    @property
    def dir_name(self) -> str:
        return self.slug


def find_workspace(start: Path | None = None) -> Path:
    """Walk up from `start` to the first folder holding podman.toml."""
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / WORKSPACE_FILE).is_file():
            return folder
    raise WorkspaceError(
        f"{here}: not inside a podman workspace (no {WORKSPACE_FILE} here or above)",
        "run `podman init` to create one, or pass -C DIR",
    )


def _read_toml(path: Path) -> dict[str, Any]:
    import tomllib  # here: a command given its configuration in code never loads the parser

    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except FileNotFoundError as exc:
        raise ConfigError(f"{path}: file not found") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: invalid TOML: {exc}") from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read: {exc}") from exc


def _section(data: dict[str, Any], name: str, path: Path) -> dict[str, Any]:
    value = data.get(name, {})
    if not isinstance(value, dict):
        raise ConfigError(f"{path}: [{name}] must be a table")
    return value


def _typed(section: dict[str, Any], key: str, kind: type, default: Any, where: str) -> Any:
    if key not in section:
        return default
    value = section[key]
    if kind is float and isinstance(value, int) and not isinstance(value, bool):
        value = float(value)
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise ConfigError(f"{where}: `{key}` must be a {kind.__name__}, not {value!r}")
    return value


_SECRET_KEYS = {"aws_access_key_id", "aws_secret_access_key", "aws_session_token", "secret_key",
                "access_key", "secret", "password"}


def load_workspace(root: Path) -> WorkspaceConfig:
    """Load podman.toml under `root`; env PODMAN_STORAGE_* / PODMAN_BASE_URL override keys."""
    path = root / WORKSPACE_FILE
    data = _read_toml(path)
    st = _section(data, "storage", path)
    pub = _section(data, "publish", path)
    au = _section(data, "audio", path)
    bu = _section(data, "build", path)
    leaked = sorted(_SECRET_KEYS & {k.lower() for k in st})
    if leaked:
        raise ConfigError(
            f"{path}: [storage] must not hold credentials ({', '.join(leaked)})",
            "remove them and use the AWS chain: AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, "
            "AWS_PROFILE or an instance role",
        )
    where = f"{path} [storage]"
    env = os.environ
    backend = env.get("PODMAN_STORAGE_BACKEND") or _typed(st, "backend", str, "local", where)
    if backend not in ("local", "s3"):
        raise ConfigError(f"{where}: backend must be \"local\" or \"s3\", not {backend!r}")
    base_url = env.get("PODMAN_BASE_URL") or _typed(
        pub, "base_url", str, DEFAULT_BASE_URL, f"{path} [publish]"
    )
    local_path = Path(_typed(st, "path", str, "media", where))
    target = _typed(pub, "target", str, "", f"{path} [publish]")
    storage = StorageConfig(
        backend=backend,
        path=local_path if local_path.is_absolute() else root / local_path,
        public_url=env.get("PODMAN_PUBLIC_URL")
        or _typed(st, "public_url", str, f"{base_url.rstrip('/')}/media", where),
        bucket=env.get("PODMAN_STORAGE_BUCKET") or _typed(st, "bucket", str, "", where),
        prefix=_typed(st, "prefix", str, "", where).strip("/"),
        endpoint_url=env.get("PODMAN_STORAGE_ENDPOINT_URL")
        or _typed(st, "endpoint_url", str, "", where),
        region=_typed(st, "region", str, "", where),
        addressing_style=_typed(st, "addressing_style", str, "auto", where),
        profile=_typed(st, "profile", str, "", where),
        multipart_threshold=_typed(st, "multipart_threshold", int, 64 * 1024 * 1024, where),
        multipart_chunksize=_typed(st, "multipart_chunksize", int, 16 * 1024 * 1024, where),
        max_concurrency=_typed(st, "max_concurrency", int, 8, where),
    )
    _check_url(storage.public_url, "public_url", where, "PODMAN_PUBLIC_URL")
    _check_url(base_url, "base_url", f"{path} [publish]", "PODMAN_BASE_URL")
    if storage.endpoint_url and not is_http_url(storage.endpoint_url):
        raise ConfigError(f"{_origin(where, 'PODMAN_STORAGE_ENDPOINT_URL')}: `endpoint_url` "
                          f"{redact(storage.endpoint_url)!r} is not an http(s) URL with a host")
    if storage.addressing_style not in ("auto", "path", "virtual"):
        raise ConfigError(f"{where}: addressing_style must be auto, path or virtual")
    if backend == "s3" and not storage.bucket:
        raise ConfigError(f"{where}: backend \"s3\" needs `bucket`")
    pw = f"{path} [publish]"
    publish = PublishConfig(
        base_url=base_url,
        target=(root / target) if target else None,
        prefix=_typed(pub, "prefix", str, "", pw).strip("/"),
        websub=_typed(pub, "websub", bool, True, pw),
        podcastindex=_typed(pub, "podcastindex", bool, True, pw),
        podcastindex_url=_typed(pub, "podcastindex_url", str, PODCASTINDEX_PUBNOTIFY, pw),
        notify_timeout=_typed(pub, "notify_timeout", float, 10.0, pw),
    )
    if not publish.podcastindex_url.startswith(("http://", "https://")):
        raise ConfigError(f"{pw}: podcastindex_url must be an http(s) URL")
    if not 0 < publish.notify_timeout <= 120:
        raise ConfigError(f"{pw}: notify_timeout must be between 0 and 120 seconds")
    aw = f"{path} [audio]"
    audio = AudioConfig(
        normalize=_typed(au, "normalize", bool, False, aw),
        target_i=_typed(au, "target_i", float, -16.0, aw),
        target_tp=_typed(au, "target_tp", float, -1.0, aw),
        target_lra=_typed(au, "target_lra", float, 11.0, aw),
        encode=_typed(au, "encode", str, "", aw),
        also=tuple(_typed(au, "also", list, [], aw)),
    )
    feed_limit = _typed(bu, "feed_limit", int, 0, f"{path} [build]")
    if feed_limit < 0:
        raise ConfigError(f"{path} [build]: feed_limit must be 0 (no limit) or positive")
    return WorkspaceConfig(
        root=root, storage=storage, publish=publish, audio=audio,
        build=BuildConfig(feed_limit=feed_limit),
    )


def _origin(where: str, env: str) -> str:
    """Where a value came from: its environment override when set, else the file."""
    return env if os.environ.get(env) else where


def _check_url(url: str, key: str, where: str, env: str) -> None:
    """base_url and public_url end up in every feed: the one URL policy applies."""
    problem = url_problem(url)
    if problem:
        raise ConfigError(f"{_origin(where, env)}: `{key}` {redact(url)!r} {problem}",
                          "use an address such as https://podcasts.example.com")


def show_dirs(ws: WorkspaceConfig) -> list[Path]:
    if not ws.feeds_dir.is_dir():
        return []
    return sorted(p for p in ws.feeds_dir.iterdir() if (p / SHOW_FILE).is_file())


def load_show(show_dir: Path) -> ShowConfig:
    path = show_dir / SHOW_FILE
    if not SLUG.fullmatch(show_dir.name):
        raise ConfigError(f"{show_dir}: a show folder name uses a-z, 0-9 and hyphens only "
                          "(it is part of every URL)", "rename the folder, e.g. my-show")
    data = _read_toml(path)
    where = str(path)

    def req(key: str) -> str:
        value = data.get(key)
        if not isinstance(value, str) or not value.strip():
            raise ConfigError(f"{where}: `{key}` is required (a non-empty string)")
        return value

    categories = []
    if not isinstance(data.get("categories", []), list):
        raise ConfigError(f"{where}: `categories` must be a list such as [\"News > Daily News\"]")
    for item in data.get("categories", []):
        if isinstance(item, str):
            categories.append(tuple(part.strip() for part in item.split(">")))
        elif isinstance(item, list) and all(isinstance(p, str) for p in item) and item:
            categories.append(tuple(item))
        else:
            raise ConfigError(f"{where}: categories entries are \"Category\" or "
                              "\"Category > Subcategory\"")
    _show_values(data, where)
    image = _typed(data, "image", str, "", where)
    if image and not has_scheme(image):
        _inside_workspace(show_dir, image, "image", where)
    show_type = _typed(data, "type", str, "episodic", where)
    if show_type not in ("episodic", "serial"):
        raise ConfigError(f"{where}: type must be \"episodic\" or \"serial\", not {show_type!r}")
    apple_id = _typed(data, "apple_id", str, "", where).strip()
    if apple_id and not apple_id.isdigit():
        raise ConfigError(f"{where}: apple_id is the number in the show's Apple Podcasts URL "
                          f"(podcasts.apple.com/.../id<number>), not {apple_id!r}")
    return ShowConfig(
        slug=show_dir.name,
        title=req("title"),
        description=_typed(data, "description", str, "", where) or req("title"),
        language=_typed(data, "language", str, "en", where),
        author=req("author"),
        email=req("email"),
        podcast_guid=req("podcast_guid"),
        link=_typed(data, "link", str, "", where),
        owner_name=_typed(data, "owner_name", str, "", where),
        image=image,
        categories=tuple(categories),
        explicit=_typed(data, "explicit", bool, False, where),
        type=show_type,
        copyright=_typed(data, "copyright", str, "", where),
        locked=_typed(data, "locked", bool, True, where),
        apple_id=apple_id,
        raw=data,
    )


# show.toml keys holding a URL: top-level, in one table, in each table of an array of tables
_SHOW_URLS = ("link", "new_feed_url", "websub_hub")
_SHOW_TABLE_URLS = {"license": ("url",), "funding": ("url",), "trailers": ("url",),
                    "persons": ("href", "img")}


# show.toml keys that are tables (or a plain name, where the tag allows one)
_SHOW_TABLES: dict[str, tuple[type, ...]] = {
    "license": (str, dict), "location": (str, dict), "update_frequency": (dict,),
    "funding": (dict, list), "persons": (dict, list), "txt": (dict, list),
    "trailers": (dict, list),
}


def _show_values(data: dict[str, Any], where: str) -> None:
    """Every URL a show.toml puts into the feed: http(s) only (a pull request may edit it);
    the tables that hold them must be tables; trailer dates in a sane range."""
    for key, kinds in _SHOW_TABLES.items():
        if key in data and not isinstance(data[key], kinds):
            shape = "a table" if kinds == (dict,) else (
                "a name or a table" if str in kinds else f"a table or [[{key}]] tables")
            raise ConfigError(f"{where}: `{key}` must be {shape}, not {type(data[key]).__name__}")
    found: list[tuple[str, Any]] = [(k, data[k]) for k in _SHOW_URLS if data.get(k)]
    image = data.get("image")
    if isinstance(image, str) and has_scheme(image):
        found.append(("image", image))
    for table, keys in _SHOW_TABLE_URLS.items():
        rows = data.get(table)
        for row in rows if isinstance(rows, list) else [rows]:
            if isinstance(row, dict):
                found.extend((f"{table}.{k}", row[k]) for k in keys if row.get(k))
    for key, value in found:
        problem = url_problem(value) if isinstance(value, str) else "is not a string"
        if problem:
            raise ConfigError(f"{where}: `{key}` {redact(str(value))[:80]!r} {problem}")
    trailers = data.get("trailers")
    for row in trailers if isinstance(trailers, list) else [trailers]:
        pub = row.get("pubdate") if isinstance(row, dict) else None
        if isinstance(pub, datetime):
            from podman.core.models import date_problem  # the episode types, only when needed

            if problem := date_problem(pub):
                raise ConfigError(f"{where}: `trailers.pubdate` {problem}")


def _inside_workspace(show_dir: Path, rel: str, key: str, where: str) -> Path:
    """A path named in show.toml, resolved (symlinks too) inside the workspace, or ConfigError:
    a catalog edit must not publish a file from elsewhere on the machine."""
    root = show_dir.parent.parent.resolve()
    try:
        path = (show_dir / rel).resolve()
    except (OSError, RuntimeError, ValueError) as exc:
        raise ConfigError(f"{where}: `{key}` {rel[:80]!r} cannot be resolved") from exc
    if not path.is_relative_to(root):
        raise ConfigError(f"{where}: `{key}` {rel[:80]!r} is not inside the workspace",
                          "keep the file beside show.toml")
    return path
