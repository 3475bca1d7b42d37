"""Progress for long work: a tqdm bar on a terminal; no bar and no carriage returns in CI logs."""

from __future__ import annotations

import sys
from collections.abc import Callable


def byte_progress(label: str, total: int) -> Callable[[int], None]:
    """A callback taking byte counts: tqdm (bytes, rate, ETA) on a TTY, else one line at the end."""
    if not sys.stderr.isatty():
        done = [0]

        def plain(n: int) -> None:
            done[0] += n
            if done[0] >= total:
                print(f"{label}: {total} bytes stored", file=sys.stderr)

        return plain
    from tqdm import tqdm

    bar = tqdm(total=total, unit="B", unit_scale=True, unit_divisor=1024, desc=label,
               file=sys.stderr, leave=False)

    def update(n: int) -> None:
        bar.update(n)
        if bar.n >= total:
            bar.close()

    return update
