"""A bucket listing without boto3 (SigV4 over http.client), so a no-op publish stays fast.

`light_target` decides which cases the boto3-free clients (this listing, `s3wire`'s PUTs) take.
Only the plain cases are handled: static credentials from the environment or the shared
credentials file, an explicit endpoint or a known AWS region. Anything else (roles, SSO,
credential processes, proxies, an AWS_CA_BUNDLE that is not a file, redirects, any error)
answers None and the caller lists through boto3, which gives the authoritative result or
error. A readable AWS_CA_BUNDLE is trusted here as botocore trusts it.
"""

from __future__ import annotations

import configparser
import datetime as dt
import functools
import hashlib
import hmac
import ipaddress
import os
import re
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote_plus, urlsplit
from xml.etree import ElementTree

from podman.core.config import StorageConfig
from podman.storage import StoredObject

EMPTY_SHA256 = hashlib.sha256(b"").hexdigest()
UNSIGNED_PAYLOAD = "UNSIGNED-PAYLOAD"  # Content-MD5 (signed) covers the body instead
S3_NS = "{http://s3.amazonaws.com/doc/2006-03-01/}"
_FALLBACK_ENV = ("HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy", "AWS_ENDPOINT_URL",
                 "AWS_ENDPOINT_URL_S3", "AWS_ROLE_ARN", "AWS_WEB_IDENTITY_TOKEN_FILE",
                 "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
                 "AWS_CONTAINER_CREDENTIALS_FULL_URI")
_ROLE_KEYS = ("role_arn", "credential_source", "credential_process", "web_identity_token_file",
              "sso_session", "sso_start_url", "sso_account_id", "source_profile")
_DNS_BUCKET = re.compile(r"^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$")


class _Unsupported(Exception):
    """This case is boto3's: the light listing steps aside."""


def _ini(path_env: str, default: str) -> configparser.ConfigParser:
    parser = configparser.ConfigParser(interpolation=None)
    path = Path(os.environ.get(path_env) or Path.home() / default).expanduser()
    try:
        parser.read(path, encoding="utf-8")
    except (OSError, configparser.Error, UnicodeDecodeError) as exc:
        raise _Unsupported from exc
    return parser


def static_credentials(profile: str) -> tuple[str, str, str] | None:
    """(key id, secret, session token) as botocore's chain would find them, for the static
    cases only: environment variables (unless [storage] profile names one), then the shared
    credentials file when the profile has no role, SSO or process configured; else None."""
    try:
        return _static_credentials(profile)
    except _Unsupported:
        return None


def _static_credentials(profile: str) -> tuple[str, str, str]:
    env = os.environ
    name = profile or env.get("AWS_PROFILE") or env.get("AWS_DEFAULT_PROFILE") or "default"
    config = _ini("AWS_CONFIG_FILE", ".aws/config")
    section = name if name == "default" else f"profile {name}"
    creds = _ini("AWS_SHARED_CREDENTIALS_FILE", ".aws/credentials")
    if name != "default" and not (config.has_section(section) or creds.has_section(name)):
        raise _Unsupported  # a profile named but nowhere: boto3 says so before anything else
    if not profile and env.get("AWS_ACCESS_KEY_ID") and env.get("AWS_SECRET_ACCESS_KEY"):
        return env["AWS_ACCESS_KEY_ID"], env["AWS_SECRET_ACCESS_KEY"], \
            env.get("AWS_SESSION_TOKEN", "")
    if any(env.get(k) for k in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY")) and not profile:
        raise _Unsupported  # partial credentials: boto3 reports them
    if config.has_section(section) and any(config.has_option(section, k) for k in _ROLE_KEYS):
        raise _Unsupported
    if not creds.has_section(name):
        raise _Unsupported
    key = creds.get(name, "aws_access_key_id", fallback="")
    secret = creds.get(name, "aws_secret_access_key", fallback="")
    if not key or not secret:
        raise _Unsupported
    return key, secret, creds.get(name, "aws_session_token", fallback="")


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return False
    return True


def _endpoint(config: StorageConfig) -> tuple[str, str, str, str]:
    """(scheme, host[:port], path prefix of the bucket, signing region)."""
    region = (config.region or os.environ.get("AWS_REGION")
              or os.environ.get("AWS_DEFAULT_REGION") or "")
    bucket = config.bucket
    if config.endpoint_url:
        url = urlsplit(config.endpoint_url)
        if (url.scheme not in ("http", "https") or not url.hostname
                or url.path not in ("", "/") or url.username or url.password
                or url.query or url.fragment):
            raise _Unsupported
        netloc, region = url.netloc, region or "us-east-1"
        style = config.addressing_style
        if style == "auto":
            hostable = _DNS_BUCKET.match(bucket) and not (url.scheme == "https" and "." in bucket)
            style = "path" if _is_ip(url.hostname) or not hostable else "virtual"
        if style == "path":
            return url.scheme, netloc, f"/{bucket}", region
        return url.scheme, f"{bucket}.{netloc}", "", region
    if not region or config.addressing_style == "path" or not _DNS_BUCKET.match(bucket):
        raise _Unsupported  # AWS with region discovery or dotted buckets: boto3 knows how
    return "https", f"{bucket}.s3.{region}.amazonaws.com", "", region


def _sign(key: bytes, text: str) -> bytes:
    return hmac.new(key, text.encode("utf-8"), hashlib.sha256).digest()


def signed_headers(method: str, host: str, path: str, query: dict[str, str], region: str,
                   creds: tuple[str, str, str], now: dt.datetime,
                   extra: dict[str, str] | None = None,
                   payload: str = EMPTY_SHA256) -> dict[str, str]:
    """AWS Signature Version 4 headers: `extra` headers (lower-case names) are sent and signed;
    `payload` is the body's SHA-256 hex, or UNSIGNED_PAYLOAD."""
    key_id, secret, token = creds
    stamp, day = now.strftime("%Y%m%dT%H%M%SZ"), now.strftime("%Y%m%d")
    headers = {**(extra or {}), "host": host, "x-amz-content-sha256": payload,
               "x-amz-date": stamp}
    if token:
        headers["x-amz-security-token"] = token
    names = sorted(headers)
    canonical_query = "&".join(f"{quote(k, safe='-_.~')}={quote(v, safe='-_.~')}"
                               for k, v in sorted(query.items()))
    canonical = "\n".join([
        method, quote(path or "/", safe="/-_.~"), canonical_query,
        "".join(f"{n}:{' '.join(headers[n].split())}\n" for n in names), ";".join(names),
        payload,
    ])
    scope = f"{day}/{region}/s3/aws4_request"
    to_sign = "\n".join(["AWS4-HMAC-SHA256", stamp, scope,
                         hashlib.sha256(canonical.encode("utf-8")).hexdigest()])
    signing = _sign(_sign(_sign(_sign(f"AWS4{secret}".encode(), day), region), "s3"),
                    "aws4_request")
    signature = hmac.new(signing, to_sign.encode("utf-8"), hashlib.sha256).hexdigest()
    headers["authorization"] = (f"AWS4-HMAC-SHA256 Credential={key_id}/{scope}, "
                                f"SignedHeaders={';'.join(names)}, Signature={signature}")
    return headers


def light_target(config: StorageConfig) -> tuple[str, str, str, str, tuple[str, str, str]] | None:
    """(scheme, host[:port], bucket path prefix, signing region, credentials) when the light
    client may talk to this bucket; None when the case is boto3's (see the module docstring)."""
    try:
        if any(os.environ.get(k) for k in _FALLBACK_ENV):
            raise _Unsupported
        creds = _static_credentials(config.profile)
        scheme, host, path, region = _endpoint(config)
        bundle = os.environ.get("AWS_CA_BUNDLE")
        if scheme == "https" and bundle and not os.path.isfile(bundle):
            raise _Unsupported  # boto3 names the missing bundle
    except _Unsupported:
        return None
    return scheme, host, path, region, creds


def tls_context() -> Any:
    """A TLS context trusting what botocore trusts: AWS_CA_BUNDLE when set (plain-http
    endpoints never use it), else certifi's bundle when installed, else the one botocore
    ships (found without importing botocore), else the system's."""
    return _tls(os.environ.get("AWS_CA_BUNDLE") or None)


@functools.cache
def _tls(bundle: str | None) -> Any:
    import importlib.util
    import ssl

    if bundle:
        return ssl.create_default_context(cafile=bundle)
    try:
        import certifi

        return ssl.create_default_context(cafile=certifi.where())
    except ImportError:
        pass
    spec = importlib.util.find_spec("botocore")
    if spec is not None and spec.origin:
        shipped = os.path.join(os.path.dirname(spec.origin), "cacert.pem")
        if os.path.exists(shipped):
            return ssl.create_default_context(cafile=shipped)
    return ssl.create_default_context()


def _text(node: ElementTree.Element, tag: str) -> str:
    found = node.find(S3_NS + tag)
    return (found.text or "") if found is not None else ""


def light_list(config: StorageConfig, prefix: str, *, timeout: float = 30.0,
               page_size: int = 1000) -> dict[str, StoredObject] | None:
    """ListObjectsV2 of `prefix` (a full key prefix) as {full key: object}; None = use boto3."""
    import http.client

    found = light_target(config)
    if found is None:
        return None
    scheme, host, path, region, creds = found
    conn = (http.client.HTTPSConnection(host, timeout=timeout, context=tls_context())
            if scheme == "https" else http.client.HTTPConnection(host, timeout=timeout))
    out: dict[str, StoredObject] = {}
    query = {"list-type": "2", "encoding-type": "url", "max-keys": str(page_size),
             "prefix": prefix}
    try:
        while True:
            headers = signed_headers("GET", host, path, query, region, creds,
                                     dt.datetime.now(dt.UTC))
            target = (quote(path or "/", safe="/-_.~") + "?" + "&".join(
                f"{quote(k, safe='-_.~')}={quote(v, safe='-_.~')}" for k, v in query.items()))
            conn.request("GET", target, headers=headers)
            resp = conn.getresponse()
            body = resp.read()
            if resp.status != 200:
                return None
            root = ElementTree.fromstring(body)
            for item in root.iter(S3_NS + "Contents"):
                key = unquote_plus(_text(item, "Key"))
                out[key] = StoredObject(key=key, size=int(_text(item, "Size")),
                                        etag=_text(item, "ETag").strip('"') or None)
            token = _text(root, "NextContinuationToken")
            if _text(root, "IsTruncated") != "true" or not token:
                return out
            query["continuation-token"] = token
    except (OSError, http.client.HTTPException, ElementTree.ParseError, ValueError):
        return None
    finally:
        conn.close()


__all__ = ["light_list", "light_target", "signed_headers", "static_credentials", "tls_context"]
