"""Progress for long work: a tqdm bar on a terminal; no bar and no carriage returns in CI logs."""

from __future__ import annotations

import sys
from typing import Any


class ByteProgress:
    """Called with byte counts as they are sent; `done()` once the store has succeeded.

    Sending every byte is not storing them (a read-only key is refused after the body went
    out), so the "stored" line comes from `done()` only, never from the count reaching total."""

    def __init__(self, label: str, total: int) -> None:
        self.label, self.total = label, total
        self.bar: Any = None
        if sys.stderr.isatty():
            from tqdm import tqdm

            self.bar = tqdm(total=total, unit="B", unit_scale=True, unit_divisor=1024,
                            desc=label, file=sys.stderr, leave=False)

    def __call__(self, n: int) -> None:
        if self.bar is not None:
            self.bar.update(n)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
            self.bar = None

    def done(self) -> None:
        self.close()
        print(f"{self.label}: {self.total} bytes stored", file=sys.stderr)


def byte_progress(label: str, total: int) -> ByteProgress:
    """A progress for one upload of `total` bytes labelled `label`."""
    return ByteProgress(label, total)
