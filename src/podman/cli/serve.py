"""`podman serve`: the preview server."""

from __future__ import annotations

from pathlib import Path

import click

from podman.cli.common import load_ws, workspace_option
from podman.cli.table import CONTEXT


@click.command(context_settings=CONTEXT)
@workspace_option
@click.option("--port", default=8000, show_default=True, type=click.IntRange(0, 65535),
              help="Port to listen on; 0 picks a free one.")
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on; 0.0.0.0 lets phones on your network subscribe "
                   "(set PODMAN_BASE_URL to this machine's address and rebuild).")
@click.option("--access-log", "access_log", type=click.Path(dir_okay=False, path_type=Path),
              help="Append one JSON line per request to FILE (read by `podman stats ingest`).")
@click.pass_context
def serve(ctx: click.Context, workspace: Path | None, port: int, host: str,
          access_log: Path | None) -> None:
    """Preview server for public/ and the local media, with HEAD and byte ranges."""
    from podman.storage.serve import AccessLog, make_server

    ws = load_ws(ctx, workspace)
    log = AccessLog(access_log) if access_log is not None else None
    server = make_server(ws, host, port, log)
    click.echo(f"serving {ws.public_dir} and {ws.storage.path} on "
               f"http://{host}:{server.server_port}/ (Ctrl-C stops)", err=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        click.echo("stopped", err=True)
    finally:
        server.server_close()
        if log is not None:
            log.close()
