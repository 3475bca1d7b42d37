"""podman: podcast and media asset manager (plain-text catalog, local or S3 storage, feeds)."""

__version__ = "0.1.0"
