"""The `podman` command: a lazy group that imports a command's module only when it runs.

`podman --help` and `podman --version` import click and this table, nothing else of podman.
A new command is a module in this package plus one line in COMMANDS.
"""

from __future__ import annotations

import importlib
import os
import sys
from pathlib import Path
from typing import Any

import click

from podman import __version__

CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}

# name -> ("module:function", one-line help shown by `podman --help`)
COMMANDS: dict[str, tuple[str, str]] = {
    "init": ("init:init", "Create a workspace: podman.toml, feeds/SHOW/show.toml and .gitignore."),
    "demo": ("init:demo", "Make a ready-made workspace with two generated episodes, built."),
    "probe": ("probe:probe", "Print exact facts about audio files without touching any workspace."),
    "add": ("add:add", "Add episodes: probe, process, store, write the episode file."),
    "list": ("catalog:list_", "List the catalog's episodes, newest first."),
    "show": ("catalog:show", "Show one episode; EP is a slug, a GUID or a unique prefix."),
    "edit": ("catalog:edit", "Change an episode's title, date, notes, status, chapters..."),
    "link": ("catalog:link", "Link a related news article to an episode."),
    "unlink": ("catalog:unlink", "Remove a related article from an episode."),
    "rm": ("catalog:rm", "Remove an episode from the catalog."),
    "build": ("build:build", "Render public/: feeds, pages, embeddable players, articles.json."),
    "check": ("check:check", "Lint the built feeds (or any feed) against Apple and P2.0 rules."),
    "serve": ("serve:serve", "Preview server for public/ and the local media."),
    "publish": ("publish:publish", "Upload the changed files of public/, feeds last."),
    "doctor": ("publish:doctor", "Check storage: credentials, bucket, public_url serving."),
}


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
        except Exception as exc:
            if os.environ.get("PODMAN_TRACEBACK"):
                raise
            click.echo(f"podman: internal error: {type(exc).__name__}: {exc}", err=True)
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


def main() -> None:
    cli(prog_name="podman")
