"""The whole back catalogue: RFC 5005 pages (`rel="next"`, `prev-archive`) and saved older copies
merged by GUID, in document order, with a warning when the item count looks capped."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from podman.core.errors import PodmanError
from podman.importer.reader import SourceFeed, SourceItem

MAX_PAGES = 1000
CAPS = (50, 100, 200, 250, 300, 500)  # item limits hosts apply to their feeds


@dataclass
class Catalogue:
    items: list[SourceItem] = field(default_factory=list)  # unique by key, document order
    duplicates: list[tuple[SourceItem, SourceItem]] = field(default_factory=list)  # (dup, kept)
    pages: list[str] = field(default_factory=list)  # page URLs read after the first
    extra: list[str] = field(default_factory=list)  # --extra-source feeds merged
    warnings: list[str] = field(default_factory=list)


def _merge(cat: Catalogue, seen: dict[str, SourceItem], items: list[SourceItem], offset: int,
           *, keep_duplicates: bool) -> int:
    """Add the items not seen yet; positions count every item read, in document order."""
    added = 0
    for item in items:
        item.position += offset
        key = item.key
        # apps skip an item without audio before they compare GUIDs: one that repeats such an
        # item's GUID with audio is the episode, kept (the other is dropped as audio-less)
        if key and key in seen and (seen[key].enclosure_url or not item.enclosure_url):
            if keep_duplicates:
                cat.duplicates.append((item, seen[key]))
            continue
        if key:
            seen[key] = item
        cat.items.append(item)
        added += 1
    return added


def collect(first: SourceFeed, load_page: Callable[[str], SourceFeed],
            extra: list[SourceFeed] = ()) -> Catalogue:
    """Items of the first page, then every later page, then the extra sources' missing items.

    A duplicate GUID inside the old feed is recorded (apps keep the first); one that a later
    page or an extra source repeats is the same episode and merges silently."""
    cat = Catalogue()
    seen: dict[str, SourceItem] = {}
    _merge(cat, seen, first.items, 0, keep_duplicates=True)
    offset = len(first.items)
    visited = {first.source, first.self_url}
    url = first.next_url or first.prev_archive_url
    while url and url not in visited:
        if len(cat.pages) >= MAX_PAGES:
            cat.warnings.append(f"stopped after {MAX_PAGES} pages")
            break
        visited.add(url)
        try:
            page = load_page(url)
        except PodmanError as exc:
            cat.warnings.append(f"page {url} could not be read ({exc.message}); the back "
                                "catalogue may be incomplete")
            break
        cat.pages.append(url)
        _merge(cat, seen, page.items, offset, keep_duplicates=False)
        offset += len(page.items)
        url = page.next_url or page.prev_archive_url
    for feed in extra:
        added = _merge(cat, seen, feed.items, offset, keep_duplicates=False)
        offset += len(feed.items)
        cat.extra.append(f"{feed.source}: {added} more item(s)")
    cat.warnings.extend(truncation(first, cat.items))
    return cat


def truncation(first: SourceFeed, items: list[SourceItem]) -> list[str]:
    """Signs that the host cut the feed: a round item count, episode numbers above the count."""
    out = []
    count = len(first.items)
    if count in CAPS and not (first.next_url or first.prev_archive_url):
        out.append(f"the feed has exactly {count} items, a limit hosts apply: older episodes "
                   "may be missing (add a saved copy with --extra-source)")
    numbers = [i.episode for i in items if i.episode]
    if numbers and max(numbers) > len(items):
        out.append(f"episode numbers go up to {max(numbers)} but there are {len(items)} "
                   "items: older episodes may be missing (add a saved copy with --extra-source)")
    return out
