"""Real `fieldmark-server serve` processes on a test's database, for what one in-process server
cannot show: several processes acting as one, rate limits shared between them, SIGTERM."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.server.conftest import ROOT, free_port


@dataclass(frozen=True)
class ServerProcess:
    process: subprocess.Popen[bytes]
    url: str
    log: Path


def _wait_ready(server: ServerProcess) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            pytest.fail(f"server exited: {server.log.read_text()}")
        try:
            if httpx.get(server.url + "/readyz", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            time.sleep(0.1)
    pytest.fail(f"server did not start: {server.log.read_text()}")


@contextmanager
def serving(data_dir: Path, settings: dict[str, Any], count: int = 1) -> Iterator[list[ServerProcess]]:
    """``count`` server processes on one data folder whose server.json holds ``settings`` (the
    database at least). On leaving, each gets SIGTERM and must shut down gracefully."""
    (data_dir / "server.json").write_text(json.dumps(settings), encoding="utf-8")
    servers: list[ServerProcess] = []
    try:
        for i in range(count):
            port = free_port()
            log = data_dir / f"server{i}.log"
            with log.open("wb") as out:
                process = subprocess.Popen(
                    [sys.executable, "-m", "server.cli", "serve", "--data-dir", str(data_dir), "--port", str(port)],
                    cwd=ROOT, stdout=out, stderr=subprocess.STDOUT)
            servers.append(ServerProcess(process, f"http://127.0.0.1:{port}", log))
        for server in servers:
            _wait_ready(server)
        yield servers
    finally:
        for server in servers:
            if server.process.poll() is None:
                server.process.terminate()  # SIGTERM: uvicorn's graceful shutdown
        for server in servers:
            # uvicorn finishes the requests in flight, then re-raises the signal (-15).
            assert server.process.wait(timeout=60) in (0, -15)
            assert "Finished server process" in server.log.read_text(encoding="utf-8")
