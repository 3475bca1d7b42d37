"""Access-log readers: S3, CloudFront (standard v1/v2, real-time), combined, podman serve -> Hit."""

from __future__ import annotations

import gzip
import json
import re
import urllib.parse
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import IO

FORMATS = ("s3", "cloudfront", "cloudfront-rt", "combined", "podman")


@dataclass(frozen=True, slots=True)
class Hit:
    """One request in the common schema, before the client IP is hashed."""

    ts: datetime  # UTC
    ip: str
    method: str
    path: str  # URL path or object key, percent-decoded, no query string
    status: int
    bytes: int  # bytes sent to the client
    range_start: int | None  # first byte of the range served or asked for, when the log says
    range_end: int | None  # last byte (inclusive), when the log says
    ua: str
    referer: str


class BadLine(ValueError):
    """A line that is not in the file's format."""


_MONTHS = {m: i for i, m in enumerate(
    ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"), 1)}


_TIMES: dict[str, datetime] = {}


def _clf_time(text: str) -> datetime:
    """`10/Oct/2000:13:55:36 -0700` -> aware UTC datetime (cached: log lines share seconds)."""
    hit = _TIMES.get(text)
    if hit is None:
        if len(_TIMES) > 100_000:
            _TIMES.clear()
        hit = _TIMES[text] = _parse_clf_time(text)
    return hit


def _parse_clf_time(text: str) -> datetime:
    try:
        day, mon, rest = text.split("/", 2)
        year, hh, mm, ss_zone = rest.split(":", 3)
        ss, zone = ss_zone.split(" ")
        sign = -1 if zone[0] == "-" else 1
        offset = sign * (int(zone[1:3]) * 60 + int(zone[3:5]))
        local = datetime(int(year), _MONTHS[mon], int(day), int(hh), int(mm), int(ss), tzinfo=UTC)
    except (ValueError, KeyError, IndexError) as exc:
        raise BadLine(f"bad time {text!r}") from exc
    return local - timedelta(minutes=offset)


def _dash(text: str | None) -> str:
    """A log field where `-` (or nothing) means empty."""
    return "" if text is None or text == "-" else text


def _int(text: str) -> int:
    return 0 if text in ("-", "") else int(text)


def _opt_int(text: str) -> int | None:
    return None if text in ("-", "") else int(text)


def _clean_path(raw: str) -> str:
    path = raw.split("?", 1)[0]
    return urllib.parse.unquote(path) if "%" in path else path


_RANGE = re.compile(r"bytes=(\d+)-(\d*)$")


def parse_range_header(value: str) -> tuple[int | None, int | None]:
    match = _RANGE.match(value.strip()) if value else None
    if not match:
        return None, None
    return int(match.group(1)), (int(match.group(2)) if match.group(2) else None)


# -- S3 server access logs -----------------------------------------------------------------
_S3 = re.compile(
    r'(?P<owner>\S+) (?P<bucket>\S+) \[(?P<time>[^\]]+)\] (?P<ip>\S+) (?P<requester>\S+) '
    r'(?P<reqid>\S+) (?P<op>\S+) (?P<key>\S+) (?:"(?P<uri>[^"]*)"|-) (?P<status>\d{3}|-) '
    r'(?P<error>\S+) (?P<sent>\S+) (?P<size>\S+) (?P<total>\S+) (?P<turn>\S+) '
    r'(?:"(?P<referer>[^"]*)"|-) (?:"(?P<ua>[^"]*)"|-)')


def parse_s3(line: str) -> Hit:
    m = _S3.match(line)
    if not m:
        raise BadLine("not an S3 server access log line")
    op = m["op"]  # REST.GET.OBJECT, REST.HEAD.OBJECT, ...
    parts = op.split(".")
    method = parts[1] if len(parts) == 3 else (m["uri"] or "-").split(" ", 1)[0]
    key = m["key"]
    path = "" if key == "-" else urllib.parse.unquote(key)
    try:
        status = int(m["status"]) if m["status"] != "-" else 0
        sent = _int(m["sent"])
    except ValueError as exc:
        raise BadLine(str(exc)) from None
    return Hit(_clf_time(m["time"]), m["ip"], method.upper(), path, status, sent, None, None,
               _dash(m["ua"]), _dash(m["referer"]))


# -- combined (nginx/Apache) ---------------------------------------------------------------
_COMBINED = re.compile(
    r'(?P<ip>\S+) \S+ \S+ \[(?P<time>[^\]]+)\] "(?P<request>[^"]*)" (?P<status>\d{3}) '
    r'(?P<sent>\d+|-)(?: "(?P<referer>[^"]*)" "(?P<ua>[^"]*)")?')


def parse_combined(line: str) -> Hit:
    m = _COMBINED.match(line)
    if not m:
        raise BadLine("not a combined log line")
    request = m["request"].split(" ")
    if len(request) < 2:
        raise BadLine(f"bad request {m['request']!r}")
    return Hit(_clf_time(m["time"]), m["ip"], request[0].upper(), _clean_path(request[1]),
               int(m["status"]), _int(m["sent"]), None, None, _dash(m["ua"]),
               _dash(m["referer"]))


# -- CloudFront standard logs (v1; v2 in W3C or JSON output) -------------------------------
CLOUDFRONT_V1_FIELDS = (
    "date time x-edge-location sc-bytes c-ip cs-method cs(Host) cs-uri-stem sc-status "
    "cs(Referer) cs(User-Agent) cs-uri-query cs(Cookie) x-edge-result-type x-edge-request-id "
    "x-host-header cs-protocol cs-bytes time-taken x-forwarded-for ssl-protocol ssl-cipher "
    "x-edge-response-result-type cs-protocol-version fle-status fle-encrypted-fields c-port "
    "time-to-first-byte x-edge-detailed-result-type sc-content-type sc-content-len "
    "sc-range-start sc-range-end").split()

# Real-time logs: tab-separated, no header, fields in the order the configuration lists them;
# this is the documented order with every field selected.
CLOUDFRONT_RT_FIELDS = (
    "timestamp c-ip time-to-first-byte sc-status sc-bytes cs-method cs-protocol cs-host "
    "cs-uri-stem cs-bytes x-edge-location x-edge-request-id x-host-header time-taken "
    "cs-protocol-version c-ip-version cs-user-agent cs-referer cs-cookie cs-uri-query "
    "x-edge-response-result-type x-forwarded-for ssl-protocol ssl-cipher x-edge-result-type "
    "fle-encrypted-fields fle-status sc-content-type sc-content-len sc-range-start sc-range-end "
    "c-port x-edge-detailed-result-type c-country cs-accept-encoding cs-accept "
    "cache-behavior-path-pattern cs-headers cs-header-names cs-headers-count").split()

# CloudFront's field names -> ours; v1, v2 and real-time spell a few differently.
_CF_ALIASES = {
    "cs(User-Agent)": "cs-user-agent", "cs(Referer)": "cs-referer", "cs(Host)": "cs-host",
    "cs(Cookie)": "cs-cookie",
}


def _cf_value(value: str) -> str:
    return "" if value == "-" else urllib.parse.unquote(urllib.parse.unquote(value))


def cloudfront_hit(rec: dict[str, str]) -> Hit:
    """One CloudFront record (field name -> raw value), from any of its log variants."""
    rec = {_CF_ALIASES.get(k, k): v for k, v in rec.items()}
    try:
        if rec.get("timestamp") not in (None, "", "-"):
            ts = datetime.fromtimestamp(float(rec["timestamp"]), UTC)
        else:
            ts = datetime.fromisoformat(f"{rec['date']}T{rec['time']}+00:00")
        status = _int(rec.get("sc-status", "-"))
        sent = _int(rec.get("sc-bytes", "-"))
        start = _opt_int(rec.get("sc-range-start", "-"))
        end = _opt_int(rec.get("sc-range-end", "-"))
        ip, method, stem = rec["c-ip"], rec["cs-method"], rec["cs-uri-stem"]
    except (KeyError, ValueError, OverflowError) as exc:
        raise BadLine(f"not a CloudFront record ({exc})") from None
    return Hit(ts, ip, method.upper(), urllib.parse.unquote(stem), status, sent, start, end,
               _cf_value(rec.get("cs-user-agent", "-")), _cf_value(rec.get("cs-referer", "-")))


def parse_cloudfront(line: str, fields: list[str]) -> Hit:
    values = line.rstrip("\r\n").split("\t")
    if len(values) < min(len(fields), 11) or len(values) > len(fields):
        raise BadLine(f"{len(values)} fields, the header names {len(fields)}")
    return cloudfront_hit(dict(zip(fields, values, strict=False)))


# -- podman serve --access-log and CloudFront v2 JSON: one JSON object a line --------------

def parse_json_line(line: str) -> Hit:
    try:
        rec = json.loads(line)
    except json.JSONDecodeError:
        raise BadLine("not a JSON line") from None
    if not isinstance(rec, dict):
        raise BadLine("not a JSON object")
    if "c-ip" in rec:  # CloudFront v2 standard logs delivered as JSON
        return cloudfront_hit({k: str(v) for k, v in rec.items()})
    try:
        ts = datetime.fromisoformat(str(rec["time"]).replace("Z", "+00:00")).astimezone(UTC)
        start, end = rec.get("range_start"), rec.get("range_end")
        return Hit(ts, str(rec["ip"]), str(rec["method"]).upper(), _clean_path(str(rec["path"])),
                   int(rec["status"]), int(rec["bytes"]),
                   None if start is None else int(start), None if end is None else int(end),
                   str(rec.get("ua") or ""), str(rec.get("referer") or ""))
    except (KeyError, ValueError, TypeError) as exc:
        raise BadLine(f"not a podman access-log record ({exc})") from None


# -- detection and reading -----------------------------------------------------------------
_RT_START = re.compile(r"^\d{9,10}\.\d{1,3}\t")


def detect(line: str) -> str | None:
    """The format of one log line (a header line counts), or None."""
    if line.startswith("#Version") or line.startswith("#Fields"):
        return "cloudfront"
    if line.startswith("{"):
        return "podman"
    if _RT_START.match(line):
        return "cloudfront-rt"
    if _S3.match(line):
        return "s3"
    if _COMBINED.match(line):
        return "combined"
    if re.match(r"^\d{4}-\d{2}-\d{2}\t\d{2}:\d{2}:\d{2}\t", line):
        return "cloudfront"
    return None


@dataclass
class ReadReport:
    """What reading one log object found besides its requests."""

    lines: int = 0
    bad: int = 0
    first_bad: str = ""  # "line N: reason" of the first bad line
    truncated: str = ""  # why the compressed stream ended early, when it did
    format: str = ""


def _lines(stream: IO[bytes], report: ReadReport) -> Iterator[str]:
    try:
        for raw in stream:
            yield raw.decode("utf-8", "replace")
    except (EOFError, gzip.BadGzipFile, zlib.error, OSError) as exc:
        report.truncated = f"compressed data ends early ({exc or type(exc).__name__})"


def read_hits(path: Path, fmt: str, report: ReadReport) -> Iterator[Hit]:
    """Every request in one log file (gz or plain); bad lines are counted in `report`."""
    with path.open("rb") as raw:
        magic = raw.read(2)
        raw.seek(0)
        if magic != b"\x1f\x8b":
            yield from parse_lines(_lines(raw, report), fmt, report)
            return
        with gzip.GzipFile(fileobj=raw) as stream:
            yield from parse_lines(_lines(stream, report), fmt, report)


def parse_lines(lines: Iterator[str], fmt: str, report: ReadReport) -> Iterator[Hit]:
    fields = CLOUDFRONT_V1_FIELDS
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        if fmt == "auto":
            found = detect(line)
            if found is None:
                report.lines += 1
                _bad(report, number, "format not recognised")
                continue
            fmt = found
            report.format = fmt
        elif not report.format:
            report.format = fmt
        if line.startswith("#"):
            if line.startswith("#Fields:"):
                fields = line[len("#Fields:"):].split()
            continue
        report.lines += 1
        try:
            if fmt == "s3":
                yield parse_s3(line)
            elif fmt == "combined":
                yield parse_combined(line)
            elif fmt == "cloudfront":
                yield parse_cloudfront(line, fields)
            elif fmt == "cloudfront-rt":
                yield parse_cloudfront(line, CLOUDFRONT_RT_FIELDS)
            else:
                yield parse_json_line(line)
        except BadLine as exc:
            _bad(report, number, str(exc))


def _bad(report: ReadReport, number: int, reason: str) -> None:
    report.bad += 1
    if not report.first_bad:
        report.first_bad = f"line {number}: {reason}"
