"""The check report: findings deduplicated in linear work, however many a feed produces."""

from __future__ import annotations

from podman.check.rules import Finding, error
from podman.workflows.lint import CheckReport


class CountingStr(str):
    """A str that counts how often it is compared for equality (all instances share one count)."""

    compared = 0

    def __eq__(self, other: object) -> bool:
        CountingStr.compared += 1
        return str.__eq__(self, other)

    __hash__ = str.__hash__


def findings(n: int) -> list[Finding]:
    return [error("item-title", CountingStr(f"item {i}"), "no title") for i in range(n)]


def test_report_keeps_each_finding_once_in_order() -> None:
    report = CheckReport()
    first, second = error("a", "channel", "x"), error("b", "channel", "y")
    report.add("feed.xml", [first, second, first])
    report.add("feed.xml", [second])
    report.add("other.xml", [first])
    assert report.findings == [("feed.xml", first), ("feed.xml", second), ("other.xml", first)]
    assert report.errors == 3 and report.warnings == 0


def test_adding_findings_is_linear_not_quadratic() -> None:
    """Finding 6: a membership test in a list compared every new finding with all earlier ones
    (n²/2 comparisons: 2/4/8 MB feeds took 5/19/77 s). Counted, not timed."""
    n = 4000
    batch = findings(n)
    CountingStr.compared = 0
    report = CheckReport()
    report.add("feed.xml", batch)
    report.add("feed.xml", batch)  # all duplicates: dropped
    assert len(report.findings) == n
    assert CountingStr.compared <= 4 * n, CountingStr.compared
