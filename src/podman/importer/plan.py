"""The import plan: what the old feed holds and what an import would do, before anything is written.

Counts, GUID-less and duplicate-GUID items, enclosure-less items, lock and block state, signs of
truncation and of dynamically inserted ads, tracking-prefix chains, repairs made while reading.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from podman.importer.boilerplate import find_boilerplate
from podman.importer.fetch import prefix_chain, unwrapped
from podman.importer.pages import Catalogue
from podman.importer.reader import DYNAMIC_AD_HOSTS, SourceFeed, SourceItem


@dataclass
class Plan:
    source: str
    final_url: str
    feed_url: str  # the old feed's URL as the directories know it ("" when unknown)
    title: str
    show: str
    sync: bool  # the show exists and came from this feed
    items: int
    to_import: list[SourceItem] = field(default_factory=list)
    existing: int = 0
    hops: list[str] = field(default_factory=list)
    pages: list[str] = field(default_factory=list)
    extra: list[str] = field(default_factory=list)
    guidless: list[int] = field(default_factory=list)
    duplicates: list[tuple[int, int, str]] = field(default_factory=list)  # (pos, kept pos, guid)
    no_enclosure: list[int] = field(default_factory=list)
    podcast_guid: str = ""
    podcast_guid_source: str = ""  # "feed", "old feed URL", "new feed URL"
    locked: bool = False
    locked_owner: str = ""
    block: bool = False
    new_feed_url: str = ""
    refusal: str = ""  # why the import is refused ("" when it may go ahead)
    dynamic_ads: list[str] = field(default_factory=list)
    tracking: dict[str, int] = field(default_factory=dict)  # "podtrac.com > chrt.fm" -> items
    chapters: int = 0
    transcripts: int = 0
    dead_urls: list[str] = field(default_factory=list)
    repairs: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    observations: list[str] = field(default_factory=list)  # facts of the old feed worth knowing

    @property
    def quirks(self) -> list[str]:
        """One line per quirk of the old feed, for the report and the tests."""
        q = []
        if self.guidless:
            q.append(f"{len(self.guidless)} item(s) without a GUID: their enclosure URL becomes "
                     f"the GUID (items {_positions(self.guidless)})")
        if self.duplicates:
            q.append(f"{len(self.duplicates)} item(s) repeat an earlier GUID and are left out "
                     f"(items {_positions([d[0] for d in self.duplicates])})")
        if self.no_enclosure:
            q.append(f"{len(self.no_enclosure)} item(s) without an enclosure are left out "
                     f"(items {_positions(self.no_enclosure)})")
        if self.locked:
            q.append(f"podcast:locked is yes (owner {self.locked_owner or 'not named'})")
        if self.block:
            q.append("itunes:block is yes: the show is hidden from Apple Podcasts")
        if self.new_feed_url:
            q.append(f"itunes:new-feed-url names {self.new_feed_url}")
        for chain, count in sorted(self.tracking.items()):
            q.append(f"tracking prefixes on {count} enclosure(s): {chain}")
        q.extend(self.dynamic_ads)
        q.extend(self.observations)
        q.extend(f"repair: {r}" for r in self.repairs)
        q.extend(f"warning: {w}" for w in self.warnings)
        q.extend(f"dead: {u}" for u in self.dead_urls)
        return q

    def lines(self) -> list[str]:
        head = [
            f"source     {self.source}" + (f" -> {self.final_url}"
                                           if self.final_url not in ("", self.source) else ""),
            f"show       {self.show} ({'sync' if self.sync else 'new'}): {self.title}",
            f"items      {self.items} in the old feed, {len(self.to_import)} to import, "
            f"{self.existing} already here",
            f"guid       {self.podcast_guid} ({self.podcast_guid_source})",
            f"extras     {self.chapters} with chapters, {self.transcripts} with transcripts",
        ]
        head += [f"redirect   {h}" for h in self.hops]
        head += [f"page       {p}" for p in self.pages]
        head += [f"merged     {e}" for e in self.extra]
        head += [f"quirk      {q}" for q in self.quirks]
        if self.refusal:
            head.append(f"refused    {self.refusal}")
        return head

    def to_json(self) -> dict[str, Any]:
        return {
            "source": self.source, "final_url": self.final_url, "feed_url": self.feed_url,
            "title": self.title, "show": self.show, "sync": self.sync, "items": self.items,
            "to_import": len(self.to_import), "existing": self.existing,
            "redirects": self.hops, "pages": self.pages, "extra_sources": self.extra,
            "guidless": self.guidless,
            "duplicate_guids": [{"item": p, "same_as": k, "guid": g}
                                for p, k, g in self.duplicates],
            "no_enclosure": self.no_enclosure, "podcast_guid": self.podcast_guid,
            "podcast_guid_source": self.podcast_guid_source, "locked": self.locked,
            "locked_owner": self.locked_owner, "block": self.block,
            "new_feed_url": self.new_feed_url, "refusal": self.refusal,
            "dynamic_ads": self.dynamic_ads, "tracking": self.tracking,
            "chapters": self.chapters, "transcripts": self.transcripts,
            "dead_urls": self.dead_urls, "repairs": self.repairs, "warnings": self.warnings,
            "quirks": self.quirks,
        }


def _positions(numbers: list[int], limit: int = 8) -> str:
    shown = ", ".join(str(n) for n in numbers[:limit])
    return shown + (f" and {len(numbers) - limit} more" if len(numbers) > limit else "")


def dynamic_ad_signs(items: list[SourceItem], extra_hosts: tuple[str, ...] = ()) -> list[str]:
    """Hosts that insert ads per download make every fetch differ: lengths and hashes lie."""
    hosts: Counter[str] = Counter()
    zero = 0
    for item in items:
        if not item.enclosure_url:
            continue
        host = (urlsplit(unwrapped(item.enclosure_url, extra_hosts)).hostname or "").lower()
        for known in DYNAMIC_AD_HOSTS:
            if host == known or host.endswith("." + known):
                hosts[known] += 1
        if (item.enclosure_length or "").strip() in ("", "0"):
            zero += 1
    out = [f"dynamic-ad suspicion: {n} enclosure(s) on {h}, a host that can insert ads per "
           "download (the downloaded audio may carry ads)" for h, n in sorted(hosts.items())]
    if zero:
        out.append(f"{zero} enclosure(s) claim length 0 or none (typical of dynamic ad "
                   "insertion); the length is measured from the download")
    return out


def tracking_chains(items: list[SourceItem], extra_hosts: tuple[str, ...] = ()) -> dict[str, int]:
    chains: Counter[str] = Counter()
    for item in items:
        if item.enclosure_url:
            chain = prefix_chain(item.enclosure_url, extra_hosts)
            if chain:
                chains[" > ".join(chain)] += 1
    return dict(chains)


def make_plan(*, first: SourceFeed, cat: Catalogue, source: str, final_url: str,
              feed_url: str, hops: list[str], show: str, sync: bool, existing: set[str],
              podcast_guid: str, podcast_guid_source: str,
              extra_hosts: tuple[str, ...] = ()) -> Plan:
    plan = Plan(source=source, final_url=final_url, feed_url=feed_url, title=first.title,
                show=show, sync=sync, items=len(cat.items) + len(cat.duplicates), hops=hops,
                pages=cat.pages, extra=cat.extra, podcast_guid=podcast_guid,
                podcast_guid_source=podcast_guid_source, locked=first.locked,
                locked_owner=first.locked_owner, block=first.block,
                new_feed_url=first.new_feed_url)
    plan.guidless = [i.position for i in cat.items if i.guid is None]
    plan.duplicates = [(d.position, k.position, (d.guid or "").strip())
                       for d, k in cat.duplicates]
    plan.no_enclosure = [i.position for i in cat.items if not i.enclosure_url]
    for item in cat.items:
        if not item.enclosure_url:
            continue
        if item.key in existing:
            plan.existing += 1
        else:
            plan.to_import.append(item)
    plan.dynamic_ads = dynamic_ad_signs(cat.items, extra_hosts)
    plan.tracking = tracking_chains(cat.items, extra_hosts)
    plan.chapters = sum(1 for i in cat.items if i.chapters_url or i.psc)
    plan.transcripts = sum(1 for i in cat.items if i.transcripts)
    plan.repairs = list(first.repairs)
    repaired = Counter(r for i in cat.items for r in i.repairs)
    plan.repairs += [f"{r} ({n} item(s))" for r, n in sorted(repaired.items())]
    plan.warnings = list(cat.warnings)
    plan.observations = observations(cat.items)
    if first.not_kept:
        plan.observations.append("not carried over: " + ", ".join(
            f"{tag} ({n})" for tag, n in first.not_kept.items()))
    return plan


def _duration_form(raw: str) -> str:
    parts = raw.strip().split(":")
    if len(parts) == 1:
        return "seconds"
    if len(parts) == 2:
        return "MMM:SS" if len(parts[0]) > 2 or int(parts[0] or 0) > 59 else "M:SS"
    return "H:MM:SS"


def observations(items: list[SourceItem]) -> list[str]:
    """What the old feed does that an import keeps as it is (and apps must cope with)."""
    out = []
    dates = Counter(i.published for i in items if i.published)
    shared = sum(n for n in dates.values() if n > 1)
    if shared:
        out.append(f"{shared} items share a pubDate with another: their old document order is "
                   "kept")
    zones = Counter(i.pub_date_raw.strip().rsplit(None, 1)[-1] for i in items
                    if i.pub_date_raw and i.pub_date_raw.strip()
                    and i.pub_date_raw.strip().rsplit(None, 1)[-1].isalpha())
    if zones:
        names = ", ".join(f"{z} ({n})" for z, n in sorted(zones.items()))
        out.append(f"pubDate zone names: {names}; each kept as the same instant")
    same = sum(1 for i in items if i.guid and i.enclosure_url and i.guid.strip() ==
               i.enclosure_url)
    if same:
        out.append(f"{same} GUID(s) equal the enclosure URL: kept verbatim, never re-derived "
                   "from a new URL")
    permalink = sum(1 for i in items if i.guid and i.guid_permalink)
    if permalink:
        out.append(f"{permalink} GUID(s) are permalinks (isPermaLink true or absent): kept so")
    forms = Counter(_duration_form(i.duration_raw) for i in items
                    if i.duration_raw and i.duration_claim is not None)
    if forms:
        out.append("itunes:duration written as " + ", ".join(
            f"{f} ({n})" for f, n in sorted(forms.items())))
    bad = sum(1 for i in items if i.duration_raw and i.duration_claim is None)
    missing = sum(1 for i in items if i.enclosure_url and not i.duration_raw)
    if bad or missing:
        out.append(f"itunes:duration unreadable on {bad} and missing on {missing} item(s)")
    busted = sum(1 for i in items if i.enclosure_url
                 and any(p in i.enclosure_url for p in ("?updated=", "&updated=")))
    if busted:
        out.append(f"{busted} enclosure URL(s) carry a cache-busting ?updated= query (apps that "
                   "key on the URL see such items as new)")
    odd = sum(1 for i in items if i.enclosure_url
              and not i.enclosure_url.lower().startswith(("http://", "https://")))
    if odd:
        out.append(f"{odd} enclosure URL(s) are not http(s): those items will fail")
    footers: Counter[str] = Counter(h for i in items for h in find_boilerplate(i.notes))
    if footers:
        hosts = ", ".join(f"{h} ({n})" for h, n in sorted(footers.items()))
        out.append(f"host boilerplate in the notes: {hosts}; kept unless --strip-boilerplate")
    blocked = sum(1 for i in items if i.block)
    if blocked:
        out.append(f"{blocked} item(s) carry itunes:block yes: kept hidden from Apple")
    return out
