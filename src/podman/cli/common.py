"""What every command module shares: options, workspace loading, dates, JSON output, errors."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

import click

from podman.core.errors import BadInput, PodmanError


def fail(exc: PodmanError) -> None:
    from podman.core.text import terminal_text
    from podman.core.urls import redact

    click.echo(f"podman: error: {terminal_text(redact(exc.message))}", err=True)
    if exc.hint:
        click.echo(f"hint: {terminal_text(redact(exc.hint))}", err=True)
    raise SystemExit(int(exc.exit_code))


def workspace_option(fn):
    return click.option(
        "-C", "--workspace", "workspace", type=click.Path(file_okay=False, path_type=Path),
        default=None, help="Workspace folder (default: the first with podman.toml from here up).",
    )(fn)


def load_ws(ctx: click.Context, workspace: Path | None):
    from podman.core.config import WORKSPACE_FILE, find_workspace, load_workspace
    from podman.core.errors import WorkspaceError

    explicit = workspace or (ctx.obj or {}).get("workspace")
    if explicit is not None:  # -C names the workspace itself, never a folder above it
        if not (explicit / WORKSPACE_FILE).is_file():
            raise WorkspaceError(f"{explicit}: no {WORKSPACE_FILE} here",
                                 "run `podman init` there, or check the -C path")
        return load_workspace(explicit.resolve())
    return load_workspace(find_workspace())


def parse_when(value: str | None, option: str) -> datetime | None:
    from podman.core.models import parse_datetime

    if value is None:
        return None
    try:
        return parse_datetime(value)
    except ValueError:
        raise BadInput(f"{option} {value!r}: not an ISO 8601 date such as 2025-03-14 "
                       "or 2025-03-14T17:00:00Z") from None


def now_or(value: str | None) -> datetime:
    from podman.core.models import utc

    return parse_when(value, "--now") or utc(datetime.now().astimezone()).replace(microsecond=0)


def emit_json(data: Any) -> None:
    import json

    click.echo(json.dumps(data, ensure_ascii=False, indent=2))


def read_notes(path: Path | None) -> str:
    """Show notes from a producer's file ("" when none is given)."""
    from podman.core.textfile import read_text_file

    return "" if path is None else read_text_file(path, "notes")
