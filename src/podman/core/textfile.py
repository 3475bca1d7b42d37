"""Reading a producer's text file (notes, chapters, transcript) with one-line errors."""

from __future__ import annotations

from pathlib import Path

from podman.core.errors import BadInput


def read_text_file(path: Path, what: str, error: type[BadInput] = BadInput) -> str:
    """UTF-8 text (a BOM is dropped); `error` names the file and what it was meant to be."""
    try:
        return path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise error(f"{path}: no such {what} file") from None
    except UnicodeDecodeError:
        raise error(f"{path}: {what} file is not UTF-8 text") from None
    except OSError as e:
        raise error(f"{path}: cannot read {what} file ({e.strerror})") from None
