"""No secret reaches a log in a real session of work: a laptop logs in, registers its device key,
uploads photos and syncs; an office account logs in to the pages, opens them and logs out. All
of it against a server that writes uvicorn's access log (whose lines carry each request's path
and query string), with every logger of the process at DEBUG (the server's, uvicorn's, httpx's
and httpcore's, the app's). Then every line is searched for the passwords, the tokens, the
device key and the CSRF token.

The whole suite's logs are checked too, at the end of every run (tests/log_secrets.py); this
test makes sure the riskiest lines, the access log's URLs and the HTTP client's debug output,
are among those searched.
"""

from __future__ import annotations

import contextlib
import logging
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from app.sync.engine import sync
from server.config import Config
from tests.log_secrets import BrowserCookies, find_secrets
from tests.server.conftest import ADMIN_PASSWORD, COUNTY, LiveServer
from tests.server.conftest import _running as running
from tests.server.sync_support import QUICK, MemoryKeyring, add_photos, laptop, use_keyring

_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
# A query parameter that would carry a credential in a URL (and so into an access log line).
_CREDENTIAL_IN_QUERY = re.compile(r"[?&](token|access_token|password|session|fm_session|csrf_token|key)=", re.I)


class Lines(logging.Handler):
    """Every record of the process, formatted as a log file would hold it."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        # The pages' session cookie reaches this test's own HTTP client, which logs it at DEBUG
        # (a browser's part in real use): blanked as in the whole run's log.
        self.addFilter(BrowserCookies())
        self.lines: list[str] = []
        self.names: set[str] = set()

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))
        self.names.add(record.name)


@contextlib.contextmanager
def everything_logged() -> Iterator[Lines]:
    root = logging.getLogger()
    handler, level = Lines(), root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    try:
        yield handler
    finally:
        root.removeHandler(handler)
        root.setLevel(level)


@contextlib.contextmanager
def logging_server(config: Config) -> Iterator[LiveServer]:
    """The server as ``fieldmark-server serve`` runs it, but with uvicorn's access log on."""
    # A server started with access_log=False (the suite's) has cut the access logger off from
    # the root for the whole process.
    access = logging.getLogger("uvicorn.access")
    propagated, access.propagate = access.propagate, True
    try:
        with running(config, access_log=True) as live:
            yield live
    finally:
        access.propagate = propagated


@pytest.fixture
def keychain() -> Iterator[MemoryKeyring]:
    yield from use_keyring(MemoryKeyring())  # type: ignore[misc]


def _office_session(live: LiveServer, login: str, password: str) -> tuple[str, str]:
    """Log in to the pages, open some with a query string, log out; (session token, CSRF token)."""
    with httpx.Client(base_url=live.url, timeout=30) as client:
        form = client.get("/login?next=/units")
        found = _CSRF.search(form.text)
        assert found
        answer = client.post("/login", data={"login": login, "password": password, "next": "/",
                                             "csrf_token": found.group(1)})
        assert answer.status_code == 303, answer.text
        session = client.cookies["fm_session"]
        home = client.get("/")
        assert home.status_code == 200
        csrf = _CSRF.search(home.text)
        assert csrf
        assert client.get("/rectifications?status=open&lang=en").status_code == 200
        assert client.post("/logout", data={"csrf_token": csrf.group(1)}).status_code == 303
    return session, csrf.group(1)


def test_a_day_of_work_logs_no_secret(server: Any, config_for: Any, demo_template: Path, tmp_path: Path,
                                      keychain: MemoryKeyring) -> None:
    with everything_logged() as logged, logging_server(config_for()) as live:
        machine = laptop(live, demo_template, tmp_path / "one", mirror=True)
        try:
            add_photos(machine, 2)
            done = sync(machine.profile, machine.session, lambda _p: None, retry=QUICK)
            assert done.complete, (done.reason, done.message)
        finally:
            machine.profile.close()
        live.make_account("office_staff", COUNTY, login="office9", password="office-password-9")
        session, csrf = _office_session(live, "office9", "office-password-9")
        admin = live.login("admin", ADMIN_PASSWORD).json()["token"]

    secrets = {"the laptop's password": machine.account.password, "the laptop's token": machine.session.token,
               "the office password": "office-password-9", "the session token": session, "the CSRF token": csrf,
               "the admin's password": ADMIN_PASSWORD, "the admin's token": admin,
               **{f"the keychain's {name}": value for (_service, name), value in keychain.secrets.items()}}
    assert len(keychain.secrets) >= 2, keychain.secrets.keys()  # the token and the device key
    # What was searched: the access log's lines with their URLs, the server's request log, the
    # HTTP client's own debug lines, the sync engine's.
    access = [line for line in logged.lines if " uvicorn.access: " in line]
    for path in ("/api/v1/login", "/api/v1/devices/", "/api/v1/blobs/", "/api/v1/changesets", "/api/v1/pull",
                 "POST /login", "/rectifications?status=open&lang=en", "POST /logout"):
        assert any(path in line for line in access), path
    assert {"fieldmark.server", "httpcore.http11", "httpx"} <= logged.names, sorted(logged.names)
    found = list(find_secrets("\n".join(logged.lines), secrets.values()))
    named = {v: k for k, v in secrets.items()}
    assert found == [], [f"{named[s]} in: {line[:200]}" for _n, s, line in found]
    assert [line for line in access if _CREDENTIAL_IN_QUERY.search(line)] == []
    print(f"\n{len(logged.lines)} log lines ({len(access)} access lines) from {len(logged.names)} loggers "
          f"searched for {len(secrets)} secrets: none found")


def test_no_route_takes_a_credential_in_its_address(server: Any) -> None:
    """Access logs, proxies and browser histories keep URLs: a token or password is only ever
    sent in a header, a cookie or a body."""
    description = httpx.get(server.url + "/openapi.json").json()
    in_address = [(path, p["name"]) for path, methods in description["paths"].items()
                  for operation in methods.values() for p in operation.get("parameters", [])
                  if p["in"] in ("query", "path")]
    assert in_address, "the description lists no parameter at all"
    assert [(path, name) for path, name in in_address
            if re.search(r"token|password|secret|session|key", name, re.I)] == []
