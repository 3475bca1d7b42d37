"""The CLI surface: help for every command, list/show JSON contract, errors, lazy imports."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from podman.cli import COMMANDS, cli
from podman.core.models import Article
from tests.fixtures.cli import SHOW, make_episode, run, write_episode

SRC = Path(__file__).resolve().parents[2] / "src"
CONTRACT_FIELDS = {"show", "slug", "guid", "title", "published", "status", "duration",
                   "duration_text", "bytes", "type", "url", "articles"}
GUID_A = "1b4e28ba-2fa1-4d3b-a3f5-ef19f1ba7c52"
GUID_B = "2c5f39cb-3ab2-4e4c-b4a6-f0a2a2cb8d63"


def test_help_lists_every_command() -> None:
    result = run("--help")
    assert result.exit_code == 0
    assert set(COMMANDS) >= {"init", "demo", "probe", "add", "list", "show", "build", "serve"}
    for name in COMMANDS:
        assert name in result.stdout


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_every_command_has_help(name: str) -> None:
    command = cli.get_command(None, name)
    assert command.help and command.help.strip()
    result = run(name, "--help")
    assert result.exit_code == 0
    assert result.stdout.startswith(f"Usage: cli {name}") or "Usage:" in result.stdout
    for param in command.params:
        if isinstance(param, click.Option) and param.name != "help":
            assert param.help, f"{name} {param.opts} has no help text"


@pytest.fixture
def catalog(workspace: Path) -> Path:
    write_episode(workspace, make_episode(
        guid=GUID_A, slug="2025-03-14-putin-urges", title="Putin urges", duration=1688.0,
        articles=(Article("https://news.example.com/a", "A"),)))
    write_episode(workspace, make_episode(
        guid=GUID_B, slug="2025-03-13-central-banks", title="Central banks", duration=3723.0,
        status="draft", published=make_episode(guid="x").published.replace(day=13)))
    return workspace


def test_list_json_contract(catalog: Path) -> None:
    result = run("list", "-C", catalog, "--json")
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert [e["slug"] for e in data] == ["2025-03-14-putin-urges", "2025-03-13-central-banks"]
    for entry in data:
        assert CONTRACT_FIELDS <= set(entry)
    first, second = data
    assert first["show"] == SHOW and first["guid"] == GUID_A
    assert first["published"] == "2025-03-14T17:00:00Z"
    assert first["duration"] == 1688.0 and first["duration_text"] == "28:08"
    assert second["duration_text"] == "1:02:03" and second["status"] == "draft"
    assert first["bytes"] == 12345 and first["type"] == "audio/mpeg"
    assert first["url"].startswith("http://127.0.0.1:8000/media/daily/2025-03-14-putin-urges-")
    assert first["articles"] == [{"url": "https://news.example.com/a", "title": "A"}]


def test_list_text(catalog: Path) -> None:
    result = run("list", "-C", catalog)
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[0].startswith("2025-03-14     28:08  daily/2025-03-14-putin-urges")
    assert "[draft]" in lines[1]


@pytest.mark.parametrize("ref", ["2025-03-14-putin-urges", GUID_A, "2025-03-14", "1b4e",
                                 f"{SHOW}/2025-03-14-putin-urges"])
def test_show_json_by_slug_guid_prefix(catalog: Path, ref: str) -> None:
    result = run("show", ref, "-C", catalog, "--json")
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert CONTRACT_FIELDS <= set(data)
    assert data["guid"] == GUID_A


def test_show_text(catalog: Path) -> None:
    result = run("show", "1b4e", "-C", catalog)
    assert result.exit_code == 0
    assert f"guid          {GUID_A}" in result.stdout
    assert "article       https://news.example.com/a  A" in result.stdout


@pytest.mark.parametrize("ref", ["nope", "2025-03-1"])
def test_show_unknown_or_ambiguous_exit_2(catalog: Path, ref: str) -> None:
    result = run("show", ref, "-C", catalog)
    assert result.exit_code == 2
    assert result.stderr.startswith(f"podman: error: {ref}: ")
    assert result.stdout == ""


def test_no_workspace_exit_2_with_hint(tmp_path: Path) -> None:
    result = run("list", "-C", tmp_path)
    assert result.exit_code == 2
    lines = result.stderr.splitlines()
    assert lines[0].startswith("podman: error: ") and "no podman.toml here" in lines[0]
    assert lines[1].startswith("hint: ") and "podman init" in lines[1]


def test_group_level_workspace_option(catalog: Path) -> None:
    result = run("-C", catalog, "list", "--json")
    assert result.exit_code == 0
    assert len(json.loads(result.stdout)) == 2


def test_corrupt_podman_toml_exit_2_one_line(catalog: Path) -> None:
    (catalog / "podman.toml").write_text("[storage]\nbackend = \n")
    result = run("list", "-C", catalog)
    assert result.exit_code == 2
    assert len(result.stderr.splitlines()) == 1
    assert result.stderr.startswith(f"podman: error: {catalog / 'podman.toml'}: invalid TOML")


def test_wrong_type_in_podman_toml_exit_2(catalog: Path) -> None:
    (catalog / "podman.toml").write_text("[storage]\nbackend = 5\n")
    result = run("list", "-C", catalog)
    assert result.exit_code == 2
    assert "backend" in result.stderr


def test_probe_json(audio_files: dict[str, Path]) -> None:
    result = run("probe", "--json", audio_files["mp3-cbr"], audio_files["bad-text"])
    assert result.exit_code == 2
    [facts] = json.loads(result.stdout)
    assert facts["type"] == "audio/mpeg" and facts["duration_text"] == "0:07"
    assert "notes.mp3" in result.stderr


def test_cli_import_is_light() -> None:
    code = ("import sys, podman.cli\n"
            "heavy = {'boto3', 'botocore', 'mutagen', 'jinja2', 'markdown_it', 'ffmpeg',\n"
            "         'imageio_ffmpeg', 'nh3', 'tomlkit', 'tqdm'}\n"
            "print(sorted(heavy & {m.split('.')[0] for m in sys.modules}))")
    env = {**os.environ, "PYTHONPATH": str(SRC)}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env,
                         check=True).stdout
    assert out.strip() == "[]"


def _modules_after(code: str, *args: str) -> list[str]:
    """The podman and click modules a fresh interpreter holds after running `code`."""
    code += ("\nprint(sorted(m for m in sys.modules if m.split('.')[0] in ('podman', 'click')"
             " and m.count('.') < 3), file=sys.stderr)")
    env = {**os.environ, "PYTHONPATH": str(SRC)}
    proc = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True,
                          env=env, check=True)
    return [m for m in eval(proc.stderr.strip().splitlines()[-1]) if m.split(".")[0] == "podman"
            or m == "click"]


@pytest.mark.parametrize("args", [["--help"], ["--version"]])
def test_help_and_version_import_only_the_command_table(args: list[str]) -> None:
    """The `podman` entry point answers --help/--version from the table: not even click."""
    entry = "import sys\nfrom podman.cli import main\nsys.argv = ['podman', *sys.argv[1:]]\nmain()"
    assert _modules_after(entry, *args) == ["podman", "podman.cli", "podman.cli.table"]
    group = ("import sys\nfrom podman.cli.group import cli\n"
             "try:\n    cli(sys.argv[1:], prog_name='podman')\nexcept SystemExit:\n    pass")
    assert _modules_after(group, *args) == [
        "click", "podman", "podman.cli", "podman.cli.group", "podman.cli.table"]


@pytest.mark.parametrize("args", [["--help"], ["-h"], ["--version"]])
def test_fast_help_and_version_equal_clicks_output(args: list[str]) -> None:
    """The entry point answers --help/--version without click; the text must be click's own."""
    from podman.cli import fast_output

    clicks = CliRunner().invoke(cli, args, prog_name="podman", terminal_width=80)
    assert clicks.exit_code == 0
    assert fast_output(args) == clicks.stdout
    assert fast_output(["--help", "add"]) is None and fast_output([]) is None


def test_python_m_podman_version() -> None:
    env = {**os.environ, "PYTHONPATH": str(SRC)}
    proc = subprocess.run([sys.executable, "-m", "podman", "--version"], capture_output=True,
                          text=True, env=env)
    assert proc.returncode == 0
    assert proc.stdout.startswith("podman, version ")
