"""`podman stats pull`: new log objects from the `[stats]` bucket/prefix, then ingest them."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from podman.core.config import WorkspaceConfig
from podman.core.errors import ConfigError
from podman.stats.config import StatsConfig
from podman.stats.ingest import IngestResult, Source, ingest_sources


def pull_logs(ws: WorkspaceConfig, cfg: StatsConfig) -> IngestResult:
    """List the log bucket/prefix and ingest every object not read before (or changed)."""
    from podman.storage.s3 import S3Storage

    if not cfg.bucket:
        raise ConfigError(f"{ws.root / 'podman.toml'} [stats]: `bucket` is not set",
                          "name the bucket (and prefix) your S3 or CloudFront logs go to")
    storage = S3Storage(replace(
        ws.storage, backend="s3", bucket=cfg.bucket, prefix=cfg.prefix,
        endpoint_url=cfg.endpoint_url or ws.storage.endpoint_url,
        region=cfg.region or ws.storage.region,
        addressing_style=cfg.addressing_style or ws.storage.addressing_style))
    objects = storage.list()

    def source(key: str) -> Source:
        obj = objects[key]
        full = f"{cfg.prefix}/{key}" if cfg.prefix else key

        def fetch(tmp: Path) -> Path:
            dest = tmp / "log"
            storage.get_file(key, dest)
            return dest

        return f"s3://{cfg.bucket}/{full}", f"{obj.size}:{obj.etag or ''}", fetch

    return ingest_sources(cfg, [source(k) for k in sorted(objects)])
