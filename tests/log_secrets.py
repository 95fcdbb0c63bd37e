"""Secrets never reach a log: checked over the whole test run, whatever part of it runs.

For the run, every log record of the process (the root logger at DEBUG: the server's request
log, uvicorn's, httpx's and the app's own) is also written to one session log file. Helpers and
fixtures that make a password, a token or a device key record it with :func:`remember`
(tests/conftest.py also wraps the server's account functions, so every password set and every
token issued in this process is recorded). At the end of the run the session log, and every
log file the run left in pytest's temporary folder (the desktop's ``fieldmark.log*``, the
``server*.log`` of server processes), are searched for every recorded secret; one found fails
the run with the file and the line.

The search stays cheap for a full run: each secret is looked up by its longest run of token
characters (``[A-Za-z0-9_+/-]``, 8 or more) in a set of the logs' runs of the same characters,
and only a text holding such a run is searched, line by line, for the whole secret. A secret without such a run
is searched for in the whole text.

A test that writes a secret into a log file on purpose (to check that something blanks it out)
marks itself ``@pytest.mark.plants_secrets``: what it records is not watched.
"""

from __future__ import annotations

import logging
import os
import re
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import pytest

MIN_LENGTH = 8
_RUN = re.compile(rf"[A-Za-z0-9_+/-]{{{MIN_LENGTH},}}")
# Log files a run leaves: the desktop's rotating log and a server process's output.
LOG_NAMES = re.compile(r"\.log(\.\d+)?$")
FORMAT = "%(asctime)s %(levelname)s %(name)s [%(threadName)s]: %(message)s"

_secrets: set[str] = set()
_planting = False


def remember(*secrets: str | None) -> None:
    """Watch these secrets: none may appear in a log of this run."""
    if _planting:
        return
    for secret in secrets:
        if secret and len(secret) >= MIN_LENGTH:
            _secrets.add(secret)


def remembered() -> frozenset[str]:
    return frozenset(_secrets)


def set_planting(on: bool) -> None:
    global _planting
    _planting = on


def _key(secret: str) -> str | None:
    runs = _RUN.findall(secret)
    return max(runs, key=len) if runs else None


def find_secrets(text: str, secrets: Iterable[str]) -> Iterator[tuple[int, str, str]]:
    """(line number, secret, line) for every line of ``text`` holding a secret."""
    by_key: dict[str, list[str]] = {}
    suspects: list[str] = []
    for secret in secrets:
        key = _key(secret)
        if key is None:
            if secret in text:
                suspects.append(secret)
        else:
            by_key.setdefault(key, []).append(secret)
    for key in set(_RUN.findall(text)) & by_key.keys():
        suspects += [s for s in by_key[key] if s in text]
    if not suspects:
        return
    for number, line in enumerate(text.splitlines(), 1):
        for secret in suspects:
            if secret in line:
                yield number, secret, line


class BrowserCookies(logging.Filter):
    """Blank the cookies in the response headers that httpcore logs at DEBUG.

    A Set-Cookie header carries the office pages' session to the client: in real use a browser,
    which writes no log; in the tests an httpx client in this very process. The desktop never
    logs in to the pages, and its log file holds only its own ``fieldmark`` loggers. Every other
    header, and every URL, stays in the searched log as it was.
    """

    _COOKIE = re.compile(r"(set-cookie', b'[^=]+=)[^;']*")

    def filter(self, record: logging.LogRecord) -> bool:
        if record.name.startswith("httpcore"):
            message = record.getMessage()
            if "set-cookie" in message:
                record.msg, record.args = self._COOKIE.sub(r"\1<cookie>", message), None
        return True


class SessionLog:
    """The run's log file, on the root logger at DEBUG from the start of the run to its end."""

    def __init__(self, folder: Path | None = None) -> None:
        folder = folder or Path(tempfile.gettempdir()) / "fieldmark-test-logs"
        folder.mkdir(parents=True, exist_ok=True)
        self.path = folder / f"session-{os.getpid()}.log"
        self.handler = logging.FileHandler(self.path, mode="w", encoding="utf-8")
        self.handler.setLevel(logging.DEBUG)
        self.handler.setFormatter(logging.Formatter(FORMAT))
        self.handler.addFilter(BrowserCookies())
        self._level = logging.getLogger().level

    def start(self) -> None:
        root = logging.getLogger()
        root.addHandler(self.handler)
        root.setLevel(logging.DEBUG)

    def stop(self) -> None:
        root = logging.getLogger()
        root.removeHandler(self.handler)
        root.setLevel(self._level)
        self.handler.close()


def leaks(files: Iterable[Path], secrets: Iterable[str]) -> list[str]:
    """One line of report per secret found, naming the file and the line (the secret masked)."""
    watched = list(secrets)
    found = []
    for path in files:
        try:
            text = path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            continue
        for number, secret, line in find_secrets(text, watched):
            shown = line.replace(secret, secret[:3] + "…")
            found.append(f"{path}:{number}: a secret ({len(secret)} characters, {secret[:3]}…) in: {shown[:300]}")
    return found


def log_files(folder: Path) -> list[Path]:
    """The log files under ``folder`` (pytest's temporary folder of this run)."""
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.rglob("*") if LOG_NAMES.search(p.name) and p.is_file())


# --- the plugin: tests/conftest.py imports these hooks and fixtures ----------------------------


_SESSION_LOG = pytest.StashKey[SessionLog]()
_TEMP_ROOT = pytest.StashKey[Path]()
_LEAKS = pytest.StashKey[list[str]]()


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "plants_secrets: the test writes secrets into a log on purpose "
                                       "(its secrets are not watched by the end-of-run log check)")


def _watch_server_accounts() -> None:
    """Every password set and every token issued by a server in this process is watched."""
    from server import accounts

    add, set_password, issue = accounts.add_account, accounts.set_password, accounts.issue_token

    def add_account(conn, **fields):  # noqa: ANN001, ANN202 - the wrapped function's own signature
        remember(fields.get("password"))
        return add(conn, **fields)

    def set_password_watched(conn, login, password):  # noqa: ANN001, ANN202
        remember(password)
        return set_password(conn, login, password)

    def issue_token(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        issued = issue(*args, **kwargs)
        remember(issued.token)
        return issued

    accounts.add_account, accounts.set_password, accounts.issue_token = add_account, set_password_watched, issue_token


def pytest_sessionstart(session: pytest.Session) -> None:
    log = SessionLog()
    log.start()
    session.config.stash[_SESSION_LOG] = log
    _watch_server_accounts()


@pytest.fixture(scope="session", autouse=True)
def _log_check_folder(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> None:
    """Where this run's temporary folders are: its log files are checked at the end."""
    request.config.stash[_TEMP_ROOT] = tmp_path_factory.getbasetemp()


@pytest.fixture(autouse=True)
def _planted_secrets(request: pytest.FixtureRequest) -> Iterator[None]:
    planting = request.node.get_closest_marker("plants_secrets") is not None
    set_planting(planting)
    yield
    set_planting(False)


@pytest.hookimpl(tryfirst=True)
def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    log = session.config.stash.get(_SESSION_LOG, None)
    if log is None:
        return
    log.stop()
    folder = session.config.stash.get(_TEMP_ROOT, None)
    files = [log.path, *(log_files(folder) if folder else [])]
    found = leaks(files, remembered())
    session.config.stash[_LEAKS] = found
    if found:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
    else:
        # Kept only when it shows a leak: runs must not pile up logs in the temporary folder.
        log.path.unlink(missing_ok=True)


def pytest_terminal_summary(terminalreporter: Any, config: pytest.Config) -> None:
    found = config.stash.get(_LEAKS, [])
    log = config.stash.get(_SESSION_LOG, None)
    if found:
        terminalreporter.section("secrets in the logs", red=True)
        for line in found:
            terminalreporter.write_line(line)
    elif log is not None:
        terminalreporter.write_line(f"log check: none of the {len(remembered())} secrets made in this run "
                                    "is in its logs")
