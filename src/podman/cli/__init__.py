"""The `podman` entry point, which starts in milliseconds.

`podman --help` and `podman --version` are answered from the command table (`cli/table.py`)
without importing click or any other podman module (tests/cli/test_cli.py proves the text equals
click's); every other invocation goes to the click group in `cli/group.py`, which imports a
command's module only when that command runs. A new command is a module in this package plus
one line in `table.COMMANDS`.
"""

from __future__ import annotations

import sys
from typing import Any

from podman.cli.table import COMMANDS, CONTEXT, fast_output

__all__ = ["COMMANDS", "CONTEXT", "cli", "fast_output", "main"]


def __getattr__(name: str) -> Any:
    """`from podman.cli import cli` still works: the click group, loaded on first use."""
    if name == "cli":
        from podman.cli.group import cli

        return cli
    raise AttributeError(name)


def main() -> None:
    text = fast_output(sys.argv[1:])
    if text is not None:
        sys.stdout.write(text)
        return
    from podman.cli.group import cli

    cli(prog_name="podman")
