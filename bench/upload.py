"""Upload benchmark: podman's S3Storage vs `aws s3 cp` and `rclone copy` against SeaweedFS.

Usage: PYTHONPATH=src:. python bench/upload.py [--scale 0.1] [--sets abc] [--workdir DIR]

Every client runs as a child process, so wall time, CPU seconds (user+sys) and peak RSS are
measured the same way for all of them (os.wait4 gives one child's own rusage).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT / "src"), str(ROOT)]

MiB = 1024 * 1024
GiB = 1024 * MiB


def make_set(folder: Path, count: int, size: int) -> int:
    """`count` files of `size` random-ish bytes (incompressible, unique per file)."""
    folder.mkdir(parents=True, exist_ok=True)
    block = os.urandom(MiB)
    for i in range(count):
        with (folder / f"file-{i:04d}.mp3").open("wb") as fh:
            left = size
            fh.write(os.urandom(64))  # every file differs
            left -= 64
            while left > 0:
                fh.write(block[: min(left, MiB)])
                left -= MiB
    os.sync()  # written back now, not during the first client's run
    return count * size


def run_child(args: list[str], env: dict[str, str]) -> dict[str, float] | None:
    """Run one client; wall seconds, CPU seconds and peak RSS of that child alone."""
    started = time.perf_counter()
    try:
        proc = subprocess.Popen(args, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    except FileNotFoundError:
        return None
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - started
    proc.returncode = os.waitstatus_to_exitcode(status)
    out, err = proc.stdout.read(), proc.stderr.read()  # type: ignore[union-attr]
    if proc.returncode != 0:
        print(f"  ! {' '.join(args[:3])}… failed: {err.decode()[-400:]}", file=sys.stderr)
        return None
    return {"wall": wall, "cpu": usage.ru_utime + usage.ru_stime,
            "rss_mib": usage.ru_maxrss / 1024, "out": out.decode()}  # type: ignore[dict-item]


def podman_cmd(mode: str, server, prefix: str, src: Path) -> list[str]:
    spec = json.dumps({"endpoint": server.endpoint, "bucket": server.bucket,
                       "prefix": prefix, "src": str(src)})
    return [sys.executable, __file__, "--worker", mode, spec]


def aws_cmd(server, prefix: str, src: Path, sync: bool = False) -> list[str] | None:
    aws = shutil.which("aws")
    if aws is None:
        return None
    verb = ["sync"] if sync else ["cp", "--recursive"]
    return [aws, "s3", *verb, str(src), f"s3://{server.bucket}/{prefix}",
            "--endpoint-url", server.endpoint, "--only-show-errors"]


def rclone_cmd(server, prefix: str, src: Path, size_only: bool = False) -> list[str] | None:
    rclone = shutil.which("rclone")
    if rclone is None:
        return None
    remote = f":s3,provider=Other,env_auth=true,endpoint='{server.endpoint}':"
    extra = ["--size-only"] if size_only else []
    return [rclone, "copy", str(src), f"{remote}{server.bucket}/{prefix}", *extra]


def worker(mode: str, spec_text: str) -> None:
    """Child side: podman uploads a folder (put_many) or plans a publish of one."""
    from dataclasses import replace

    from podman.core.config import PublishConfig, StorageConfig, WorkspaceConfig

    spec = json.loads(spec_text)
    config = StorageConfig(backend="s3", bucket=spec["bucket"], prefix=spec["prefix"],
                           endpoint_url=spec["endpoint"], region="us-east-1",
                           addressing_style="path")
    src = Path(spec["src"])
    if mode == "upload":
        from podman.storage.s3 import S3Storage, Upload

        storage = S3Storage(config)
        uploads = [Upload(p, p.name, "audio/mpeg", "0" * 64) for p in sorted(src.iterdir())]
        failures = storage.put_many(uploads)
        if failures:
            raise SystemExit(f"{len(failures)} failed: {next(iter(failures.values()))}")
        print(f"boto3 {'imported' if 'boto3' in sys.modules else 'not imported'}")
        return
    from podman.workflows.publish import plan_publish, publish  # what publish loads, only

    ws = WorkspaceConfig(root=src.parent, storage=replace(config, prefix=""),
                         publish=PublishConfig(prefix=spec["prefix"]))
    if mode == "publish":
        print(len(publish(ws).uploaded))
    else:
        plan = plan_publish(ws)
        print(json.dumps({"upload": len(plan.upload), "unchanged": len(plan.unchanged),
                          "boto3": "boto3" in sys.modules}))


def upload_rounds(server, env: dict[str, str], src: Path, i: int,
                  rounds: int) -> dict[str, dict]:
    """Each client uploads `src` once per round, to a fresh prefix; the order rotates every
    round, so no client always meets a cold or a busy server. The fastest run of each."""
    runs: dict[str, list[dict]] = {"podman": [], "aws": [], "rclone": []}
    for r in range(rounds):
        cmds = [("podman", podman_cmd("upload", server, f"podman/{i}/{r}", src)),
                ("aws", aws_cmd(server, f"aws/{i}/{r}", src)),
                ("rclone", rclone_cmd(server, f"rclone/{i}/{r}", src))]
        for name, cmd in cmds[r % 3:] + cmds[:r % 3]:
            res = run_child(cmd, env) if cmd else None
            if res is not None:
                runs[name].append(res)
        if rounds > 1:
            print("  round", r + 1, " ".join(f"{n} {rs[-1]['wall']:.2f} s" for n, rs in runs.items()
                                             if len(rs) > r))
    return {name: min(rs, key=lambda res: res["wall"]) for name, rs in runs.items() if rs}


def report(name: str, nbytes: int, res: dict[str, float] | None, base: dict | None) -> None:
    if res is None:
        print(f"  {name:<8} not installed / failed")
        return
    mbs = nbytes / 1e6 / res["wall"]
    cpu_gib = res["cpu"] / (nbytes / GiB)
    ratio = ""
    if base and base is not res:  # > 1: this client is faster than podman
        ratio = f"  speed {base['wall'] / res['wall']:.2f}x podman's"
    note = f"  ({res['out'].strip()})" if name == "podman" and res["out"].strip() else ""
    print(f"  {name:<8} {res['wall']:7.2f} s  {mbs:8.1f} MB/s  {cpu_gib:6.2f} CPU-s/GiB"
          f"  peak RSS {res['rss_mib']:6.0f} MiB{ratio}{note}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--workdir", type=Path, default=None)
    parser.add_argument("--plan-files", type=int, default=2000)
    parser.add_argument("--only", choices=("all", "upload", "plan"), default="all")
    parser.add_argument("--sets", default="abc",
                        help="which upload sets: a = 1 x 512 MB, b = 20 x 40 MB, c = 100 x 2 MB"
                             " (sizes times --scale); default abc")
    parser.add_argument("--repeat", type=int, default=1,
                        help="upload each set this many rounds (order rotating) and report "
                             "each client's fastest run; default 1")
    parser.add_argument("--worker", nargs=2, metavar=("MODE", "SPEC"))
    args = parser.parse_args()
    if args.worker:
        worker(*args.worker)
        return
    from tests.fixtures.s3_server import SeaweedS3

    work = args.workdir or Path(tempfile.mkdtemp(prefix="podman-bench-"))
    server = SeaweedS3(work / "server", bucket="bench")
    server.start()
    # AWS_CA_BUNDLE etc. from the host would only confuse clients of a plain-http endpoint
    host_env = {k: v for k, v in os.environ.items() if k not in ("AWS_CA_BUNDLE", "AWS_PROFILE")}
    env = {**host_env, **server.env(), "AWS_CONFIG_FILE": str(work / "none"),
           "AWS_SHARED_CREDENTIALS_FILE": str(work / "none"), "RCLONE_CONFIG": str(work / "none"),
           "PYTHONPATH": f"{ROOT / 'src'}:{ROOT}"}
    try:
        s = args.scale
        sets = {"a: 1 x 512 MB": (1, int(512 * MiB * s)),
                "b: 20 x 40 MB": (20, int(40 * MiB * s)),
                "c: 100 x 2 MB": (100, int(2 * MiB * s))}
        print(f"SeaweedFS at {server.endpoint}; scale {s}; data in {work}")
        for i, (label, (count, size)) in enumerate(sets.items() if args.only != "plan" else ()):
            if label[0] not in args.sets:
                continue
            src = work / f"set{i}"
            nbytes = make_set(src, count, size)
            print(f"set {label} ({nbytes / 1e6:.0f} MB)"
                  + (f", best of {args.repeat} rounds" if args.repeat > 1 else ""))
            best = upload_rounds(server, env, src, i, args.repeat)
            base = best.get("podman")
            for name in ("podman", "aws", "rclone"):
                report(name, nbytes, best.get(name), base)
            shutil.rmtree(src)
        if args.only != "upload":
            bench_plan(work, server, env, args.plan_files)
    finally:
        server.stop()


def bench_plan(work: Path, server, env: dict[str, str], count: int) -> None:
    """How long deciding 'nothing to upload' takes for `count` published objects."""
    public = work / "ws" / "public"
    for i in range(count):
        path = public / f"show{i % 20}" / f"page-{i:05d}.html"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(f"<html>page {i}</html>" + "x" * (i % 500))
    first = run_child(podman_cmd("publish", server, "site", public), env)
    print(f"no-op check over {count} published objects"
          f" (first publish: {first['wall']:.1f} s)" if first else "")
    tools = {"podman": podman_cmd("plan", server, "site", public),
             "rclone": rclone_cmd(server, "site", public, size_only=True),
             "aws": aws_cmd(server, "site", public, sync=True)}
    base = None
    for name, cmd in tools.items():
        if cmd is None:
            print(f"  {name:<8} not installed")
            continue
        runs = [r for r in (run_child(cmd, env) for _ in range(3)) if r]
        if not runs:
            print(f"  {name:<8} failed")
            continue
        best = min(runs, key=lambda r: r["wall"])
        base = base or best
        note = f"  ({best['out'].strip()})" if name == "podman" else ""
        ratio = f"  x{best['wall'] / base['wall']:.2f} time vs podman" if base is not best else ""
        print(f"  {name:<8} {best['wall']:6.2f} s  CPU {best['cpu']:5.2f} s{ratio}{note}")


if __name__ == "__main__":
    main()
