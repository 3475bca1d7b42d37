"""The loudness rule: an episode whose recorded `[loudness]` is outside the published window."""

from __future__ import annotations

from podman.audio.loudness import WINDOW_LU, misses
from podman.check.rules import Finding, warning
from podman.core.models import Episode

RULE = "loudness-window"


def loudness_finding(ep: Episode, target_i: float, target_tp: float) -> Finding | None:
    """A warning when the stored file's recorded measurement misses the target it was made
    for (the table's own target_i/target_tp, else the workspace's [audio] targets).

    Episodes without a `[loudness]` table were not normalised and are not judged."""
    table = ep.extra.get("loudness")
    if not isinstance(table, dict) or "output_i" not in table:
        return None
    where = f"item {ep.guid}"
    try:
        integrated = float(table["output_i"])
        peak = float(table.get("output_tp", target_tp))
        target_i = float(table.get("target_i", target_i))
        target_tp = float(table.get("target_tp", target_tp))
    except (TypeError, ValueError):
        return warning(RULE, where, "the [loudness] table has a value that is not a number",
                       "re-add the audio with --normalize, or fix the table")
    problem = misses(integrated, peak, target_i, target_tp)
    if problem is None:
        return None
    return warning(RULE, where, f"stored audio measures {problem}",
                   f"re-add the source with --normalize: it lands within ±{WINDOW_LU:g} LU, "
                   f"at or below {target_tp:g} dBTP")
