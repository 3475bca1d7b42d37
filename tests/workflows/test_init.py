"""`podman init`: the workspace files, podcast:guid, refusing to overwrite, bad options."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from podman.core.models import podcast_guid
from podman.workflows.init import podman_toml
from tests.fixtures.cli import INIT_ARGS, SHOW, run, tree


def test_init_creates_the_workspace(tmp_path: Path) -> None:
    root = tmp_path / "new"
    result = run("init", root, *INIT_ARGS, "--base-url", "https://pods.example.com/")
    assert result.exit_code == 0, result.stderr
    assert result.stdout == ""  # messages go to stderr
    assert "created" in result.stderr
    settings = tomllib.loads((root / "podman.toml").read_text())
    assert settings["storage"]["backend"] == "local"
    assert settings["storage"]["public_url"] == "https://pods.example.com/media"
    assert settings["publish"]["base_url"] == "https://pods.example.com"
    show = tomllib.loads((root / "feeds" / SHOW / "show.toml").read_text())
    assert show["title"] == "The Daily Test"
    assert show["author"] == "Test Newsroom"
    assert show["email"] == "owner@example.com"
    assert show["language"] == "en"
    assert show["categories"] == ["News > Daily News"]
    assert show["podcast_guid"] == podcast_guid("pods.example.com/daily/feed.xml")
    assert (root / "feeds" / SHOW / "episodes").is_dir()
    ignored = (root / ".gitignore").read_text().split()
    assert "/public/" in ignored and "/media/" in ignored


def test_init_default_base_url_guid(workspace: Path) -> None:
    show = tomllib.loads((workspace / "feeds" / SHOW / "show.toml").read_text())
    assert show["podcast_guid"] == podcast_guid("http://127.0.0.1:8000/daily/feed.xml")


def test_init_refuses_to_overwrite(workspace: Path) -> None:
    before = tree(workspace)
    result = run("init", workspace, *INIT_ARGS[:2], "--title", "Other", "--author", "B",
                 "--email", "b@example.com", "--category", "News")
    assert result.exit_code == 2
    assert result.stderr.startswith("podman: error: ")
    assert "already exists" in result.stderr
    assert tree(workspace) == before


def test_init_refuses_existing_show_without_workspace_file(workspace: Path) -> None:
    (workspace / "podman.toml").unlink()
    before = tree(workspace)
    result = run("init", workspace, *INIT_ARGS)
    assert result.exit_code == 2
    assert "show already exists" in result.stderr
    assert tree(workspace) == before


@pytest.mark.parametrize(("option", "value"), [
    ("--show", "My Show"),
    ("--show", "UPPER"),
    ("--show", "../escape"),
    ("--show", ""),
    ("--email", "not-an-email"),
    ("--email", "a@b"),
    ("--language", "english!"),
    ("--language", "e"),
    ("--base-url", "ftp://example.com"),
    ("--base-url", "example.com"),
    ("--title", "   "),
])
def test_init_bad_option_is_one_line_exit_2(tmp_path: Path, option: str, value: str) -> None:
    args = dict(zip(INIT_ARGS[::2], INIT_ARGS[1::2], strict=True))
    args[option] = value
    root = tmp_path / "ws"
    result = run("init", root, *[x for kv in args.items() for x in kv])
    assert result.exit_code == 2, result.stderr
    lines = result.stderr.splitlines()
    assert lines[0].startswith("podman: error: ") and option in lines[0]
    assert len(lines) == 1 or (len(lines) == 2 and lines[1].startswith("hint: "))
    assert not (root / "podman.toml").exists()
    assert not (root / "feeds").exists() or not any((root / "feeds").rglob("show.toml"))


@pytest.mark.parametrize("missing", ["--show", "--title", "--author", "--email", "--category"])
def test_init_missing_option_without_tty_is_usage_error(tmp_path: Path, missing: str) -> None:
    args = dict(zip(INIT_ARGS[::2], INIT_ARGS[1::2], strict=True))
    del args[missing]
    root = tmp_path / "ws"
    result = run("init", root, *[x for kv in args.items() for x in kv], input="")
    assert result.exit_code == 2
    assert result.stderr.splitlines()[0] == f"podman: error: {missing} is required"
    assert "Traceback" not in result.stderr
    assert not root.exists() or not any(root.iterdir())


def test_init_defaults_language_and_base_url(tmp_path: Path) -> None:
    root = tmp_path / "ws"
    result = run("init", root, "--show", "s", "--title", "T", "--author", "A",
                 "--email", "a@example.com", "--category", "News")
    assert result.exit_code == 0, result.stderr
    show = tomllib.loads((root / "feeds" / "s" / "show.toml").read_text())
    assert show["language"] == "en"
    assert show["categories"] == ["News"]


def test_init_keeps_an_existing_gitignore(tmp_path: Path) -> None:
    root = tmp_path / "ws"
    root.mkdir()
    (root / ".gitignore").write_text("*.pyc\n")
    assert run("init", root, *INIT_ARGS).exit_code == 0
    assert (root / ".gitignore").read_text() == "*.pyc\n"


def test_gitignore_covers_what_add_creates(workspace: Path, episode_mp3s: list[Path]) -> None:
    """After init + add, only the catalog is left for git: media, public/ and the lock ignored."""
    import fnmatch

    assert run("add", "-C", workspace, episode_mp3s[0]).exit_code == 0
    patterns = [line for line in (workspace / ".gitignore").read_text().splitlines()
                if line and not line.startswith("#")]
    untracked = []
    for path in tree(workspace):
        top = "/" + path.split("/")[0] + ("/" if "/" in path else "")
        if not any(fnmatch.fnmatch(top, p) for p in patterns):
            untracked.append(path)
    assert all(p.startswith("feeds/") or p in ("podman.toml", ".gitignore") for p in untracked), (
        untracked)


def test_written_files_name_their_example_files(workspace: Path) -> None:
    """Each file `init` writes points to the example that documents every key, and it exists."""
    repo = Path(__file__).resolve().parents[2]
    for written, example in (("podman.toml", "config.example.toml"),
                             (f"feeds/{SHOW}/show.toml", "show.example.toml")):
        assert example in (workspace / written).read_text("utf-8").split("\n")[0]
        assert (repo / example).is_file()


def test_fresh_show_gets_a_cover_and_its_first_feed_passes_check(tmp_path: Path) -> None:
    from podman.audio.artwork import check_artwork, read_image_info

    root = tmp_path / "fresh"
    assert run("init", root, *INIT_ARGS).exit_code == 0
    show = tomllib.loads((root / "feeds" / SHOW / "show.toml").read_text())
    cover = root / "feeds" / SHOW / show["image"]
    info = read_image_info(cover)
    assert (info.format, info.width, info.height) == ("jpeg", 3000, 3000)
    assert check_artwork(cover) == []
    build = run("build", "-C", root)
    assert build.exit_code == 0, build.stderr
    assert "warning" not in build.stderr
    assert b"<itunes:image href=" in (root / "public" / SHOW / "feed.xml").read_bytes()
    check = run("check", "-C", root)
    assert check.exit_code == 0, check.stdout + check.stderr
    assert "error" not in check.stdout + check.stderr


def test_init_artwork_that_passes_is_kept_byte_for_byte(tmp_path: Path, show_png: Path) -> None:
    root = tmp_path / "art"
    assert run("init", root, *INIT_ARGS, "--artwork", show_png).exit_code == 0
    show = tomllib.loads((root / "feeds" / SHOW / "show.toml").read_text())
    assert show["image"] == "artwork.png"
    assert (root / "feeds" / SHOW / "artwork.png").read_bytes() == show_png.read_bytes()


def test_init_artwork_that_does_not_pass_is_converted(tmp_path: Path) -> None:
    from podman.audio.artwork import check_artwork
    from tests.fixtures.process import image

    wide = image(tmp_path / "wide.png", "1600x1000")
    root = tmp_path / "conv"
    result = run("init", root, *INIT_ARGS, "--artwork", wide)
    assert result.exit_code == 0, result.stderr
    show = tomllib.loads((root / "feeds" / SHOW / "show.toml").read_text())
    assert show["image"].endswith(".jpg")
    assert check_artwork(root / "feeds" / SHOW / show["image"]) == []


def test_init_refuses_artwork_that_is_not_an_image(tmp_path: Path) -> None:
    bogus = tmp_path / "art.jpg"
    bogus.write_text("not an image")
    root = tmp_path / "bad"
    result = run("init", root, *INIT_ARGS, "--artwork", bogus)
    assert result.exit_code == 2
    assert "art.jpg" in result.stderr and "Traceback" not in result.stderr
    assert not root.exists() or tree(root) == {}


def test_build_warns_when_a_show_has_no_artwork(workspace: Path) -> None:
    path = workspace / "feeds" / SHOW / "show.toml"
    path.write_text(path.read_text().replace('image = "artwork.png"', 'image = ""'))
    result = run("build", "-C", workspace)
    assert result.exit_code == 0, result.stderr
    assert f"warning: {path}: no artwork" in result.stderr


# -- issue 9 #3: config files are written by the TOML library, never by formatting ---------------

@pytest.mark.parametrize("base_url", ['https://x/"\n[storage]\nbackend = "s3',
                                      "https://x/a b", "javascript://x/", "https://u:pw@x/"])
def test_init_refuses_a_base_url_that_is_not_a_plain_http_url(tmp_path: Path,
                                                               base_url: str) -> None:
    root = tmp_path / "new"
    result = run("init", root, *INIT_ARGS, "--base-url", base_url)
    assert result.exit_code == 2
    assert result.stderr.startswith("podman: error: --base-url")
    assert "Traceback" not in result.stderr and "internal error" not in result.stderr
    assert not root.exists() or tree(root) == {}


def test_a_base_url_with_toml_quotes_gives_a_working_workspace(tmp_path: Path) -> None:
    root = tmp_path / "new"
    base = 'https://x.example/a"b\\c\'d'
    assert run("init", root, *INIT_ARGS, "--base-url", base).exit_code == 0
    assert tomllib.loads((root / "podman.toml").read_text())["publish"]["base_url"] == base
    result = run("build", "-C", root)
    assert result.exit_code == 0, result.stderr
    assert run("list", "-C", root).exit_code == 0


@given(st.text(min_size=1, max_size=40))
@settings(max_examples=150, deadline=None)
def test_podman_toml_round_trips_any_base_url(tail: str) -> None:
    base = f"https://x.example/{tail}"
    data = tomllib.loads(podman_toml(base))
    assert data["publish"]["base_url"] == base.rstrip("/")
    assert data["storage"]["public_url"] == f"{base.rstrip('/')}/media"
    assert data["storage"]["backend"] == "local"
    assert set(data) == {"storage", "publish", "audio"}
