"""`podman demo`: a ready-made workspace with two generated episodes, built and ready to serve."""

from __future__ import annotations

import shutil
import tempfile
import tomllib
from collections.abc import Callable
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from podman.audio import ffmpeg
from podman.core.models import Article, utc

DEMO_SPEC = "demo.toml"


@dataclass(frozen=True)
class DemoResult:
    root: Path
    feed_path: Path
    feed_url: str


def demo_spec() -> dict:
    return tomllib.loads(resources.files("podman").joinpath("data", DEMO_SPEC).read_text("utf-8"))


def speech_like_args(dest: Path, seconds: float, seed: int) -> list[str]:
    """Pink noise with a syllable-rate tremolo: speech-like level changes at 16 kbit/s mono."""
    source = f"anoisesrc=color=pink:sample_rate=16000:amplitude=0.2:seed={seed},tremolo=f=2.5:d=0.9"
    return ["-loglevel", "error", "-y", "-f", "lavfi", "-i", source, "-t", f"{seconds}",
            "-ac", "1", "-c:a", "libmp3lame", "-b:a", "16k", str(dest)]


def artwork_args(dest: Path) -> list[str]:
    return ["-loglevel", "error", "-y", "-f", "lavfi", "-i",
            "color=c=0x1d4ed8:s=1400x1400,drawbox=x=200:y=200:w=1000:h=1000:color=0xfbbf24:t=80",
            "-frames:v", "1", "-q:v", "3", str(dest)]


def make_demo(root: Path, log: Callable[[str], None] = lambda _m: None) -> DemoResult:
    """init + two `add`s + build, through the same core functions the commands use."""
    from podman.core.config import load_workspace
    from podman.workflows.add import AddOptions, add_files
    from podman.workflows.build import build
    from podman.workflows.init import InitOptions, init_workspace

    spec = demo_spec()
    show = spec["show"]
    init_workspace(root, InitOptions(
        show=show["slug"], title=show["title"], author=show["author"], email=show["email"],
        language=show["language"], category=show["category"], description=show["description"],
    ))
    show_dir = root / "feeds" / show["slug"]
    ffmpeg.run(artwork_args(show_dir / "artwork.jpg"), what="demo artwork")
    _set_show_keys(show_dir / "show.toml", image="artwork.jpg", link=show["link"])
    ws = load_workspace(root)
    work = Path(tempfile.mkdtemp(prefix="podman-demo-"))
    try:
        for ep in spec["episodes"]:
            audio = work / f"{ep['published']:%Y-%m-%d}.mp3"
            log(f"generating {ep['seconds'] // 60}:{ep['seconds'] % 60:02d} of audio: {audio.name}")
            ffmpeg.run(speech_like_args(audio, ep["seconds"], ep["seed"]), what="demo audio")
            opts = AddOptions(
                title=ep["title"], date=utc(ep["published"]), notes=ep["notes"].strip(),
                articles=(Article(url=ep["article_url"], title=ep["article_title"]),),
                guid=ep["guid"],
            )
            for outcome in add_files(ws, [audio], opts, now=utc(ep["published"])):
                if outcome.error is not None:
                    raise outcome.error
                log(f"added {outcome.episode.show}/{outcome.episode.slug}")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    from datetime import datetime

    build(ws, now=utc(datetime.now().astimezone()))
    return DemoResult(root, ws.public_dir / show["slug"] / "feed.xml", ws.feed_url(show["slug"]))


def _set_show_keys(path: Path, **values: str) -> None:
    import tomlkit

    from podman.core.fsio import atomic_write

    doc = tomlkit.parse(path.read_text("utf-8"))
    for key, value in values.items():
        doc[key] = value
    atomic_write(path, tomlkit.dumps(doc))
