"""Each reader on the example lines of the AWS and Apache/nginx documentation; bad input."""

from __future__ import annotations

import gzip
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from podman.stats.readers import (
    CLOUDFRONT_RT_FIELDS,
    CLOUDFRONT_V1_FIELDS,
    BadLine,
    ReadReport,
    detect,
    parse_cloudfront,
    parse_combined,
    parse_json_line,
    parse_lines,
    parse_s3,
    read_hits,
)
from tests.fixtures.logs import CF_HEADER

# Amazon S3 User Guide, "Amazon S3 server access log format", first example record.
S3_DOC = (
    "79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be amzn-s3-demo-bucket1 "
    "[06/Feb/2019:00:00:38 +0000] 192.0.2.3 "
    "79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be 3E57427F3EXAMPLE "
    'REST.GET.VERSIONING - "GET /amzn-s3-demo-bucket1?versioning HTTP/1.1" 200 - 113 - 7 - '
    '"-" "S3Console/0.4" - s9lzHYrFp76ZVxRcpX9+5cjAnEH2ROuNkd2BHfIa6UkFVdtjf5mKR3/eTPFvsiP/XV/'
    "VLi31234= SigV4 ECDHE-RSA-AES128-GCM-SHA256 AuthHeader "
    "amzn-s3-demo-bucket1.s3.us-west-1.amazonaws.com TLSV1.2 "
    "arn:aws:s3:us-west-1:123456789012:accesspoint/example-AP Yes us-east-1")

# Amazon CloudFront Developer Guide, standard logging reference, example log file (v1 fields).
CF_DOC = "\t".join([
    "2019-12-04", "21:02:31", "LAX1", "392", "192.0.2.100", "GET",
    "d111111abcdef8.cloudfront.net", "/index.html", "200", "-",
    "Mozilla/5.0%20(Windows%20NT%2010.0;%20Win64;%20x64)%20AppleWebKit/537.36%20(KHTML,"
    "%20like%20Gecko)%20Chrome/78.0.3904.108%20Safari/537.36",
    "-", "-", "Hit", "SOX4xwn4XV6Q4rgb7XiVGOHms_BGlTAC4KyHmureZmBNrjGdRLiNIQ==",
    "d111111abcdef8.cloudfront.net", "https", "23", "0.001", "-", "TLSv1.2",
    "ECDHE-RSA-AES128-GCM-SHA256", "Hit", "HTTP/2.0", "-", "-", "11040", "0.001", "Hit",
    "text/html", "78", "-", "-"])

# Apache HTTP Server docs, "Log Files", Combined Log Format example (nginx's `combined`).
COMBINED_DOC = ('127.0.0.1 - frank [10/Oct/2000:13:55:36 -0700] "GET /apache_pb.gif HTTP/1.0" '
                '200 2326 "http://www.example.com/start.html" "Mozilla/4.08 [en] (Win98; I ;Nav)"')


def test_s3_doc_example() -> None:
    hit = parse_s3(S3_DOC)
    assert hit.ts == datetime(2019, 2, 6, 0, 0, 38, tzinfo=UTC)
    assert (hit.ip, hit.method, hit.path, hit.status, hit.bytes) == ("192.0.2.3", "GET", "", 200,
                                                                      113)
    assert hit.ua == "S3Console/0.4" and hit.referer == ""
    assert detect(S3_DOC) == "s3"


def test_s3_object_get_with_encoded_key() -> None:
    line = S3_DOC.replace("REST.GET.VERSIONING -", "REST.GET.OBJECT daily/ep%20one.mp3")
    hit = parse_s3(line.replace("200 - 113", "206 - 2"))
    assert (hit.path, hit.status, hit.bytes) == ("daily/ep one.mp3", 206, 2)
    head = parse_s3(line.replace("REST.GET.OBJECT", "REST.HEAD.OBJECT"))
    assert head.method == "HEAD"


def test_cloudfront_v1_doc_example() -> None:
    hit = parse_cloudfront(CF_DOC, CLOUDFRONT_V1_FIELDS)
    assert hit.ts == datetime(2019, 12, 4, 21, 2, 31, tzinfo=UTC)
    assert (hit.ip, hit.method, hit.path, hit.status, hit.bytes) == (
        "192.0.2.100", "GET", "/index.html", 200, 392)
    assert hit.ua.startswith("Mozilla/5.0 (Windows NT 10.0; Win64; x64)")
    assert (hit.range_start, hit.range_end) == (None, None)
    assert detect("#Version: 1.0") == "cloudfront" and detect(CF_DOC) == "cloudfront"


def test_cloudfront_header_names_the_columns() -> None:
    """A v2 standard log in W3C output with fewer, reordered fields, from its #Fields line."""
    lines = ["#Version: 1.0\n", "#Fields: c-ip date time cs-method cs-uri-stem sc-status "
             "sc-bytes cs(User-Agent) sc-range-start sc-range-end cs-referer\n",
             "2001:db8::1\t2025-03-15\t10:00:00\tGET\t/a.mp3\t206\t65536\tOvercast/3.0\t0\t"
             "65535\t-\n"]
    report = ReadReport()
    [hit] = list(parse_lines(iter(lines), "auto", report))
    assert (hit.ip, hit.path, hit.bytes, hit.range_start, hit.range_end) == (
        "2001:db8::1", "/a.mp3", 65536, 0, 65535)
    assert report.format == "cloudfront" and report.bad == 0


def test_cloudfront_realtime_line() -> None:
    values = {f: "-" for f in CLOUDFRONT_RT_FIELDS}
    values.update({"timestamp": "1742032800.123", "c-ip": "192.0.2.100", "sc-status": "206",
                   "sc-bytes": "65536", "cs-method": "GET", "cs-uri-stem": "/daily/ep.mp3",
                   "cs-user-agent": "Spotify/8.6.0%20iOS/16.4", "sc-range-start": "0",
                   "sc-range-end": "65535"})
    line = "\t".join(values[f] for f in CLOUDFRONT_RT_FIELDS)
    assert detect(line) == "cloudfront-rt"
    [hit] = list(parse_lines(iter([line]), "auto", ReadReport()))
    assert hit.ts == datetime(2025, 3, 15, 10, 0, 0, 123000, tzinfo=UTC)
    assert (hit.ua, hit.range_start, hit.range_end) == ("Spotify/8.6.0 iOS/16.4", 0, 65535)


def test_cloudfront_v2_json_record() -> None:
    line = ('{"timestamp": "1742032800", "c-ip": "192.0.2.1", "cs-method": "GET", '
            '"cs-uri-stem": "/daily/ep.mp3", "sc-status": "200", "sc-bytes": "1000", '
            '"cs-user-agent": "Overcast/3.0"}')
    hit = parse_json_line(line)
    assert (hit.ip, hit.status, hit.bytes, hit.ua) == ("192.0.2.1", 200, 1000, "Overcast/3.0")


def test_combined_doc_example() -> None:
    hit = parse_combined(COMBINED_DOC)
    assert hit.ts == datetime(2000, 10, 10, 20, 55, 36, tzinfo=UTC)  # -0700 to UTC
    assert (hit.ip, hit.method, hit.path, hit.status, hit.bytes) == (
        "127.0.0.1", "GET", "/apache_pb.gif", 200, 2326)
    assert hit.referer == "http://www.example.com/start.html"
    assert hit.ua == "Mozilla/4.08 [en] (Win98; I ;Nav)"
    assert detect(COMBINED_DOC) == "combined"


def test_podman_line() -> None:
    line = ('{"time": "2025-03-15T10:00:00.250Z", "ip": "::1", "method": "GET", "path": '
            '"/media/daily/a%20b.mp3", "status": 206, "bytes": 2, "range_start": 0, '
            '"range_end": 1, "ua": "x", "referer": ""}')
    hit = parse_json_line(line)
    assert hit.path == "/media/daily/a b.mp3" and (hit.range_start, hit.range_end) == (0, 1)
    assert detect(line) == "podman"


@pytest.mark.parametrize("parser,line", [
    (parse_s3, COMBINED_DOC), (parse_combined, "garbage"), (parse_json_line, "{nope"),
    (parse_json_line, '{"ip": "1.2.3.4"}'),
    (lambda s: parse_cloudfront(s, CLOUDFRONT_V1_FIELDS), "a\tb"),
    (parse_combined, COMBINED_DOC.replace("10/Oct/2000", "99/Zzz/2000")),
])
def test_bad_lines_raise_badline(parser, line: str) -> None:
    with pytest.raises(BadLine):
        parser(line)


@given(st.text(max_size=300))
def test_any_text_is_a_hit_or_a_counted_bad_line(text: str) -> None:
    report = ReadReport()
    lines = text.splitlines()
    hits = list(parse_lines(iter(lines), "auto", report))
    assert len(hits) + report.bad == report.lines


def test_wrong_format_line_is_counted_not_fatal(tmp_path: Path) -> None:
    path = tmp_path / "mixed.log"
    path.write_text(f"{COMBINED_DOC}\n{S3_DOC}\n\n{COMBINED_DOC}\n")
    report = ReadReport()
    hits = list(read_hits(path, "auto", report))
    assert len(hits) == 2 and report.bad == 1 and report.lines == 3
    assert report.first_bad == "line 2: not a combined log line"


def test_truncated_gzip_keeps_the_lines_before(tmp_path: Path) -> None:
    data = gzip.compress((CF_HEADER + (CF_DOC + "\n") * 2000).encode())
    path = tmp_path / "E2EXAMPLE.2019-12-04-21.abcd.gz"
    path.write_bytes(data[: len(data) // 2])
    report = ReadReport()
    hits = list(read_hits(path, "auto", report))
    assert 0 < len(hits) < 2000
    assert "ends early" in report.truncated
    plain = tmp_path / "whole.gz"
    plain.write_bytes(data)
    report = ReadReport()
    assert len(list(read_hits(plain, "auto", report))) == 2000 and not report.truncated
