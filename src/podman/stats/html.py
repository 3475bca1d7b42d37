"""The report as one static page: inline SVG, no JavaScript, no third-party requests."""

from __future__ import annotations

import html
from pathlib import Path
from typing import Any

from podman.core.config import WorkspaceConfig
from podman.core.fsio import atomic_write
from podman.stats.config import StatsConfig

CSS = """
body{font:16px/1.45 system-ui,sans-serif;margin:0 auto;max-width:56rem;padding:1rem;color:#111}
h1{font-size:1.4rem}h2{font-size:1.1rem;margin-top:2rem}
table{border-collapse:collapse;width:100%;font-variant-numeric:tabular-nums;font-size:.9rem}
td,th{padding:.25rem .3rem;border-bottom:1px solid #ddd;text-align:right;white-space:nowrap}
td:first-child,th:first-child{text-align:left;white-space:normal;overflow-wrap:break-word;
min-width:6rem}
.wrap{overflow-x:auto}svg{width:100%;height:auto}.big{font-size:2rem;font-weight:700}
p.m{color:#444;font-size:.9rem}
"""


def _e(value: Any) -> str:
    return html.escape(str(value), quote=True)


def _bars(points: list[tuple[str, int]], label: str) -> str:
    """A bar chart of (label, value) as inline SVG with a title per bar."""
    if not points:
        return "<p>No downloads in this range.</p>"
    width, height = 600, 160
    top = max(v for _, v in points) or 1
    step = width / len(points)
    bars = []
    for i, (name, value) in enumerate(points):
        h = round(value / top * (height - 20), 1)
        bars.append(f'<rect x="{i * step:.1f}" y="{height - h:.1f}" width="{max(step - 1, 1):.1f}"'
                    f' height="{h}" fill="#3465a4"><title>{_e(name)}: {value}</title></rect>')
    return (f'<svg viewBox="0 0 {width} {height}" role="img" aria-label="{_e(label)}">'
            f'{"".join(bars)}<text x="0" y="12" font-size="12">{top}</text></svg>'
            f'<p class="m">{_e(points[0][0])} – {_e(points[-1][0])}</p>')


def _table(head: tuple[str, ...], rows: list[tuple[Any, ...]]) -> str:
    th = "".join(f"<th>{_e(h)}</th>" for h in head)
    body = "".join("<tr>" + "".join(f"<td>{_e('–' if c is None else c)}</td>" for c in row)
                   + "</tr>" for row in rows)
    return f'<div class="wrap"><table><tr>{th}</tr>{body}</table></div>'


def render_html(report: dict[str, Any]) -> str:
    title = f"Downloads{' – ' + report['show'] if report['show'] else ''}"
    episodes = [(e["title"], e["published"][:10], e["downloads"], e["by_age"]["1"],
                 e["by_age"]["7"], e["by_age"]["30"]) for e in report["episodes"]]
    f = report["funnel"]
    funnel = [("Requests", f["requests"]), ("GET 200/206", f["get_2xx"]),
              ("minus 0-1 probes", f["get_2xx"] - f["probes_0_1"]),
              ("for catalog episodes", f["episode_requests"])]
    funnel += [(f"minus {k.replace('_', ' ')}", v) for k, v in f["removed"].items()]
    funnel += [("listener requests", f["listener_requests"]),
               ("IP+UA windows", f["windows"]), ("below threshold", f["below_threshold"]),
               ("downloads", f["downloads"])]
    parts = [
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">",
        '<meta name="viewport" content="width=device-width,initial-scale=1">',
        f"<title>{_e(title)}</title><style>{CSS}</style></head><body>",
        f"<h1>{_e(title)}</h1><p><span class=\"big\">{report['downloads']}</span> downloads"
        f"{' since ' + _e(report['since']) if report['since'] else ''}"
        f"{' until ' + _e(report['until']) if report['until'] else ''}</p>",
        "<h2>Daily downloads</h2>",
        _bars([(d["day"], d["downloads"]) for d in report["daily"]], "daily downloads"),
        "<h2>Episodes</h2>",
        _table(("Episode", "Published", "All", "1 d", "7 d", "30 d"), episodes),
        "<h2>Apps</h2>", _table(("App", "Downloads"), list(report["apps"].items())),
        "<h2>Devices</h2>", _table(("Device", "Downloads"), list(report["devices"].items())),
        "<h2>Platforms</h2>",
        _table(("Platform", "Downloads"), list(report["platforms"].items())),
        "<h2>Countries</h2>",
        _table(("Country", "Downloads"), list(report["countries"].items())),
        "<h2>Listeners per month</h2>",
        _table(("Month", "Listeners"),
               [(m["month"], m["listeners"]) for m in report["listeners_by_month"]]),
        "<h2>From requests to downloads</h2>", _table(("Step", "Count"), funnel),
        "<h2>Methodology</h2>",
        "".join(f'<p class="m">{_e(p)}</p>' for p in report["methodology"]),
        "</body></html>\n",
    ]
    return "".join(parts)


def write_html(report: dict[str, Any], path: Path) -> None:
    atomic_write(path, render_html(report))


def publish_pages(ws: WorkspaceConfig, cfg: StatsConfig, report: dict[str, Any],
                  show: str | None) -> list[Path]:
    """`[stats] publish = true`: public/<show>/stats.html for the show reported on, or each."""
    from podman.stats.report import build_report

    written = []
    shows = [show] if show else sorted({e["show"] for e in report["episodes"]})
    for name in shows:
        page = report if show else build_report(ws, cfg, show=name)
        path = ws.public_dir / name / "stats.html"
        path.parent.mkdir(parents=True, exist_ok=True)
        write_html(page, path)
        written.append(path)
    return written
