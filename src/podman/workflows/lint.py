"""`podman check`: lint the built feeds of a workspace, guard published identity, probe hosting."""

from __future__ import annotations

import subprocess
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from podman.catalog.episodes import parse_episode
from podman.check.feed import (
    FeedIdentity,
    Finding,
    check_feed,
    check_feed_source,
    feed_identity,
    identity_findings,
    online_findings,
)
from podman.check.rules import XML_ERRORS, FeedDoc, built_by_podman, leveled
from podman.core.categories import validate_categories
from podman.core.config import WorkspaceConfig, load_show
from podman.core.errors import CatalogError, PodmanError
from podman.workflows.build import ShowCatalog, load_catalog

ITUNES = "{http://www.itunes.com/dtds/podcast-1.0.dtd}"


@dataclass
class CheckReport:
    findings: list[tuple[str, Finding]] = field(default_factory=list)  # (source, finding)
    checked: int = 0
    _seen: set[tuple[str, Finding]] = field(default_factory=set, repr=False, compare=False)

    @property
    def errors(self) -> int:
        return sum(1 for _, f in self.findings if f.level == "error")

    @property
    def warnings(self) -> int:
        return sum(1 for _, f in self.findings if f.level == "warning")

    def make_strict(self) -> None:
        """`--strict`: every warning becomes an error."""
        self.findings = [(src, f) for src, f in self.findings
                         for f in leveled([f], foreign=False, strict=True)]

    def add(self, source: str, findings: list[Finding]) -> None:
        """Each (source, finding) once, in first-seen order; a set keeps this linear (a list
        membership test made a feed with many findings quadratic)."""
        for finding in findings:
            entry = (source, finding)
            if entry not in self._seen:
                self._seen.add(entry)
                self.findings.append(entry)


def hosted_urls(xml: bytes, feed_url: str | None) -> list[tuple[str, str, int | None, str | None]]:
    """(what, url, length, type) to probe online: the feed, its artwork, every enclosure."""
    root = ET.fromstring(xml)
    channel = root.find("channel")
    out: list[tuple[str, str, int | None, str | None]] = []
    if feed_url:
        out.append(("feed", feed_url, None, None))
    if channel is None:
        return out
    image = channel.find(f"{ITUNES}image")
    if image is not None and image.get("href"):
        out.append(("artwork", image.get("href", ""), None, None))
    for item in channel.findall("item"):
        enc = item.find("enclosure")
        if enc is None or not enc.get("url"):
            continue
        length = enc.get("length", "")
        size = int(length) if length.isascii() and length.isdigit() else None  # not "²"
        out.append((f"enclosure {(item.findtext('guid') or '').strip()}", enc.get("url", ""),
                    size, enc.get("type")))
    return out


def check_source(source: str, *, online: bool = False, strict: bool = False) -> CheckReport:
    """`podman check FEED`: any feed file or URL, without the workspace rules. A feed podman
    did not build (its <generator> does not name podman) gets house rules as warnings."""
    xml = check_feed_source(source)
    report = CheckReport(checked=1)
    name = source if "://" in source else Path(source).name
    findings = check_feed(xml, source=source)
    if online:
        url = source if source.startswith(("http://", "https://")) else None
        findings += online_findings(_safe_urls(xml, url))
    report.add(name, leveled(findings, foreign=is_foreign(xml), strict=strict))
    return report


def is_foreign(xml: bytes) -> bool:
    """True unless the feed parses and its <generator> names podman."""
    try:
        return not built_by_podman(FeedDoc(xml))
    except XML_ERRORS:
        return True


def _safe_urls(xml: bytes, feed_url: str | None) -> list:
    try:
        return hosted_urls(xml, feed_url)
    except XML_ERRORS:
        return []


# -- identity --------------------------------------------------------------------------------

def _git(root: Path, *args: str, stdin: bytes | None = None) -> bytes | None:
    try:
        done = subprocess.run(["git", *args], cwd=root, capture_output=True, check=False,
                              timeout=60, input=stdin)
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout if done.returncode == 0 else None


def _head_blobs(root: Path, paths: list[str]) -> dict[str, bytes]:
    """Files as committed in HEAD, read through ONE `git cat-file --batch` (not a process per
    episode: a show has thousands)."""
    if not paths:
        return {}
    out = _git(root, "cat-file", "--batch",
               stdin="".join(f"HEAD:{p}\n" for p in paths).encode("utf-8"))
    blobs: dict[str, bytes] = {}
    pos = 0
    for path in paths:
        if out is None:
            break
        end = out.find(b"\n", pos)
        header = out[pos:end].split()
        pos = end + 1
        if len(header) != 3:  # "<name> missing"
            continue
        size = int(header[2])
        blobs[path] = out[pos:pos + size]
        pos += size + 1
    return blobs


def head_identity(ws: WorkspaceConfig, cat: ShowCatalog) -> tuple[FeedIdentity, str | None]:
    """What the last commit published: its episode files (guid -> enclosure URL), its feed if
    committed, and show.toml's podcast_guid."""
    import tomllib

    items: dict[str, str] = {}
    slug = cat.show.slug
    listing = _git(ws.root, "ls-tree", "--name-only", "HEAD", f"feeds/{slug}/episodes/") or b""
    names = [n for n in listing.decode("utf-8", "replace").splitlines() if n.endswith(".md")]
    feed_path, show_path = f"public/{slug}/feed.xml", f"feeds/{slug}/show.toml"
    blobs = _head_blobs(ws.root, [feed_path, show_path, *names])
    if blobs.get(feed_path):
        try:
            items.update(feed_identity(blobs[feed_path]).items)
        except PodmanError:
            pass
    for name in names:
        try:
            ep = parse_episode(blobs.get(name, b"").decode("utf-8"), show=slug,
                               slug=Path(name).stem, source=f"HEAD:{name}")
        except (CatalogError, UnicodeDecodeError):
            continue
        if ep.status == "published":
            items.setdefault(ep.guid.strip(), ws.media_url(ep.audio.key))
    old_pg = None
    if blobs.get(show_path):
        try:
            old_pg = tomllib.loads(blobs[show_path].decode("utf-8")).get("podcast_guid")
        except (tomllib.TOMLDecodeError, UnicodeDecodeError):
            old_pg = None
    inverse: dict[str, str] = {}
    for guid, url in items.items():
        inverse.setdefault(url, guid)
    return FeedIdentity(old_pg, items, inverse), old_pg


def disk_identity(ws: WorkspaceConfig, slug: str) -> FeedIdentity | None:
    """The feed currently in public/ (feed-full.xml when archives split it), before rebuilding."""
    folder = ws.public_dir / slug
    files = [folder / "feed-full.xml"] if (folder / "feed-full.xml").is_file() else [
        folder / "feed.xml", *sorted((folder / "archive").glob("*.xml"))]
    items: dict[str, str] = {}
    podcast_guid = None
    for path in files:
        try:
            ident = feed_identity(path.read_bytes())
        except (OSError, PodmanError):
            continue
        podcast_guid = podcast_guid or ident.podcast_guid
        for guid, url in ident.items.items():
            items.setdefault(guid, url)
    if not items and podcast_guid is None:
        return None
    inverse: dict[str, str] = {}
    for guid, url in items.items():
        inverse.setdefault(url, guid)
    return FeedIdentity(podcast_guid, items, inverse)


def soften_replaced(findings: list[Finding], cat: ShowCatalog) -> list[Finding]:
    """A changed enclosure URL is an error, unless the episode records `audio_replaced`
    (a deliberate re-upload under the same GUID): then a warning."""
    from dataclasses import replace

    replaced = {f"item {ep.guid}" for ep in cat.episodes if ep.extra.get("audio_replaced")}
    return [replace(f, level="warning")
            if f.rule == "identity-enclosure-changed" and f.where in replaced else f
            for f in findings]


def identity_report(ws: WorkspaceConfig, cat: ShowCatalog, report: CheckReport) -> None:
    new_items = {ep.guid.strip(): ws.media_url(ep.audio.key)  # GUIDs compare trimmed
                 for ep in cat.episodes if ep.status == "published"}
    slug = cat.show.slug
    disk = disk_identity(ws, slug)
    if disk is not None:
        report.add(f"public/{slug}/feed.xml", soften_replaced(
            identity_findings(disk, new_items, None, cat.show.podcast_guid), cat))
    if _git(ws.root, "rev-parse", "--verify", "-q", "HEAD") is not None:
        head, old_pg = head_identity(ws, cat)
        report.add("HEAD", soften_replaced(
            identity_findings(head, new_items, old_pg, cat.show.podcast_guid), cat))


# -- the workspace ---------------------------------------------------------------------------

def check_workspace(ws: WorkspaceConfig, *, show: str | None = None, online: bool = False,
                    now: datetime | None = None, strict: bool = False) -> CheckReport:
    """Lint every show's built feed (and archive pages), its show.toml categories, identity."""
    from podman.check.loudness import loudness_finding
    from podman.check.rules import error

    report = CheckReport()
    base = ws.publish.base_url.rstrip("/") + "/"

    def resolve(url: str) -> Path | None:
        return ws.public_dir / url[len(base):] if url.startswith(base) else None

    for cat in load_catalog(ws, show, validate=False):
        slug = cat.show.slug
        report.add(f"feeds/{slug}/show.toml", [
            error("itunes-category", "channel", problem, "use Apple's exact category names")
            for problem in validate_categories(load_show(cat.dir).categories)])
        for ep in cat.episodes:
            finding = loudness_finding(ep, ws.audio.target_i, ws.audio.target_tp)
            if finding is not None:
                report.add(f"feeds/{slug}/episodes/{ep.slug}.md", [finding])
        feed_path = ws.public_dir / slug / "feed.xml"
        if not feed_path.is_file():
            report.add(f"public/{slug}/feed.xml", [error(
                "not-built", "feed", "no feed has been built", "run `podman build` first")])
            continue
        for path in [feed_path, *sorted((feed_path.parent / "archive").glob("*.xml"))]:
            xml = path.read_bytes()
            source = str(path.relative_to(ws.public_dir))
            report.checked += 1
            report.add(source, check_feed(xml, source=source, artwork_path_resolver=resolve,
                                          now=now))
            if online and path == feed_path:
                report.add(source, online_findings(_safe_urls(xml, ws.feed_url(slug))))
        identity_report(ws, cat, report)
    if strict:
        report.make_strict()
    return report
