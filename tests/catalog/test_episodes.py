"""catalog.episodes: episode files <-> Episode, validation naming the file, the lock in use."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

from podman.catalog.episodes import (
    episode_to_text,
    find_episode,
    load_show_episodes,
    parse_episode,
    update_episode_text,
)
from podman.core.errors import CatalogError, NotFound
from podman.core.models import Article, Chapter
from tests.fixtures.cli import SHOW, make_episode, run, tree, write_episode

GUID_A = "1b4e28ba-2fa1-4d3b-a3f5-ef19f1ba7c52"
GUID_B = "2c5f39cb-3ab2-4e4c-b4a6-f0a2a2cb8d63"
SRC = Path(__file__).resolve().parents[2] / "src"

GOOD = f"""+++
guid = "{GUID_A}"   # minted once
title = "First"
published = 2025-03-14T17:00:00Z
status = "published"
duration = 61.5
[audio]
key = "daily/first.mp3"
bytes = 100
type = "audio/mpeg"
sha256 = "abc"
+++
Notes here.
"""


def test_round_trip_full_episode() -> None:
    ep = make_episode(
        guid=GUID_A, title='Quotes " and \\ backslash & <tags> — émoji 🎉',
        notes="Some **notes**.\n\nMore.",
        articles=(Article("https://example.com/a", "Article A"), Article("https://example.com/b")),
        chapters=(Chapter(0.0, "Intro"), Chapter(30.5, "Main", url="https://example.com/a")),
        season=2, episode=7, episode_type="bonus", explicit=True, image="https://example.com/i.jpg",
        extra={"future_key": "kept", "future_table": {"a": 1}},
    )
    text = episode_to_text(ep)
    assert text.startswith("+++\nguid = ")
    back = parse_episode(text, show=ep.show, slug=ep.slug, source="x.md")
    assert back == ep


def test_round_trip_minimal_episode_field_order() -> None:
    ep = make_episode(guid=GUID_A)
    text = episode_to_text(ep)
    keys = [line.split(" = ")[0] for line in text.splitlines() if " = " in line]
    assert keys == ["guid", "title", "published", "status", "duration",
                    "key", "bytes", "type", "sha256"]
    assert "published = 2025-03-14T17:00:00Z" in text
    assert parse_episode(text, show=SHOW, slug=ep.slug, source="x") == ep


def test_update_episode_text_keeps_comments_and_order() -> None:
    new = update_episode_text(GOOD, {"title": "Second", "season": 3}, source="x.md")
    assert '# minted once' in new
    assert 'title = "Second"' in new
    assert new.endswith("Notes here.\n")
    ep = parse_episode(new, show=SHOW, slug="s", source="x.md")
    assert (ep.title, ep.season, ep.notes) == ("Second", 3, "Notes here.")
    assert new.index("guid") < new.index("title") < new.index("published")


def test_update_episode_text_replaces_notes_and_removes_keys() -> None:
    new = update_episode_text(GOOD, {"status": None}, notes="New notes\n", source="x.md")
    ep = parse_episode(new, show=SHOW, slug="s", source="x.md")
    assert ep.notes == "New notes"
    assert ep.status == "published"  # the default once the key is gone
    assert "status" not in new


def test_update_episode_text_sets_and_clears_articles() -> None:
    new = update_episode_text(GOOD, {"articles": [{"url": "https://e.com/a", "title": "A"}]},
                              source="x.md")
    ep = parse_episode(new, show=SHOW, slug="s", source="x.md")
    assert ep.articles == (Article("https://e.com/a", "A"),)
    cleared = update_episode_text(new, {"articles": []}, source="x.md")
    assert parse_episode(cleared, show=SHOW, slug="s", source="x.md").articles == ()


AUDIO = '[audio]\nkey = "k.mp3"\nbytes = 1\ntype = "audio/mpeg"\nsha256 = "a"\n'
HEAD = f'guid = "{GUID_A}"\ntitle = "T"\npublished = 2025-03-14T17:00:00Z\nduration = 1.0\n'

MALFORMED = {
    "no-fence": HEAD + AUDIO,
    "no-closing-fence": "+++\n" + HEAD + AUDIO,
    "bad-toml": "+++\n" + HEAD + "title = \n" + AUDIO + "+++\n",
    "duplicate-key": "+++\n" + HEAD + 'title = "again"\n' + AUDIO + "+++\n",
    "missing-guid": "+++\n" + HEAD.replace(f'guid = "{GUID_A}"\n', "") + AUDIO + "+++\n",
    "empty-guid": "+++\n" + HEAD.replace(GUID_A, " ") + AUDIO + "+++\n",
    "missing-audio": "+++\n" + HEAD + "+++\n",
    "missing-audio-key": "+++\n" + HEAD + AUDIO.replace('key = "k.mp3"\n', "") + "+++\n",
    "missing-title": "+++\n" + HEAD.replace('title = "T"\n', "") + AUDIO + "+++\n",
    "missing-published": "+++\n" + HEAD.replace("published = 2025-03-14T17:00:00Z\n", "")
    + AUDIO + "+++\n",
    "title-int": "+++\n" + HEAD.replace('"T"', "5") + AUDIO + "+++\n",
    "published-string": "+++\n" + HEAD.replace("2025-03-14T17:00:00Z", '"2025-03-14"')
    + AUDIO + "+++\n",
    "published-date-only": "+++\n" + HEAD.replace("2025-03-14T17:00:00Z", "2025-03-14")
    + AUDIO + "+++\n",
    "duration-string": "+++\n" + HEAD.replace("1.0", '"1:00"') + AUDIO + "+++\n",
    "duration-zero": "+++\n" + HEAD.replace("1.0", "0") + AUDIO + "+++\n",
    "duration-bool": "+++\n" + HEAD.replace("1.0", "true") + AUDIO + "+++\n",
    "duration-nan": "+++\n" + HEAD.replace("1.0", "nan") + AUDIO + "+++\n",
    "duration-inf": "+++\n" + HEAD.replace("1.0", "inf") + AUDIO + "+++\n",
    "bytes-string": "+++\n" + HEAD + AUDIO.replace("bytes = 1", 'bytes = "1"') + "+++\n",
    "bytes-negative": "+++\n" + HEAD + AUDIO.replace("bytes = 1", "bytes = -1") + "+++\n",
    "audio-not-table": "+++\n" + HEAD + 'audio = "k.mp3"\n+++\n',
    "bad-status": "+++\n" + HEAD + 'status = "live"\n' + AUDIO + "+++\n",
    "bad-type": "+++\n" + HEAD + 'type = "movie"\n' + AUDIO + "+++\n",
    "season-zero": "+++\n" + HEAD + "season = 0\n" + AUDIO + "+++\n",
    "explicit-string": "+++\n" + HEAD + 'explicit = "yes"\n' + AUDIO + "+++\n",
    "articles-not-list": "+++\n" + HEAD + 'articles = "https://e.com"\n' + AUDIO + "+++\n",
    "article-not-table": "+++\n" + HEAD + "articles = [1]\n" + AUDIO + "+++\n",
    "article-no-url": "+++\n" + HEAD + AUDIO + '[[articles]]\ntitle = "x"\n+++\n',
    "article-title-int": "+++\n" + HEAD + AUDIO + '[[articles]]\nurl = "https://e.com"\n'
    "title = 5\n+++\n",
    "chapter-no-start": "+++\n" + HEAD + AUDIO + '[[chapters]]\ntitle = "x"\n+++\n',
}


@pytest.mark.parametrize("name", sorted(MALFORMED))
def test_malformed_front_matter_is_catalog_error_naming_file(name: str) -> None:
    source = f"feeds/daily/episodes/{name}.md"
    with pytest.raises(CatalogError) as info:
        parse_episode(MALFORMED[name], show=SHOW, slug=name, source=source)
    assert info.value.message.startswith(source)
    assert "\n" not in info.value.message


@pytest.mark.parametrize("name", ["no-fence", "bad-toml", "missing-guid", "bad-status",
                                  "duration-nan", "article-not-table"])
def test_build_on_malformed_catalog_exits_2_and_writes_nothing(workspace: Path, name: str) -> None:
    write_episode(workspace, make_episode(guid=GUID_B, slug="2025-03-01-good"))
    bad = workspace / "feeds" / SHOW / "episodes" / f"{name}.md"
    bad.write_text(MALFORMED[name])
    result = run("build", "-C", workspace, "--now", "2026-01-01")
    assert result.exit_code == 2, result.stderr
    assert result.stderr.splitlines()[0].startswith("podman: error: ")
    assert str(bad) in result.stderr
    assert "Traceback" not in result.stderr
    assert not (workspace / "public").exists()


def test_not_utf8_episode_file_is_catalog_error(workspace: Path) -> None:
    bad = workspace / "feeds" / SHOW / "episodes" / "latin1.md"
    bad.write_bytes(GOOD.replace("First", "Caf\xe9").encode("latin-1"))
    result = run("list", "-C", workspace)
    assert result.exit_code == 2
    assert f"{bad}: not UTF-8 text" in result.stderr


def test_duplicate_guid_across_files_is_an_error(workspace: Path) -> None:
    write_episode(workspace, make_episode(guid=GUID_A, slug="2025-03-01-a"))
    write_episode(workspace, make_episode(guid=GUID_A, slug="2025-03-02-b", key="daily/b.mp3"))
    result = run("build", "-C", workspace)
    assert result.exit_code == 2
    assert GUID_A in result.stderr


def test_load_show_episodes_newest_first(workspace: Path) -> None:
    for day, guid in ((1, GUID_A), (3, GUID_B)):
        write_episode(workspace, make_episode(
            guid=guid, slug=f"2025-03-0{day}-x", published=datetime(2025, 3, day, tzinfo=UTC)))
    episodes = load_show_episodes(workspace / "feeds" / SHOW)
    assert [e.guid for e in episodes] == [GUID_B, GUID_A]


def _eps():
    return [
        make_episode(guid=GUID_A, slug="2025-03-14-putin-urges"),
        make_episode(guid=GUID_B, slug="2025-03-13-central-banks"),
        make_episode(guid="2c5f0000-0000-4000-8000-000000000000", slug="2025-03-12-rates"),
    ]


def test_find_episode_by_slug_guid_show_slug_and_prefix() -> None:
    eps = _eps()
    assert find_episode(eps, "2025-03-14-putin-urges").guid == GUID_A
    assert find_episode(eps, GUID_B).slug == "2025-03-13-central-banks"
    assert find_episode(eps, f"{SHOW}/2025-03-12-rates").slug == "2025-03-12-rates"
    assert find_episode(eps, "2025-03-14").guid == GUID_A
    assert find_episode(eps, "1b4e").guid == GUID_A


def test_find_episode_unknown_and_ambiguous() -> None:
    eps = _eps()
    with pytest.raises(NotFound, match="no episode matches"):
        find_episode(eps, "nope")
    with pytest.raises(NotFound, match="matches 2 episodes"):
        find_episode(eps, "2c5f")
    with pytest.raises(NotFound, match="matches 3 episodes"):
        find_episode(eps, "2025-03-1")


def test_two_processes_adding_at_once_lose_nothing(workspace: Path,
                                                   episode_mp3s: list[Path]) -> None:
    """Two real `podman add` processes on one workspace: every episode recorded exactly once."""
    env = {**os.environ, "PYTHONPATH": str(SRC)}
    groups = [episode_mp3s[0::2], episode_mp3s[1::2]]
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "podman", "add", "-C", str(workspace), "--title", "Same title",
             "--date", "2025-03-14T17:00:00Z", *map(str, files)],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, text=True,
        )
        for files in groups
    ]
    outputs = [p.communicate(timeout=120) for p in procs]
    for proc, (_out, err) in zip(procs, outputs, strict=True):
        assert proc.returncode == 0, err
    episodes = load_show_episodes(workspace / "feeds" / SHOW)
    assert len(episodes) == len(episode_mp3s)
    assert len({e.slug for e in episodes}) == len(episode_mp3s)
    assert len({e.guid for e in episodes}) == len(episode_mp3s)

    hashes = {hashlib.sha256(p.read_bytes()).hexdigest() for p in episode_mp3s}
    assert {e.audio.sha256 for e in episodes} == hashes
    media = workspace / "media"
    for ep in episodes:
        assert (media / ep.audio.key).stat().st_size == ep.audio.bytes
    leftovers = [p for p in tree(workspace) if p.endswith((".tmp", ".part"))]
    assert leftovers == []


def test_notes_format_round_trips_and_is_validated() -> None:
    ep = make_episode(guid=GUID_A, notes="<p>kept <b>as HTML</b></p>", notes_format="html")
    text = episode_to_text(ep)
    assert 'notes_format = "html"' in text
    back = parse_episode(text, show=SHOW, slug=ep.slug, source="x.md")
    assert (back.notes_format, back.notes) == ("html", ep.notes)
    assert "notes_format" not in episode_to_text(make_episode(guid=GUID_B))
    with pytest.raises(CatalogError, match='x.md: notes_format must be "markdown" or "html"'):
        parse_episode(GOOD.replace("+++\n", '+++\nnotes_format = "rtf"\n', 1), show=SHOW,
                      slug="s", source="x.md")


def test_imported_episodes_sharing_an_instant_keep_the_old_order(tmp_path: Path) -> None:
    when = datetime(2020, 1, 1, tzinfo=UTC)
    for position, slug in ((2, "2020-01-01-b"), (1, "2020-01-01-z"), (3, "2020-01-01-a")):
        write_episode(tmp_path, make_episode(
            guid=slug, slug=slug, published=when, extra={"import": {"position": position}}))
    order = [e.slug for e in load_show_episodes(tmp_path / "feeds" / SHOW)]
    assert order == ["2020-01-01-z", "2020-01-01-b", "2020-01-01-a"]


def test_audio_left_on_the_old_host_may_repeat(tmp_path: Path) -> None:
    url = "https://old.example/a.mp3"  # two old items pointing at one file (import --no-download)
    for slug in ("2020-01-01-a", "2020-01-02-b"):
        write_episode(tmp_path, make_episode(guid=slug, slug=slug, key=url))
    assert len(load_show_episodes(tmp_path / "feeds" / SHOW)) == 2


# -- issue 9 #2 and #13: what the catalog reader refuses (a hand edit or a pull request) --------

HOSTILE = {
    "article-javascript-url": AUDIO + '[[articles]]\nurl = "javascript:alert(1)"\n',
    "article-data-url": AUDIO + '[[articles]]\nurl = "data:text/html,<script>x</script>"\n',
    "article-url-empty": AUDIO + '[[articles]]\nurl = ""\n',
    "article-url-with-space": AUDIO + '[[articles]]\nurl = "https://e.com/a b"\n',
    "article-url-with-newline": AUDIO + '[[articles]]\nurl = "https://e.com/a\\n<x>"\n',
    "article-url-userinfo": AUDIO + '[[articles]]\nurl = "https://u:secret@e.com/a"\n',
    "article-image-javascript": AUDIO + '[[articles]]\nurl = "https://e.com/a"\n'
    'image = "javascript:alert(1)"\n',
    "chapter-javascript-url": AUDIO + '[[chapters]]\nstart = 0\ntitle = "x"\n'
    'url = "javascript:alert(1)"\n',
    "chapter-image-data": AUDIO + '[[chapters]]\nstart = 0\ntitle = "x"\nimage = "data:x"\n',
    "chapter-start-nan": AUDIO + '[[chapters]]\nstart = nan\ntitle = "x"\n',
    "chapter-start-negative": AUDIO + '[[chapters]]\nstart = -1\ntitle = "x"\n',
    "image-javascript": 'image = "javascript:alert(1)"\n' + AUDIO,
    "persons-href-javascript": AUDIO + '[[persons]]\nname = "A"\nhref = "javascript:x"\n',
    "persons-img-vbscript": AUDIO + '[[persons]]\nname = "A"\nimg = "vbscript:x"\n',
    "duration-1e308": "duration = 1e308\n" + AUDIO,
    "duration-huge": "duration = 100_000_000\n" + AUDIO,
    "title-empty": 'title = ""\n' + AUDIO,
    "title-blank": 'title = " \\t "\n' + AUDIO,
    "published-year-1": "published = 0001-01-01T00:00:00+05:00\n" + AUDIO,
    "published-year-9999": "published = 9999-12-31T23:00:00-05:00\n" + AUDIO,
    "published-year-1899": "published = 1899-12-31T23:00:00Z\n" + AUDIO,
    "published-year-9001": "published = 9001-01-01T00:00:00Z\n" + AUDIO,
    "published-local-year-1": "published = 0001-01-01T00:00:00\n" + AUDIO,
    "alternates-int": "alternates = [5]\n" + AUDIO,
    "alternates-no-key": AUDIO + '[[alternates]]\ntype = "audio/ogg"\nbytes = 1\n',
    "alternates-bytes-string": AUDIO + '[[alternates]]\nkey = "k.ogg"\ntype = "audio/ogg"\n'
    'bytes = "1"\n',
    "waveform-int": "waveform = 5\n" + AUDIO,
    "audio-key-space": AUDIO.replace('"k.mp3"', '"a b\\"<x>/k.mp3"'),
    "audio-key-traversal": AUDIO.replace('"k.mp3"', '"../../podman.toml"'),
    "audio-key-scheme": AUDIO.replace('"k.mp3"', '"javascript:alert(1)"'),
    "audio-key-url-with-space": AUDIO.replace('"k.mp3"', '"https://e.com/a b.mp3"'),
    "alternates-key-data": AUDIO + '[[alternates]]\nkey = "data:audio/ogg,x"\n'
    'type = "audio/ogg"\nbytes = 1\n',
}


def _hostile(name: str) -> str:
    """HEAD with the hostile line's keys replaced (TOML forbids a key twice)."""
    extra = HOSTILE[name]
    head = "".join(line + "\n" for line in HEAD.splitlines()
                   if line.split(" = ")[0] + " = " not in extra.split("[", 1)[0])
    return "+++\n" + head + extra + "+++\n"


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_hostile_front_matter_is_one_catalog_error_naming_the_file(name: str) -> None:
    source = f"feeds/daily/episodes/{name}.md"
    with pytest.raises(CatalogError) as info:
        parse_episode(_hostile(name), show=SHOW, slug=name, source=source)
    assert info.value.message.startswith(source)
    assert "\n" not in info.value.message
    assert "secret" not in info.value.message


@pytest.mark.parametrize("name", ["article-javascript-url", "chapter-javascript-url",
                                  "published-year-1", "published-year-9999", "alternates-int",
                                  "duration-1e308", "title-empty"])
@pytest.mark.parametrize("command", ["list", "build"])
def test_hostile_front_matter_exits_2_in_list_and_build(workspace: Path, name: str,
                                                       command: str) -> None:
    bad = workspace / "feeds" / SHOW / "episodes" / f"{name}.md"
    bad.write_text(_hostile(name))
    result = run(command, "-C", workspace)
    assert result.exit_code == 2, result.output
    [line] = result.stderr.splitlines()
    assert line.startswith(f"podman: error: {bad}")
    assert not (workspace / "public").exists()


def test_an_audio_key_may_be_an_http_url_kept_from_an_import() -> None:
    text = GOOD.replace('"daily/first.mp3"', '"https://media.example.com/old/ep1.mp3"')
    ep = parse_episode(text, show=SHOW, slug="s", source="x.md")
    assert ep.audio.key == "https://media.example.com/old/ep1.mp3"


@pytest.mark.parametrize("folder", ['a b"<x>', "Caps", "under_score", "-lead"])
def test_a_show_folder_that_is_not_slug_safe_is_refused(workspace: Path, folder: str) -> None:
    show_dir = workspace / "feeds" / SHOW
    show_dir.rename(show_dir.parent / folder)
    result = run("list", "-C", workspace)
    assert result.exit_code == 2
    line = result.stderr.splitlines()[0]
    assert line.startswith("podman: error: ")
    assert folder in line and "a-z, 0-9 and hyphens" in line


@pytest.mark.parametrize("name", ["My Episode.md", "a\x1b[31mb.md", "x_y.md", "-x.md"])
def test_an_episode_file_name_that_is_not_slug_safe_is_refused(workspace: Path,
                                                               name: str) -> None:
    bad = workspace / "feeds" / SHOW / "episodes" / name
    bad.parent.mkdir(parents=True, exist_ok=True)
    bad.write_text(GOOD)
    result = run("list", "-C", workspace)
    assert result.exit_code == 2
    line = result.stderr.splitlines()[0]
    assert "a-z, 0-9 and hyphens" in line
    assert not any(ord(c) < 32 for c in result.stderr.replace("\n", ""))


def test_list_prints_no_control_characters(workspace: Path) -> None:
    title = "Bell\x07 nul\x00 esc\x1b[31m red\x9b"
    write_episode(workspace, make_episode(guid=GUID_A, title=title))
    result = run("list", "-C", workspace)
    assert result.exit_code == 0, result.stderr
    assert not any(ord(c) < 32 and c not in "\n" or 0x7f <= ord(c) < 0xa0
                   for c in result.stdout)
    assert "Bell nul esc[31m red" in result.stdout
