"""The boto3-free PUT: same objects as boto3's against the real SeaweedFS, and what it does when
a server drops, stalls or refuses (loopback servers that do exactly that)."""

from __future__ import annotations

import base64
import contextlib
import dataclasses
import hashlib
import json
import os
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from podman.core.errors import StorageError
from podman.storage.s3 import S3Storage, Upload
from tests.fixtures.http import QuietHandler, serving
from tests.fixtures.s3 import isolate_aws_env, record_puts, s3_config_for

ROOT = Path(__file__).resolve().parents[2]
VOLATILE = {"date", "last-modified", "x-amz-request-id"}


def head_headers(url: str) -> dict[str, str]:
    with urllib.request.urlopen(urllib.request.Request(url, method="HEAD")) as resp:
        return {k.lower(): v for k, v in resp.headers.items() if k.lower() not in VOLATILE}


def get_body(url: str) -> bytes:
    with urllib.request.urlopen(url) as resp:
        return resp.read()


def not_static_credentials(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """The server's keys from a credential process: real credentials, but not static ones."""
    key, secret = os.environ["AWS_ACCESS_KEY_ID"], os.environ["AWS_SECRET_ACCESS_KEY"]
    script = tmp_path / "creds.py"
    script.write_text("import json\nprint(json.dumps(" + repr(
        {"Version": 1, "AccessKeyId": key, "SecretAccessKey": secret}) + "))\n")
    config = tmp_path / "aws-config"
    config.write_text(f"[default]\ncredential_process = {sys.executable} {script}\n")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(config))
    monkeypatch.delenv("AWS_ACCESS_KEY_ID")
    monkeypatch.delenv("AWS_SECRET_ACCESS_KEY")


def test_wire_and_boto3_store_identical_objects(s3_config, tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    data = os.urandom(2 * 1024 * 1024 + 7)  # above the 100-continue limit
    src = tmp_path / "ep 1+ü.mp3"  # a key that needs escaping
    src.write_bytes(data)
    sha = hashlib.sha256(data).hexdigest()
    feed = b"<rss>moved</rss>"
    redirect = "https://new-host.example.net/feed.xml"

    def store(storage: S3Storage, folder: str) -> list[str]:
        sent = record_puts(storage)
        assert storage.put_many([Upload(src, f"{folder}/{src.name}", "audio/mpeg", sha)]) == {}
        storage.put_bytes(feed, f"{folder}/feed.xml", content_type="application/rss+xml",
                          cache_control="public, max-age=300", redirect=redirect)
        return sent

    wire = S3Storage(s3_config)
    assert wire.wire is not None
    sent = store(wire, "wire")
    assert len(sent) == 2 and wire.wire.watchers  # both went through the wire client
    not_static_credentials(monkeypatch, tmp_path)  # boto3 from here on
    boto = S3Storage(s3_config)
    assert boto.wire is None
    assert len(store(boto, "boto")) == 2 and boto.boto3_started

    for name, body in ((src.name, data), ("feed.xml", feed)):
        urls = [f"{s3_config.public_url}/{folder}/{urllib.request.quote(name)}"
                for folder in ("wire", "boto")]
        assert head_headers(urls[0]) == head_headers(urls[1])
        assert get_body(urls[0]) == get_body(urls[1]) == body
        heads = [boto.head(f"{folder}/{name}") for folder in ("wire", "boto")]
        fields = ("ContentType", "CacheControl", "Metadata", "ETag", "ContentLength",
                  "WebsiteRedirectLocation")
        assert [{f: h.get(f) for f in fields} for h in heads][0] == {
            f: heads[1].get(f) for f in fields}
    stored = wire.stat(f"wire/{src.name}")
    assert stored is not None
    assert (stored.sha256, stored.etag) == (sha, hashlib.md5(data).hexdigest())


SUBPROCESS = """
import json, sys
from pathlib import Path
from podman.core.config import PublishConfig, StorageConfig, WorkspaceConfig
from podman.storage.s3 import S3Storage, Upload
from podman.workflows.publish import publish
cfg = StorageConfig(**json.loads(sys.argv[1]))
root = Path(sys.argv[2])
ws = WorkspaceConfig(root=root, storage=cfg, publish=PublishConfig(prefix=cfg.prefix + "-site"))
uploaded = len(publish(ws).uploaded)
failures = S3Storage(cfg).put_many([Upload(p, "media/" + p.name, "audio/mpeg", "0" * 64)
                                    for p in sorted((root / "public").glob("*.*"))])
print(json.dumps([uploaded, len(failures), "boto3" in sys.modules, "botocore" in sys.modules]))
"""


def test_publishing_small_files_never_imports_boto3(s3_config, tmp_path: Path) -> None:
    public = tmp_path / "public"
    (public / "show").mkdir(parents=True)
    (public / "show" / "feed.xml").write_text("<rss/>")
    (public / "index.html").write_text("<html/>")
    (public / "ep.mp3").write_bytes(os.urandom(1_500_000))
    fields = {k: v for k, v in vars(s3_config).items() if k != "path"}
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    out = subprocess.run([sys.executable, "-c", SUBPROCESS, json.dumps(fields), str(tmp_path)],
                         capture_output=True, text=True, check=True, env=env).stdout
    assert json.loads(out) == [3, 0, False, False]
    site = S3Storage(s3_config_for_site(s3_config))
    assert sorted(site.list()) == ["ep.mp3", "index.html", "show/feed.xml"]
    assert site.stat("ep.mp3").size == 1_500_000  # type: ignore[union-attr]


def s3_config_for_site(config):
    from dataclasses import replace

    return replace(config, prefix=config.prefix + "-site")


# -- loopback servers that misbehave on purpose ------------------------------------------------

class ScriptedS3(QuietHandler):
    """Answers PUTs as S3 would (Content-MD5 checked, ETag = MD5), or misbehaves as `script`
    says, one step per request: ok, drop, drop-reused, slowdown, deny, deny-early, stall."""

    protocol_version = "HTTP/1.1"
    script: list[str] = []
    seen: list[tuple[str, bytes]] = []  # (step, body received)
    stored: dict[str, bytes] = {}
    lock = threading.Lock()

    def setup(self) -> None:
        super().setup()
        self.served = 0

    def step(self) -> str:
        with self.lock:
            return self.script.pop(0) if self.script else "ok"

    def handle_expect_100(self) -> bool:
        if self.script and self.script[0] == "deny-early":
            self.step()
            self.seen.append(("deny-early", b""))
            self.error_answer(403, "SignatureDoesNotMatch")
            return False
        return super().handle_expect_100()

    def do_PUT(self) -> None:  # noqa: N802 - http.server's naming
        step = self.step()
        if step == "drop-reused" and not self.served:
            step = "ok"  # only a connection that already served a request is dropped
        if step in ("drop", "drop-reused"):
            self.seen.append((step, b""))
            self.close_connection = True  # hang up without a word
            return
        if step == "stall":
            self.seen.append((step, b""))
            time.sleep(3)
            self.close_connection = True
            return
        body = self.rfile.read(int(self.headers["Content-Length"]))
        self.seen.append((step, body))
        self.served += 1
        if step == "slowdown":
            return self.error_answer(503, "SlowDown")
        if step == "deny":
            return self.error_answer(403, "SignatureDoesNotMatch")
        md5 = hashlib.md5(body).digest()
        if base64.b64decode(self.headers["Content-MD5"]) != md5:
            return self.error_answer(400, "BadDigest")
        self.stored[self.path] = body
        self.send_body(200, b"", headers={"ETag": f'"{md5.hex()}"'})

    def error_answer(self, status: int, code: str) -> None:
        self.send_body(status, f"<Error><Code>{code}</Code></Error>".encode(),
                       "application/xml")


@pytest.fixture
def scripted(monkeypatch: pytest.MonkeyPatch, tmp_path: Path):
    """(S3Storage on a scripted loopback server, its handler class); static test keys."""
    isolate_aws_env(monkeypatch, tmp_path)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKLOOPBACK")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "loopback-secret-never-shown")
    handler = type("Scripted", (ScriptedS3,), {"script": [], "seen": [], "stored": {}})
    with serving(handler) as base:
        server = type("Loopback", (), {"endpoint": base, "public_url": base,
                                       "bucket": "b"})()
        storage = S3Storage(s3_config_for(server))  # type: ignore[arg-type]
        assert storage.wire is not None
        yield storage, handler
        storage.wire.close()


def test_a_dropped_connection_is_tried_again(scripted) -> None:
    storage, server = scripted
    server.script[:] = ["drop", "ok"]
    storage.put_bytes(b"payload", "a.txt", content_type="text/plain")
    assert [step for step, _ in server.seen] == ["drop", "ok"]
    assert server.stored == {"/b/a.txt": b"payload"}
    assert not storage.boto3_started


def test_a_connection_dropped_every_time_is_one_clear_line(scripted) -> None:
    storage, server = scripted
    server.script[:] = ["drop", "drop"]
    with pytest.raises(StorageError) as err:
        storage.put_bytes(b"payload", "a.txt", content_type="text/plain")
    assert err.value.message == f"upload of a.txt: connection to {storage.where} lost"
    assert "run the command again" in (err.value.hint or "")
    assert "loopback-secret" not in f"{err.value.message} {err.value.hint}"
    assert len(server.seen) == 2  # two attempts, no more


def test_a_kept_alive_connection_the_server_dropped_is_replaced_free(scripted,
                                                                     monkeypatch) -> None:
    """With a single attempt allowed, a request on a kept-alive connection the server has
    hung up on still goes through: the stale connection is replaced once, not counted."""
    storage, server = scripted
    storage.wire.attempts = 1
    files = [(f"f{i}.txt", os.urandom(100 + i)) for i in range(3)]
    storage.put_bytes(files[0][1], files[0][0], content_type="text/plain")
    server.script[:] = ["drop-reused"]
    for key, body in files[1:]:
        storage.put_bytes(body, key, content_type="text/plain")
    assert [step for step, _ in server.seen] == ["ok", "drop-reused", "ok", "ok"]
    assert server.stored == {f"/b/{k}": v for k, v in files}
    server.script[:] = ["drop"]  # a fresh connection dropped is a failed attempt
    storage.wire.close()
    with pytest.raises(StorageError, match="lost"):
        storage.put_bytes(b"x", "g.txt", content_type="text/plain")


def test_throttling_is_tried_again_then_named(scripted) -> None:
    storage, server = scripted
    server.script[:] = ["slowdown", "ok"]
    storage.put_bytes(b"payload", "a.txt", content_type="text/plain")
    server.script[:] = ["slowdown", "slowdown"]
    with pytest.raises(StorageError) as err:
        storage.put_bytes(b"payload", "b.txt", content_type="text/plain")
    assert err.value.message == f"upload of b.txt: {storage.where} answered SlowDown"
    assert [step for step, _ in server.seen] == ["slowdown", "ok", "slowdown", "slowdown"]


def test_no_answer_is_bounded_and_says_so(scripted, monkeypatch) -> None:
    from podman.storage import s3

    storage, server = scripted
    storage.wire.read_timeout = 1
    monkeypatch.setattr(s3, "READ_TIMEOUT", 1)
    monkeypatch.setattr(s3, "REQUEST_BOUND", s3.ATTEMPTS * (s3.CONNECT_TIMEOUT + 1))
    server.script[:] = ["stall", "stall"]
    started = time.monotonic()
    with pytest.raises(StorageError) as err:
        storage.put_bytes(b"payload", "a.txt", content_type="text/plain")
    assert time.monotonic() - started < 10  # a guard against hanging, not a timing test
    assert err.value.message == (f"upload of a.txt: no answer from {storage.where} "
                                 f"({s3.ATTEMPTS} attempts of 1 s, at most "
                                 f"{s3.REQUEST_BOUND} s in all)")


@pytest.mark.parametrize("refusal", ["deny", "deny-early"])
def test_a_refusal_is_boto3s_to_answer_and_word(scripted, refusal: str) -> None:
    """A 4xx is never worded by the wire client: boto3 sends the file again and its answer
    gives the message; later files go through boto3 too. `deny-early` refuses a large body
    before it is sent (after `Expect: 100-continue`), and no byte of it goes."""
    storage, server = scripted
    body = os.urandom(1024 * 1024 + 1)
    server.script[:] = [refusal, "deny"]
    with pytest.raises(StorageError) as err:
        storage.put_bytes(body, "a.bin", content_type="audio/mpeg")
    assert err.value.message == (f"upload of a.bin: credentials rejected by {storage.where} "
                                 "(SignatureDoesNotMatch)")
    assert "loopback-secret" not in f"{err.value.message} {err.value.hint}"
    assert storage.boto3_started
    assert [step for step, _ in server.seen] == [refusal, "deny"]
    assert server.seen[0][1] == (b"" if refusal == "deny-early" else body)
    storage.put_bytes(b"later", "b.txt", content_type="text/plain")  # boto3 sends it
    assert server.stored == {"/b/b.txt": b"later"}


def test_a_large_body_waits_for_100_continue_and_arrives_whole(scripted) -> None:
    storage, server = scripted
    body = os.urandom(3 * 1024 * 1024)
    storage.put_bytes(body, "big.bin", content_type="audio/mpeg")
    assert server.stored == {"/b/big.bin": body}
    assert not storage.boto3_started


def test_an_endpoint_nobody_listens_on(scripted, monkeypatch, tmp_path: Path) -> None:
    from tests.fixtures.s3_server import free_port

    endpoint = f"http://127.0.0.1:{free_port()}"
    server = type("Nobody", (), {"endpoint": endpoint, "public_url": endpoint, "bucket": "b"})()
    storage = S3Storage(s3_config_for(server))  # type: ignore[arg-type]
    with pytest.raises(StorageError) as err:
        storage.put_bytes(b"x", "a.txt", content_type="text/plain")
    assert err.value.message == f"upload of a.txt: cannot connect to {endpoint}"
    assert "endpoint_url" in (err.value.hint or "")


def test_a_file_below_the_threshold_is_one_put_streamed_from_disk(s3_env, tmp_path: Path,
                                                                  ) -> None:
    """From 8 MiB up to multipart_threshold a file goes as one PUT that the wire client
    streams from disk (no multipart: the ETag is the MD5), stored whole with its metadata."""
    from tests.fixtures.s3 import MiB

    data = os.urandom(9 * MiB + 3)
    src = tmp_path / "long.mp3"
    src.write_bytes(data)
    sha = hashlib.sha256(data).hexdigest()
    storage = S3Storage(s3_config_for(s3_env, multipart_threshold=64 * MiB))
    assert storage.wire is not None
    sent: list[str] = []
    storage.wire.watchers.append(lambda method, key, headers: sent.append(key))
    assert storage.put_many([Upload(src, "long.mp3", "audio/mpeg", sha)]) == {}
    assert sent == ["long.mp3"] and not storage.boto3_started
    stored = storage.stat("long.mp3")
    assert stored is not None
    assert (stored.sha256, stored.etag, stored.size) == (sha, hashlib.md5(data).hexdigest(),
                                                         len(data))
    assert get_body(f"{s3_env.public_url}/long.mp3") == data


def test_a_streamed_file_is_sent_whole_again_after_a_dropped_connection(
        scripted, tmp_path: Path) -> None:
    storage, server = scripted
    from tests.fixtures.s3 import MiB

    body = os.urandom(9 * MiB)
    src = tmp_path / "long.mp3"
    src.write_bytes(body)
    storage.config = dataclasses.replace(storage.config, multipart_threshold=64 * MiB)
    server.script[:] = ["drop", "ok"]
    assert storage.put_many([Upload(src, "long.mp3", "audio/mpeg", "0" * 64)]) == {}
    assert [step for step, _ in server.seen] == ["drop", "ok"]
    assert server.stored == {"/b/long.mp3": body}
    assert not storage.boto3_started


@contextlib.contextmanager
def tls_s3(monkeypatch, tmp_path: Path) -> Iterator[tuple[S3Storage, type]]:
    """S3Storage over TLS to a scripted loopback server with a self-signed certificate
    (cert.pem in tmp_path), static credentials in the environment."""
    import shutil
    import ssl

    from tests.fixtures.http import QuietServer, running

    if shutil.which("openssl") is None:
        pytest.skip("openssl not installed")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                    "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
                    "-keyout", str(tmp_path / "key.pem"), "-out", str(tmp_path / "cert.pem")],
                   check=True, capture_output=True)
    isolate_aws_env(monkeypatch, tmp_path)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKLOOPBACK")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "loopback-secret-never-shown")
    handler = type("Scripted", (ScriptedS3,), {"script": [], "seen": [], "stored": {}})
    server = QuietServer(("127.0.0.1", 0), handler)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(tmp_path / "cert.pem", tmp_path / "key.pem")
    server.socket = context.wrap_socket(server.socket, server_side=True)
    with running(server) as base:
        endpoint = base.replace("http://", "https://")
        loopback = type("TLS", (), {"endpoint": endpoint, "public_url": endpoint,
                                    "bucket": "b"})()
        yield S3Storage(s3_config_for(loopback)), handler  # type: ignore[arg-type]


def test_a_certificate_the_wire_client_does_not_trust_is_boto3s_call(monkeypatch,
                                                                      tmp_path: Path) -> None:
    """TLS to a self-signed loopback server: the wire client steps aside (boto3 may trust
    what it does not, e.g. through its own bundle), and boto3's refusal is the message."""
    with tls_s3(monkeypatch, tmp_path) as (storage, handler):
        assert storage.wire is not None
        with pytest.raises(StorageError) as err:
            storage.put_bytes(b"x", "a.txt", content_type="text/plain")
    assert storage.boto3_started
    assert err.value.message.startswith("upload of a.txt: ")
    assert "\n" not in err.value.message and "loopback-secret" not in err.value.message
    assert handler.seen == []  # nothing was sent over an untrusted connection


def test_aws_ca_bundle_is_trusted_as_botocore_trusts_it(monkeypatch, tmp_path: Path) -> None:
    """AWS_CA_BUNDLE naming the server's certificate: the wire client verifies against it and
    sends without boto3; a bundle that is not a file is boto3's to report."""
    with tls_s3(monkeypatch, tmp_path) as (storage, handler):
        monkeypatch.setenv("AWS_CA_BUNDLE", str(tmp_path / "cert.pem"))
        storage.put_bytes(b"trusted", "a.txt", content_type="text/plain")
        assert not storage.boto3_started
        assert handler.stored and b"trusted" in handler.stored.values()
    from podman.storage.s3light import light_target

    monkeypatch.setenv("AWS_CA_BUNDLE", str(tmp_path / "missing.pem"))
    assert light_target(storage.config) is None
    plain = s3_config_for(type("Plain", (), {"endpoint": "http://127.0.0.1:9",
                                             "public_url": "http://127.0.0.1:9",
                                             "bucket": "b"})())  # type: ignore[arg-type]
    assert light_target(plain) is not None  # plain http never uses a CA bundle
