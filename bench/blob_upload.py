"""Blob upload: 100 photos of 3 MB PUT to the server over loopback, against a plain HTTP PUT of the
same bytes to a minimal ASGI handler measured in the same run; on files and on SeaweedFS.

Client (this process, httpx, one keep-alive connection, one photo after another as a sync sends
them) and servers (uvicorn, one process each) are separate processes. The server's upload checks
the token, re-hashes while streaming and stores atomically (files: temp file, fsync, rename; S3:
one verified PUT). Two baselines run beside it:

- "plain PUT": the minimal ASGI handler reads the body and drops it (what HTTP alone costs);
- "plain PUT + write": the same handler writes the body to a file, without fsync.

- "store alone": the same photos put into the same kind of store in this process, with no HTTP
  (files: write, fsync, rename; S3: one PUT to the object server). On this machine the disk or the
  object server, not HTTP, is the narrower pipe, so the figure that says how much the server's own
  path costs is its throughput against the slower of "plain PUT" and "store alone".

Rounds alternate between the servers so that drift on the machine hits all of them alike; each
round uses new photos (the server would otherwise only verify blobs it already holds).

    python bench/blob_upload.py
"""

from __future__ import annotations

import os
import random
import statistics
import struct
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import httpx  # noqa: E402

from bench.common import Figure, print_table  # noqa: E402

PHOTOS = 100
PHOTO_BYTES = 3 * 1024 * 1024
ROUNDS = 3
TARGET = 80.0  # percent of the plain PUT's throughput
ROOT = Path(__file__).resolve().parent.parent


# --- the servers (run by uvicorn in their own processes) --------------------------------------

def server_app() -> Any:
    """uvicorn factory: the Fieldmark server on FIELDMARK_SERVER_DIR and FIELDMARK_BLOBS."""
    from app.sync.protocol import API_PREFIX
    from server.api import blobs
    from server.app import create_app
    from server.config import load_config

    app = create_app(load_config(os.environ["FIELDMARK_SERVER_DIR"], blobs=os.environ["FIELDMARK_BLOBS"]))
    if not any(getattr(r, "path", "").startswith(API_PREFIX + "/blobs") for r in app.routes):
        app.include_router(blobs.router)
    return app


async def plain_app(scope: dict[str, Any], receive: Callable[..., Any], send: Callable[..., Any]) -> None:
    """The baseline: a bare ASGI handler that takes a PUT body; writes it if PLAIN_DIR is set."""
    if scope["type"] == "lifespan":
        while (await receive())["type"] != "lifespan.shutdown":
            await send({"type": "lifespan.startup.complete"})
        await send({"type": "lifespan.shutdown.complete"})
        return
    folder = os.environ.get("PLAIN_DIR")
    out = open(Path(folder) / scope["path"].rsplit("/", 1)[-1], "wb") if folder else None  # noqa: SIM115
    try:
        more = True
        while more:
            message = await receive()
            if out is not None:
                out.write(message.get("body", b""))
            more = message.get("more_body", False)
    finally:
        if out is not None:
            out.close()
    await send({"type": "http.response.start", "status": 201, "headers": [(b"content-length", b"0")]})
    await send({"type": "http.response.body", "body": b""})


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Uvicorn:
    def __init__(self, target: str, env: dict[str, str], factory: bool) -> None:
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        args = [sys.executable, "-m", "uvicorn", target, "--host", "127.0.0.1", "--port",
                str(self.port), "--log-level", "warning", "--no-access-log"]
        self.process = subprocess.Popen([*args, "--factory"] if factory else args,
                                        cwd=ROOT, env={**os.environ, **env})
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                httpx.get(self.url + "/healthz", timeout=1)
                return
            except httpx.HTTPError:
                time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"{target} did not start")

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()


# --- the client ---------------------------------------------------------------------------------

def photos(round_no: int, bases: list[bytes]) -> Iterator[tuple[str, bytes]]:
    """100 distinct 3 MB photos for a round: incompressible bytes, a unique head each."""
    import hashlib

    for i in range(PHOTOS):
        data = struct.pack(">II", round_no, i) + bases[i % len(bases)][8:]
        yield hashlib.sha256(data).hexdigest(), data


def upload(base_url: str, path: str, token: str | None, round_no: int, bases: list[bytes]) -> float:
    """Seconds to PUT one round of photos, one after another on one connection."""
    headers = {"Fieldmark-Protocol": "1", "Content-Type": "application/octet-stream"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    batch = list(photos(round_no, bases))
    with httpx.Client(base_url=base_url, headers=headers, timeout=60) as client:
        client.get("/healthz")  # the connection is open before the clock starts
        start = time.perf_counter()
        for sha, data in batch:
            answer = client.put(f"{path}/{sha}", content=data)
            if answer.status_code not in (200, 201):
                raise RuntimeError(f"upload refused: {answer.status_code} {answer.text[:200]}")
        return time.perf_counter() - start


def make_token(data_dir: Path, blobs_url: str) -> str:
    from server.accounts import add_account, issue_token
    from server.config import load_config
    from server.store.database import migrate, open_engine

    config = load_config(data_dir, blobs=blobs_url)
    engine = open_engine(config.database_url)
    migrate(engine)
    with engine.begin() as conn:
        account = add_account(conn, login="bench", password="bench-password-1", role="admin",
                              scope_code=None)
        token = issue_token(conn, config, account).token
    engine.dispose()
    return token


def store_alone(blobs_url: str, round_no: int, bases: list[bytes]) -> float:
    """Seconds to put one round of photos straight into a store like the server's, no HTTP."""
    from server.store.blobs import open_blob_store

    store = open_blob_store(blobs_url)
    batch = list(photos(round_no, bases))
    block = 1024 * 1024
    try:
        start = time.perf_counter()
        for sha, data in batch:
            store.put(sha, (data[i:i + block] for i in range(0, len(data), block)), limit=len(data))
        return time.perf_counter() - start
    finally:
        store.close()


def _alone_url(blobs_url: str) -> str:
    """The same kind of store beside the server's, so its photos are new to it."""
    if blobs_url.startswith("file://"):
        return blobs_url + "-alone"
    head, _, query = blobs_url.partition("?")
    return f"{head}-alone?{query}"


def measure(blobs_url: str, data_dir: Path, plain_dir: Path, bases: list[bytes]) -> dict[str, float]:
    """Best throughput (MB/s) of each server, and of the store alone, over ROUNDS alternating rounds."""
    from app.sync.protocol import API_PREFIX

    data_dir.mkdir(parents=True)
    plain_dir.mkdir(parents=True)
    token = make_token(data_dir, blobs_url)
    servers = {
        "fieldmark": (Uvicorn("bench.blob_upload:server_app", {
            "FIELDMARK_SERVER_DIR": str(data_dir), "FIELDMARK_BLOBS": blobs_url}, True),
            API_PREFIX + "/blobs", token),
        "plain": (Uvicorn("bench.blob_upload:plain_app", {"PLAIN_DIR": ""}, False), "/put", None),
        "plain+write": (Uvicorn("bench.blob_upload:plain_app", {"PLAIN_DIR": str(plain_dir)}, False),
                        "/put", None),
    }
    seconds: dict[str, list[float]] = {name: [] for name in [*servers, "store alone"]}
    try:
        for round_no in range(ROUNDS):
            for name, (server, path, tok) in servers.items():
                seconds[name].append(upload(server.url, path, tok, round_no, bases))
            seconds["store alone"].append(store_alone(_alone_url(blobs_url), round_no, bases))
    finally:
        for server, _path, _tok in servers.values():
            server.stop()
    total_mb = PHOTOS * PHOTO_BYTES / 1e6
    return {name: total_mb / min(times) for name, times in seconds.items()} | {
        f"{name} median": total_mb / statistics.median(times) for name, times in seconds.items()}


def run() -> list[Figure]:
    from tests.server.blob_support import start_seaweedfs

    rng = random.Random(2026)
    bases = [rng.randbytes(PHOTO_BYTES) for _ in range(10)]
    figures: list[Figure] = []
    with tempfile.TemporaryDirectory(prefix="fm-bench-blobs-") as tmp:
        folder = Path(tmp)
        results = {"files": measure(f"file://{folder / 'media'}", folder / "data-files",
                                    folder / "plain-files", bases)}
        weed = start_seaweedfs()
        try:
            results["SeaweedFS"] = measure(weed.url(weed.new_bucket(), "media"), folder / "data-s3",
                                           folder / "plain-s3", bases)
        finally:
            weed.stop()
    for store, mbs in results.items():
        narrower = min(mbs["plain"], mbs["store alone"])
        figures += [
            Figure(f"blobs: upload, {store} / slower of plain PUT and store alone "
                   f"({narrower:.0f} MB/s)", 100 * mbs["fieldmark"] / narrower, "%", TARGET, sense="min"),
            Figure(f"blobs: upload 100 x 3 MB, {store} / plain PUT (bare ASGI)",
                   100 * mbs["fieldmark"] / mbs["plain"], "%", TARGET, sense="min"),
            Figure(f"blobs: upload 100 x 3 MB, {store} / plain PUT + file write",
                   100 * mbs["fieldmark"] / mbs["plain+write"], "%", TARGET, sense="min"),
            Figure(f"blobs: upload throughput, {store} (plain {mbs['plain']:.0f}, +write "
                   f"{mbs['plain+write']:.0f}, store alone {mbs['store alone']:.0f} MB/s)",
                   mbs["fieldmark"], "MB/s", 100, sense="min"),
        ]
    return figures


if __name__ == "__main__":
    print_table(run())
