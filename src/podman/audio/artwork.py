"""Show and episode artwork: checks against Apple's rules from the image header, fixes by ffmpeg."""

from __future__ import annotations

import hashlib
import struct
from dataclasses import dataclass
from pathlib import Path

from podman.audio import ffmpeg
from podman.core.errors import BadInput, FfmpegFailed
from podman.core.fsio import atomic_write

MIN_SIDE = 1400
MAX_SIDE = 3000


class BadArtwork(BadInput):
    """The artwork file is not an image we can read."""


@dataclass(frozen=True)
class ImageInfo:
    format: str  # "jpeg", "png", "gif", "webp", "bmp", "tiff"
    width: int | None
    height: int | None
    color: str | None  # "rgb", "gray", "cmyk", "palette", "palette+alpha", "rgba", "gray+alpha"


_MAGIC = (
    (b"\x89PNG\r\n\x1a\n", "png"),
    (b"\xff\xd8\xff", "jpeg"),
    (b"GIF8", "gif"),
    (b"BM", "bmp"),
    (b"II*\x00", "tiff"),
    (b"MM\x00*", "tiff"),
)
_PNG_COLOR = {0: "gray", 2: "rgb", 3: "palette", 4: "gray+alpha", 6: "rgba"}
_JPEG_COMPONENTS = {1: "gray", 3: "rgb", 4: "cmyk"}  # 3 = YCbCr or RGB, both fine
_EXTENSIONS = {"jpeg": (".jpg", ".jpeg"), "png": (".png",)}


def read_image_info(path: Path) -> ImageInfo:
    """Format, size and colour model from the header alone (PNG IHDR, JPEG SOF marker)."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise BadArtwork(f"{path.name}: cannot read artwork: {exc.strerror}") from exc
    if data[8:12] == b"WEBP" and data.startswith(b"RIFF"):
        return ImageInfo("webp", None, None, None)
    fmt = next((name for magic, name in _MAGIC if data.startswith(magic)), None)
    if fmt == "png":
        return _png_info(path, data)
    if fmt == "jpeg":
        return _jpeg_info(path, data)
    if fmt is None:
        raise BadArtwork(f"{path.name}: not an image (expected JPEG or PNG)")
    return ImageInfo(fmt, None, None, None)


def _png_info(path: Path, data: bytes) -> ImageInfo:
    if len(data) < 33 or data[12:16] != b"IHDR":
        raise BadArtwork(f"{path.name}: damaged PNG (no IHDR)")
    width, height, _depth, color_type = struct.unpack(">IIBB", data[16:26])
    color = _PNG_COLOR.get(color_type, "unknown")
    if color == "palette" and _png_has_chunk(data, b"tRNS"):
        color = "palette+alpha"
    return ImageInfo("png", width, height, color)


def _png_has_chunk(data: bytes, kind: bytes) -> bool:
    pos = 8
    while pos + 8 <= len(data):
        length, name = struct.unpack(">I4s", data[pos : pos + 8])
        if name == kind:
            return True
        if name == b"IDAT":  # tRNS must come before the image data
            return False
        pos += 12 + length
    return False


def _jpeg_info(path: Path, data: bytes) -> ImageInfo:
    pos = 2
    while pos + 4 <= len(data):
        if data[pos] != 0xFF:
            break
        marker = data[pos + 1]
        if marker == 0xFF:  # fill byte
            pos += 1
            continue
        if marker in (0x01, *range(0xD0, 0xD8)):  # markers without a length
            pos += 2
            continue
        (length,) = struct.unpack(">H", data[pos + 2 : pos + 4])
        # SOF0..SOF15 carry the frame size; C4 (DHT), C8 (JPG), CC (DAC) are not frames.
        if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):
            if pos + 10 > len(data):
                break
            height, width, components = struct.unpack(">HHB", data[pos + 5 : pos + 10])
            return ImageInfo("jpeg", width, height, _JPEG_COMPONENTS.get(components, "unknown"))
        pos += 2 + length
    raise BadArtwork(f"{path.name}: damaged JPEG (no frame header)")


def check_artwork(path: Path) -> list[str]:
    """Apple's artwork rules as one line per problem; empty when the image is fine."""
    path = Path(path)
    info = read_image_info(path)
    name = path.name
    if info.format not in _EXTENSIONS:
        return [f"{name}: is {info.format.upper()}; must be JPEG or PNG"]
    problems = []
    if path.suffix.lower() not in _EXTENSIONS[info.format]:
        problems.append(
            f"{name}: is {info.format.upper()} but named {path.suffix or '(no extension)'}"
        )
    w, h = info.width or 0, info.height or 0
    if w != h:
        problems.append(f"{name}: {w}x{h} is not square")
    if min(w, h) < MIN_SIDE:
        problems.append(f"{name}: {w}x{h} is smaller than {MIN_SIDE}x{MIN_SIDE}")
    if max(w, h) > MAX_SIDE:
        problems.append(f"{name}: {w}x{h} is larger than {MAX_SIDE}x{MAX_SIDE}")
    if info.color not in ("rgb", "palette"):
        problems.append(f"{name}: colour model is {info.color}; must be RGB without transparency")
    return problems


def describe_fix(path: Path) -> list[str]:
    """What fix_artwork will do to this image, for the user to read before or after."""
    info = read_image_info(Path(path))
    notes = []
    w, h = info.width, info.height
    if w is None or h is None:
        return [f"converted from {info.format.upper()} to JPEG"]
    side = min(w, h)
    if w != h:
        notes.append(f"centre-cropped {w}x{h} to {side}x{side}")
    if side < MIN_SIDE:
        notes.append(f"upscaled {side}px to {MIN_SIDE}px; it will look soft, supply a larger one")
    elif side > MAX_SIDE:
        notes.append(f"downscaled {side}px to {MAX_SIDE}px")
    if info.format != "jpeg" or info.color != "rgb":
        notes.append(f"converted {info.format.upper()} ({info.color}) to an RGB JPEG")
    return notes


def fix_artwork(src: Path, dest_dir: Path) -> Path:
    """An RGB JPEG that passes check_artwork, named after its content hash.

    Non-square images are centre-cropped to their shorter side rather than padded: bars look
    like a mistake in every podcast app, a crop usually only loses a margin. Sides are clamped
    to 1400..3000 px (small images are upscaled; describe_fix says so). The hash in the name
    means a changed image gets a new URL, which podcast apps' caches need.
    """
    src, dest_dir = Path(src), Path(dest_dir)
    info = read_image_info(src)  # raises BadArtwork for non-images
    if info.width and info.height:
        side = min(max(min(info.width, info.height), MIN_SIDE), MAX_SIDE)
        size = f"{side}:{side}"
    else:  # format without a parsed header: let ffmpeg find the size
        size = f"'min(max(min(iw,ih),{MIN_SIDE}),{MAX_SIDE})':-1"
    vf = (
        "crop='min(iw,ih)':'min(iw,ih)',"
        f"scale={size}:flags=lanczos,setsar=1,format=rgb24,format=yuvj420p"
    )
    dest_dir.mkdir(parents=True, exist_ok=True)
    tmp = dest_dir / f".artwork-{src.stem}.tmp.jpg"
    try:
        ffmpeg.run(
            ["-y", "-i", str(src), "-vf", vf, "-frames:v", "1", "-q:v", "2",
             "-map_metadata", "-1", "-fflags", "+bitexact", "-flags:v", "+bitexact",
             "-f", "image2", "-c:v", "mjpeg", str(tmp)],
            what=src.name,
        )
        digest = hashlib.sha256(tmp.read_bytes()).hexdigest()[:12]
        dest = dest_dir / f"artwork-{digest}.jpg"
        tmp.replace(dest)
    except FfmpegFailed as exc:
        raise BadArtwork(f"{src.name}: cannot convert artwork: {exc.message}") from exc
    finally:
        tmp.unlink(missing_ok=True)
    return dest


COVER_SIDE = 3000
COVER_FONTS = (
    "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf",  # Debian/Ubuntu fonts-dejavu-core
    "/usr/share/fonts/dejavu/DejaVuSans-Bold.ttf",  # Fedora
    "/usr/share/fonts/TTF/DejaVuSans-Bold.ttf",  # Arch
    "/Library/Fonts/DejaVuSans-Bold.ttf",
)


def cover_font() -> str | None:
    """A bold DejaVu font file for the generated cover, when one is installed."""
    return next((f for f in COVER_FONTS if Path(f).is_file()), None)


def cover_lines(title: str, width: int = 14, most: int = 5) -> list[str]:
    """The title wrapped for the cover: at most `most` lines, the last one cut with an ellipsis."""
    import textwrap

    lines = textwrap.wrap(" ".join(title.split()), width, break_long_words=True) or ["Podcast"]
    if len(lines) > most:
        lines = lines[:most]
        lines[-1] = lines[-1][: width - 1].rstrip() + "…"
    return lines


def make_cover(dest: Path, title: str) -> Path:
    """A square 3000 px RGB JPEG with the show title in white on blue (ffmpeg drawtext), so a
    new show's first feed has the itunes:image Apple requires. Without a font (no
    fonts-dejavu-core) the cover is drawn without the title rather than failing."""
    import tempfile

    dest = Path(dest)
    dest.parent.mkdir(parents=True, exist_ok=True)
    side, size = COVER_SIDE, 240
    filters = [f"color=c=0x1e3a8a:s={side}x{side}",
               f"drawbox=x=150:y=150:w={side - 300}:h={side - 300}:color=0xfbbf24:t=24"]
    font = cover_font()
    with tempfile.TemporaryDirectory(prefix="podman-cover-") as tmp:
        if font is not None:
            lines = cover_lines(title)
            top = (side - len(lines) * size * 1.25) / 2
            for n, line in enumerate(lines):
                text = Path(tmp) / f"line{n}.txt"
                text.write_text(line, "utf-8")
                filters.append(f"drawtext=fontfile={font}:textfile={text}:fontcolor=white:"
                               f"fontsize={size}:x=(w-text_w)/2:y={top + n * size * 1.25:.0f}")
        out = Path(tmp) / "cover.jpg"
        try:
            ffmpeg.run(["-loglevel", "error", "-y", "-f", "lavfi", "-i", ",".join(filters),
                        "-frames:v", "1", "-q:v", "3", "-pix_fmt", "yuvj420p",
                        "-map_metadata", "-1", "-fflags", "+bitexact", "-flags:v", "+bitexact",
                        "-f", "image2", "-c:v", "mjpeg", str(out)], what="cover artwork")
        except FfmpegFailed as exc:
            raise BadArtwork(f"{dest.name}: cannot draw the cover: {exc.message}") from exc
        atomic_write(dest, out.read_bytes())
    return dest
