"""`podman stats`: the report (per episode, by age, trend, apps, countries, funnel) as a dict."""

from __future__ import annotations

import statistics
from datetime import UTC, datetime, timedelta
from functools import cache
from typing import Any

from podman.core.config import WorkspaceConfig
from podman.core.errors import BadInput
from podman.stats import engine
from podman.stats.agents import REASONS, OpawgList, classify
from podman.stats.config import StatsConfig
from podman.stats.episodes import catalog_facts, map_paths
from podman.stats.methodology import methodology
from podman.stats.store import Store

AGES = (1, 3, 7, 30, 90)
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
FAR = datetime(9999, 1, 1, tzinfo=UTC)
NOT_GET_2XX = ("head", "other_method", "not_modified", "not_2xx")


def opawg(cfg: StatsConfig) -> OpawgList | None:
    folder = cfg.store / "agents"
    return OpawgList(folder) if folder.is_dir() else None


def build_report(ws: WorkspaceConfig, cfg: StatsConfig, *, show: str | None = None,
                 since: datetime | None = None, until: datetime | None = None,
                 now: datetime | None = None) -> dict[str, Any]:
    now = now or datetime.now(UTC)
    if show is not None and not (ws.feeds_dir / show / "show.toml").is_file():
        raise BadInput(f"--show {show!r}: no such show in {ws.feeds_dir}")
    all_facts = catalog_facts(ws)
    facts = [f for f in all_facts if show is None or f.show == show]
    ua_list = opawg(cfg)
    classify_ua = cache(lambda ua: classify(ua, ua_list))
    settings = engine.Settings(cfg.window, cfg.volume_limit, cfg.unknown_agent_min,
                               since or EPOCH, until or FAR)
    # paths map against the whole catalog: another show's object is left out, not "unknown"
    rows = engine.run(Store(cfg.store), facts, classify_ua,
                      lambda paths: map_paths(paths, all_facts), settings)
    ages = {r[0]: r[1:] for r in rows["episodes"]}
    horizon = min(now, until) if until else now
    episodes = []
    for f in sorted(facts, key=lambda f: (f.published, f.slug), reverse=True):
        counts = ages.get(f.guid, (0,) * (len(AGES) + 1))
        by_age = {}
        for age, value in zip(AGES, counts[1:], strict=True):
            reached = f.published + timedelta(days=age) <= horizon
            by_age[str(age)] = int(value or 0) if reached else None
        episodes.append({"show": f.show, "guid": f.guid, "slug": f.slug, "title": f.title,
                         "published": f.published.strftime("%Y-%m-%dT%H:%M:%SZ"),
                         "downloads": int(counts[0] or 0), "by_age": by_age,
                         "threshold_bytes": f.threshold})
    median = {}
    for age in AGES:
        values = [e["by_age"][str(age)] for e in episodes if e["by_age"][str(age)] is not None]
        median[str(age)] = statistics.median(values) if values else None
    for e in episodes:
        e["show_median_at_age"] = {k: median[k] for k, v in e["by_age"].items()
                                   if v is not None}
    apps: dict[str, int] = {}
    devices: dict[str, int] = {}
    platforms: dict[str, int] = {}
    for app, device, platform, n in rows["agents"]:
        apps[app or "Unknown"] = apps.get(app or "Unknown", 0) + n
        devices[device or "unknown"] = devices.get(device or "unknown", 0) + n
        platforms[platform or "unknown"] = platforms.get(platform or "unknown", 0) + n
    stages = dict(rows["funnel"])
    total = sum(episode["downloads"] for episode in episodes)
    funnel = _funnel(stages)
    return {
        "show": show,
        "since": since.strftime("%Y-%m-%d") if since else None,
        "until": until.strftime("%Y-%m-%d") if until else None,
        "downloads": total,
        "episodes": episodes,
        "show_median_by_age": median,
        "daily": [{"day": d.isoformat(), "downloads": n} for d, n in rows["daily"]],
        "apps": _sorted(apps), "devices": _sorted(devices), "platforms": _sorted(platforms),
        "countries": _sorted({c or "unknown": n for c, n in rows["countries"]}),
        "listeners_by_month": [{"month": m.strftime("%Y-%m"), "listeners": n}
                               for m, n in rows["listeners"]],
        "funnel": funnel,
        "unknown_agents": [{"ua": ua, "requests": n} for ua, n in rows["unknown_agents"]],
        "unmatched_objects": [{"path": p, "requests": n} for p, n in rows["unmatched"]],
        "ingest": ingest_summary(cfg),
        "methodology": methodology(cfg, ua_list),
    }


def _sorted(counts: dict[str, int]) -> dict[str, int]:
    return dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))


def _funnel(stages: dict[str, int]) -> dict[str, Any]:
    requests = sum(n for s, n in stages.items() if s not in ("downloads", "below_threshold"))
    not_ok = {s: stages.get(s, 0) for s in NOT_GET_2XX}
    get_2xx = requests - sum(not_ok.values())
    probes = stages.get("probe", 0)
    unknown = stages.get("unknown_object", 0)
    removed = {r: stages.get(r, 0) for r in REASONS}
    return {
        "requests": requests,
        "not_get_2xx": not_ok,
        "get_2xx": get_2xx,
        "probes_0_1": probes,
        "unknown_objects": unknown,
        "episode_requests": get_2xx - probes - unknown,
        "removed": removed,
        "listener_requests": stages.get("ok", 0),
        "windows": stages.get("below_threshold", 0) + stages.get("downloads", 0),
        "below_threshold": stages.get("below_threshold", 0),
        "downloads": stages.get("downloads", 0),
    }


def ingest_summary(cfg: StatsConfig) -> dict[str, Any]:
    state = Store(cfg.store).state()
    problems = [{"log": i.name, "bad_lines": i.bad, "first_bad": i.first_bad,
                 "truncated": i.truncated} for i in state.values() if i.bad or i.truncated]
    return {"logs": len(state), "lines": sum(i.lines for i in state.values()),
            "requests": sum(i.requests for i in state.values()),
            "bad_lines": sum(i.bad for i in state.values()),
            "truncated_logs": sum(1 for i in state.values() if i.truncated),
            "problems": problems}
