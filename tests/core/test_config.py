"""core.config: show.toml and podman.toml under the URL policy; config paths stay inside."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest
import tomlkit

from tests.fixtures.cli import SHOW, run, tree

SHOW_URL_KEYS = {
    "link": "javascript:alert(1)",
    "new_feed_url": "data:text/html,x",
    "websub_hub": "file:///etc/passwd",
    "license": {"name": "cc", "url": "javascript:x"},
    "funding": [{"url": "javascript:x", "text": "give"}],
    "trailers": [{"title": "t", "url": "vbscript:x", "pubdate": "2025-01-01T00:00:00Z"}],
    "persons": [{"name": "A", "href": "javascript:x"}],
    "image": "javascript:alert(1)",
}


def _edit_show(root: Path, **keys: object) -> Path:
    path = root / "feeds" / SHOW / "show.toml"
    doc = tomlkit.parse(path.read_text())
    for key, value in keys.items():
        doc[key] = value
    path.write_text(tomlkit.dumps(doc))
    return path


def _edit_workspace(root: Path, section: str, **keys: object) -> Path:
    path = root / "podman.toml"
    doc = tomlkit.parse(path.read_text())
    for key, value in keys.items():
        doc[section][key] = value
    path.write_text(tomlkit.dumps(doc))
    return path


def _one_error(result, name: Path | str) -> str:
    assert result.exit_code == 2, result.output
    line = result.stderr.splitlines()[0]
    assert line.startswith(f"podman: error: {name}"), line
    assert "Traceback" not in result.stderr and "internal error" not in result.stderr
    return line


@pytest.mark.parametrize("key", sorted(SHOW_URL_KEYS))
@pytest.mark.parametrize("command", ["list", "build"])
def test_show_toml_non_http_url_is_refused(workspace: Path, key: str, command: str) -> None:
    path = _edit_show(workspace, **{key: SHOW_URL_KEYS[key]})
    line = _one_error(run(command, "-C", workspace), path)
    assert "http(s)" in line
    assert not (workspace / "public").exists()


@pytest.mark.parametrize("pubdate", ["0001-01-01T00:00:00+05:00", "9999-12-31T23:00:00-05:00",
                                     "1899-12-31T00:00:00Z"])
def test_a_trailer_date_out_of_range_is_refused(workspace: Path, pubdate: str) -> None:
    path = workspace / "feeds" / SHOW / "show.toml"
    path.write_text(path.read_text() + '\n[[trailers]]\ntitle = "t"\n'
                    f'url = "https://e.com/t.mp3"\npubdate = {pubdate}\n')
    line = _one_error(run("build", "-C", workspace), path)
    assert "trailers.pubdate" in line and "1900-9000" in line


@pytest.mark.parametrize("image", ["../../../secret.jpg", "./../../../outside.jpg", "{abs}",
                                   "sub/../../../../secret.jpg"])
def test_show_image_outside_the_workspace_is_refused(workspace: Path, image: str) -> None:
    secret = workspace.parent / "secret.jpg"
    secret.write_bytes(b"\xff\xd8\xff private")
    (workspace.parent / "outside.jpg").write_bytes(b"\xff\xd8\xff private")
    path = _edit_show(workspace, image=image.format(abs=secret))
    line = _one_error(run("build", "-C", workspace), path)
    assert "inside the workspace" in line
    assert not (workspace / "public").exists() or all(
        b"private" not in data for data in tree(workspace / "public").values())


def test_show_image_symlinked_out_of_the_workspace_is_refused(workspace: Path) -> None:
    secret = workspace.parent / "secret.jpg"
    secret.write_bytes(b"\xff\xd8\xff private")
    (workspace / "feeds" / SHOW / "art.jpg").symlink_to(secret)
    path = _edit_show(workspace, image="art.jpg")
    _one_error(run("build", "-C", workspace), path)
    assert not (workspace / "public").exists()


@pytest.mark.parametrize(("section", "key", "value"), [
    ("publish", "base_url", "javascript:alert(1)//"),
    ("publish", "base_url", "https://user:hunter2@pods.example.com"),
    ("storage", "public_url", "ftp://pods.example.com/media"),
    ("storage", "public_url", "https://pods.example.com/a b"),
    ("storage", "endpoint_url", "file:///srv/s3"),
])
def test_podman_toml_urls_follow_the_policy(workspace: Path, section: str, key: str,
                                            value: str) -> None:
    path = _edit_workspace(workspace, section, **{key: value})
    line = _one_error(run("list", "-C", workspace), path)
    assert key in line and "hunter2" not in line


def test_an_env_base_url_follows_the_policy(workspace: Path,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PODMAN_BASE_URL", "javascript:alert(1)")
    line = _one_error(run("build", "-C", workspace), "PODMAN_BASE_URL")
    assert "http(s)" in line


def test_valid_urls_and_an_image_inside_still_load(workspace: Path) -> None:
    (workspace / "feeds" / SHOW / "art").mkdir()
    _edit_show(workspace, link="https://news.example.com/show", image="art/../art.jpg",
               funding=[{"url": "https://news.example.com/give", "text": "Give"}])
    (workspace / "feeds" / SHOW / "art.jpg").write_bytes(b"x")
    _edit_workspace(workspace, "storage", endpoint_url="http://127.0.0.1:9000")
    from podman.core.config import load_show

    show = load_show(workspace / "feeds" / SHOW)
    assert show.link == "https://news.example.com/show" and show.image == "art/../art.jpg"
    assert tomllib.loads((workspace / "podman.toml").read_text())["storage"]["endpoint_url"]
