"""Entry point for `python -m podman`."""

from podman.cli import main

main()
