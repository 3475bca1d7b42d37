"""The description of methodology (IAB 5.5 asks for one), generated from what is configured."""

from __future__ import annotations

from podman.stats.agents import OpawgList, crawler_list_version
from podman.stats.config import StatsConfig

GUIDELINES = "IAB Tech Lab Podcast Technical Measurement Guidelines v2.3"


def methodology(cfg: StatsConfig, opawg: OpawgList | None = None) -> list[str]:
    """One paragraph per line: what counts, in which window, with which lists."""
    window = ("one download per IP address + user agent per episode per UTC calendar day "
              "(the calendar, fixed window of section 5.5.1)"
              if cfg.window == "calendar" else
              "one download per IP address + user agent per episode per rolling 24 hours "
              "that opens at the first request (the 'first touch' window of section 5.5.1)")
    agents = f"podman's own user-agent table and bot rules, crawler-user-agents " \
             f"{crawler_list_version()}"
    if opawg is not None and opawg.entries:
        agents += f", OPAWG user-agents v2 ({opawg.version or 'date unknown'})"
    dc = (f"data-centre networks from {cfg.datacenters.relative_to(cfg.root)}"
          if cfg.datacenters else "no data-centre list configured")
    allow = (f"; shared addresses allowed from {cfg.allow.relative_to(cfg.root)}"
             if cfg.allow else "")
    geo = cfg.store / "geo" / "country.mmdb"
    return [
        f"Downloads are counted from the producer's own access logs following the {GUIDELINES}.",
        "Only GET requests answered 200 or 206 count; HEAD, 304 and other statuses never do, "
        "nor 2-byte `bytes=0-1` probes (section 5.5.2, steps 1.2.6 and 1.3).",
        f"Requests are removed before counting, by reason: malformed or empty user agents; "
        f"Apple Watch duplicates (`atc/` with watchOS, `(null)/(null) watchOS`, section 8.1); "
        f"self-declared bots ({agents}); {dc}{allow}; and addresses that ask for more than "
        f"{cfg.volume_limit} episodes in one UTC day (section 5.5.2, step 1.2).",
        f"Bytes sent to one IP address + user agent for one episode are summed per window: "
        f"{window}. A window is a download when the bytes reach the episode's ID3 tag plus "
        f"one minute of audio at the file's average bitrate, or the whole file for episodes "
        f"under a minute (section 5.5.3). Overlapping ranges are summed as sent.",
        "IPv6 addresses are cut to their /64 network; every address is replaced at ingest by "
        "a keyed hash (the key stays in the workspace) after its country "
        + ("is looked up in the offline database fetched by `podman stats geo update`"
           if geo.is_file() else "would be looked up (no country database installed)")
        + "; raw addresses are never stored (section 5.5.4).",
        "Listeners are unique IP address + user agent pairs with at least one download in a "
        "calendar month (section 6.2). Log objects are read once; every report recounts all "
        "stored requests, so logs that arrive late are counted in their own days.",
    ]
