"""A laptop data folder on a disk that fills up, for tests of what a full disk does to a sync.

``small_disk(folder, size)`` gives a :class:`Disk` in one of two ways (``disk_modes()`` lists
those this machine allows; the first is the one to prefer):

``tmpfs``  as root where mounting is allowed: a tmpfs of ``size`` bytes mounted on ``folder``.
           ``fill(leave)`` writes a filler file until the disk refuses, then gives back ``leave``
           bytes; ``free()`` deletes it. Every process sees the full disk, as on a real laptop.
``fsize``  anywhere else: RLIMIT_FSIZE. ``fill(leave)`` caps every file of the process at
           ``leave`` bytes, so a write past it fails with EFBIG (SIGXFSZ is ignored, or the kernel
           would kill the process instead). The cap is the whole process's, server threads
           included, so only a child process may set it.

Either way the sync under test runs in a child process, ``run_child_sync`` (this module's
``main``), which fills the disk at a chosen point of the sync; the test process, its in-process
server and pytest itself never meet the full disk. The child prints the ``SyncResult`` as JSON,
or, with ``cli=True``, runs ``fieldmark sync`` and exits with its code.
"""

from __future__ import annotations

import argparse
import contextlib
import errno
import functools
import json
import os
import resource
import signal
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import keyring

from tests.server.conftest import ROOT

FILLER = ".filler"
_CHUNK = 64 * 1024


def _mount(folder: Path, size: int) -> bool:
    if os.geteuid() != 0:
        return False
    answer = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size},mode=0755", "tmpfs", str(folder)],
                            capture_output=True, check=False)
    return answer.returncode == 0


def _unmount(folder: Path) -> None:
    # Lazy: a file a failed test left open must not keep the mount (and the next run) hanging.
    subprocess.run(["umount", "-l", str(folder)], capture_output=True, check=False)


@functools.cache
def disk_modes() -> list[str]:
    """The ways this machine can give a small disk, the preferred first (fsize always works)."""
    with tempfile.TemporaryDirectory() as probe:
        mountable = _mount(Path(probe), 1024 * 1024)
        if mountable:
            _unmount(Path(probe))
    return ["tmpfs", "fsize"] if mountable else ["fsize"]  # (a loop image needs mounting too)


@dataclass(frozen=True)
class Disk:
    path: Path
    mode: str

    def fill(self, leave: int = 0) -> None:
        """Leave only ``leave`` bytes for what is written next (fsize: only in a child process)."""
        if self.mode == "fsize":
            fill_by_limit(leave)
            return
        # Unbuffered, so that what the disk refused is not waiting in a buffer to be written later.
        fd = os.open(self.path / FILLER, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        try:
            block = b"\0" * _CHUNK
            written = 0
            while True:
                try:
                    written += os.write(fd, block)
                except OSError as exc:
                    if exc.errno != errno.ENOSPC:
                        raise
                    break
            os.ftruncate(fd, max(0, written - leave))
        finally:
            os.close(fd)

    def free(self) -> None:
        """Room again (fsize: the cap is lifted, in the child that set it; elsewhere there is none)."""
        if self.mode == "fsize":
            _, hard = resource.getrlimit(resource.RLIMIT_FSIZE)
            resource.setrlimit(resource.RLIMIT_FSIZE, (hard, hard))
        (self.path / FILLER).unlink(missing_ok=True)


def fill_by_limit(leave: int) -> None:
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    _, hard = resource.getrlimit(resource.RLIMIT_FSIZE)
    resource.setrlimit(resource.RLIMIT_FSIZE, (leave, hard))


@contextlib.contextmanager
def small_disk(folder: Path, size: int, mode: str | None = None) -> Iterator[Disk]:
    """A folder on a disk of about ``size`` bytes (fsize: a plain folder, its cap set by fill)."""
    folder.mkdir(parents=True, exist_ok=True)
    mode = mode or disk_modes()[0]
    if mode == "tmpfs":
        if not _mount(folder, size):
            raise RuntimeError(f"cannot mount a tmpfs on {folder}")
        try:
            yield Disk(folder, mode)
        finally:
            _unmount(folder)
    else:
        yield Disk(folder, mode)


# --- the child: one sync on the laptop whose disk fills ------------------------------------------


@dataclass(frozen=True)
class ChildRun:
    code: int
    result: dict[str, object]
    stdout: str
    stderr: str


def run_child_sync(disk: Disk, data_dir: Path, server_url: str, login: str, token: str, *, fill_at: str,
                   leave: int = 0, cli: bool = False) -> ChildRun:
    """Sync ``data_dir`` in a child process that fills ``disk`` when the sync reaches ``fill_at``:
    "start" (before anything is written) or "PHASE:N" (the first progress report of that phase
    with N items done, e.g. "fetch:1" once one photo is stored, "push:0" once the changeset is
    kept and before it is sent)."""
    argv = [sys.executable, "-m", "tests.server.full_disk", "--data-dir", str(data_dir), "--server", server_url,
            "--login", login, "--disk", str(disk.path), "--mode", disk.mode, "--fill-at", fill_at,
            "--leave", str(leave)] + (["--cli"] if cli else [])
    done = subprocess.run(argv, input=token + "\n", capture_output=True, text=True, cwd=ROOT, timeout=300,
                          env=os.environ | {"QT_QPA_PLATFORM": "offscreen"}, check=False)
    result: dict[str, object] = {}
    if not cli and done.returncode == 0:
        result = json.loads(done.stdout.strip().splitlines()[-1])
    return ChildRun(done.returncode, result, done.stdout, done.stderr)


def _sync_filling(disk: Disk, fill_at: str, leave: int):  # noqa: ANN202 - wraps engine.sync
    from app.sync import engine

    real = engine.sync

    def sync(profile, session, progress=None, **kw):  # noqa: ANN001, ANN202 - engine.sync's own
        # Whatever the WAL holds goes into the database first and the WAL file is emptied, so the
        # pull's first write needs new room (a WAL reused from its start would need none).
        profile.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        if fill_at == "start":
            disk.fill(leave)
        phase, _, count = fill_at.partition(":")
        filled = [fill_at == "start"]

        def watch(step: engine.Progress) -> None:
            if not filled[0] and step.phase == phase and step.items_done == int(count or 0):
                filled[0] = True
                disk.fill(leave)
            if progress is not None:
                progress(step)

        return real(profile, session, watch, **kw)

    return sync


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="one sync on a laptop whose disk fills (tests only)")
    for name in ("--data-dir", "--server", "--login", "--disk", "--mode", "--fill-at"):
        parser.add_argument(name, required=True)
    parser.add_argument("--leave", type=int, default=0)
    parser.add_argument("--cli", action="store_true")
    args = parser.parse_args(argv)
    token = sys.stdin.readline().strip()
    disk = Disk(Path(args.disk), args.mode)
    sync = _sync_filling(disk, args.fill_at, args.leave)

    from app.sync.client import Retry

    quick = Retry(attempts=3, first_wait=0.0, longest_wait=0.0, timeout=10.0)
    if args.cli:
        from app import cli_sync, credentials
        from app.cli import main as fieldmark
        from tests.server.sync_support import MemoryKeyring

        cli_sync.sync = sync  # type: ignore[assignment]
        cli_sync.RETRY = quick
        # This process's own keychain, holding the test's token as `fieldmark login` would.
        keyring.set_keyring(MemoryKeyring())
        credentials.save_token(args.server, args.login, token)
        return fieldmark(["sync", "--data-dir", args.data_dir])
    from app.profile import Profile
    from app.sync.device import Session

    with Profile.open(Path(args.data_dir)) as profile:
        result = sync(profile, Session(args.server, args.login, token), retry=quick)
    print(json.dumps({"reason": result.reason, "message": result.message, "items_pulled": result.items_pulled,
                      "rows_pulled": result.rows_pulled, "blobs_fetched": result.blobs_fetched,
                      "rows_pushed": result.rows_pushed, "receipts": len(result.receipts)}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
