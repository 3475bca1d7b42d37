"""Our exception family and exit codes; the CLI is the one place that turns them into messages."""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    OK = 0
    FAILURE = 1  # storage, network, ffmpeg, some files failed, stale output
    BAD_INPUT = 2  # bad input or usage


class PodmanError(Exception):
    """A failure we expect and can explain in one line, with an optional hint."""

    exit_code: ExitCode = ExitCode.FAILURE

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return self.message


class BadInput(PodmanError):
    exit_code = ExitCode.BAD_INPUT


class UnreadableAudio(BadInput):
    """The file is not audio we can read (empty, truncated, text, image, random bytes)."""


class UnsupportedFormat(BadInput):
    """Readable audio that podcast apps do not play (WAV, FLAC) or that we cannot publish."""


class ConfigError(BadInput):
    """podman.toml or show.toml is missing a key or has a wrong value."""


class WorkspaceError(BadInput):
    """No workspace found, or one already exists where we would create one."""


class CatalogError(BadInput):
    """An episode file cannot be parsed or fails validation."""


class NotFound(BadInput):
    """An episode reference (slug, GUID, prefix) matches nothing, or more than one."""


class DuplicateAudio(PodmanError):
    """The same audio is already in the catalog; not a failure, reported and skipped."""

    exit_code = ExitCode.OK


class FfmpegMissing(PodmanError):
    """No ffmpeg binary on PATH and none shipped by imageio-ffmpeg."""


class FfmpegFailed(PodmanError):
    """ffmpeg ran and failed; the message carries the last lines of its stderr."""


class StorageError(PodmanError):
    """Storage backend failure (disk, S3, credentials, bucket)."""


class LockBusy(PodmanError):
    """Another podman process holds the workspace lock."""


class StaleOutput(PodmanError):
    """`build --check` found public/ out of date."""


class CheckFailed(PodmanError):
    """`podman check` found at least one error."""


class ChapterError(BadInput):
    """A chapters file has a malformed line, or chapters that do not fit the audio."""


class TranscriptError(BadInput):
    """A transcript file is neither valid WebVTT nor valid SRT."""


class ArticleError(PodmanError):
    """A related article could not be fetched (network, HTTP status, size, timeout)."""
