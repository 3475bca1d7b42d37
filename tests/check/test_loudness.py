"""The loudness-window rule on recorded [loudness] tables (no audio needed)."""

from __future__ import annotations

from pathlib import Path

import pytest

from podman.check.loudness import RULE, loudness_finding
from tests.fixtures.cli import make_episode

GUID = "5f0c8d0e-2a47-4c43-9a5e-6f3c2b1f7e10"


def episode(table: dict | None):
    return make_episode(guid=GUID, extra={} if table is None else {"loudness": table})


@pytest.mark.parametrize(
    ("table", "problem"),
    [
        (None, None),  # not normalised: not judged
        ({"input_i": -30.0}, None),  # no measurement of the stored file
        ({"output_i": -16.5, "output_tp": -1.0, "target_i": -16.0, "target_tp": -1.0}, None),
        ({"output_i": -15.5, "output_tp": -2.0}, None),  # workspace targets apply
        ({"output_i": -17.13, "output_tp": -1.4, "input_i": -30.0, "target_i": -16.0,
          "target_tp": -1.0}, "-17.1 LUFS integrated, not -16 ± 0.5"),  # before this rule
        ({"output_i": -16.0, "output_tp": -0.6}, "true peak -0.6 dBTP above the -1 dBTP"),
        ({"output_i": -19.2, "output_tp": -3.0, "target_i": -19.0, "target_tp": -2.0}, None),
        ({"output_i": -16.0, "output_tp": -1.5, "target_tp": -2.0}, "true peak -1.5 dBTP"),
        ({"output_i": "loud", "output_tp": -1.5}, "not a number"),
    ],
)
def test_loudness_finding(table, problem) -> None:
    finding = loudness_finding(episode(table), -16.0, -1.0)
    if problem is None:
        assert finding is None
        return
    assert finding is not None and finding.rule == RULE and finding.level == "warning"
    assert finding.where == f"item {GUID}" and problem in finding.message
    assert "--normalize" in finding.fix


def test_rule_is_documented() -> None:
    rules = Path(__file__).resolve().parents[2] / "docs" / "feed-rules.md"
    assert f"| `{RULE}` | warning |" in rules.read_text(encoding="utf-8")
