"""The click group: imports a command's module only when that command runs; the error funnel."""

from __future__ import annotations

import importlib
import os
import sys
from pathlib import Path
from typing import Any

import click

from podman import __version__
from podman.cli.table import COMMANDS, CONTEXT


class PodmanGroup(click.Group):
    """Loads commands on demand; turns our exceptions into one line on stderr and an exit code."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        target = COMMANDS.get(cmd_name)
        if target is None:
            return None
        module, attr = target[0].split(":")
        return getattr(importlib.import_module(f"podman.cli.{module}"), attr)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = [(name, COMMANDS[name][1]) for name in self.list_commands(ctx)]
        with formatter.section("Commands"):
            formatter.write_dl(rows)

    def invoke(self, ctx: click.Context) -> Any:
        from podman.core.errors import ExitCode, PodmanError

        try:
            return super().invoke(ctx)
        except PodmanError as exc:
            from podman.cli.common import fail

            fail(exc)
        except KeyboardInterrupt:
            click.echo("podman: interrupted", err=True)
            ctx.exit(130)
        except BrokenPipeError:  # `podman list | head`: the reader left, nothing to report
            sys.stderr.close()
            ctx.exit(ExitCode.OK)
        except (click.exceptions.Exit, click.ClickException, click.Abort):
            raise
        except OSError as exc:  # a write the core did not translate: still one line, exit 1
            from podman.cli.common import fail
            from podman.core.fsio import write_error

            fail(write_error(Path(exc.filename or "podman"), exc))
        except Exception as exc:
            if os.environ.get("PODMAN_TRACEBACK"):
                raise
            from podman.core.urls import redact

            click.echo(f"podman: internal error: {type(exc).__name__}: {redact(str(exc))}",
                       err=True)
            click.echo("hint: rerun with PODMAN_TRACEBACK=1 and report the traceback", err=True)
            ctx.exit(ExitCode.FAILURE)


@click.group(cls=PodmanGroup, context_settings=CONTEXT)
@click.version_option(__version__, prog_name="podman")  # works from a source checkout too
@click.option("-C", "--workspace", type=click.Path(file_okay=False, path_type=Path),
              help="Workspace folder (default: the first with podman.toml from here up).")
@click.pass_context
def cli(ctx: click.Context, workspace: Path | None) -> None:
    """podman: podcast and media asset manager.

    Audio is probed, stored (a local folder or S3) and recorded in a plain-text catalog in git;
    `podman build` renders one RSS feed per show and a small site from that catalog.
    """
    ctx.obj = {"workspace": workspace}
