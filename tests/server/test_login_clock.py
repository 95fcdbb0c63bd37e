"""The login rate limit and the tokens' lifetimes on a clock the test moves (server.accounts.clock),
for the API and the office pages, which share both: the same failures counted, the same tokens.

The live server runs in this process, so moving the clock here moves it for the server too.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from dataclasses import dataclass

import httpx
import pytest
from sqlalchemy import select

from server import accounts
from server.store.schema import tokens
from tests.server.conftest import COUNTY

API = "/api/v1"
# tests/server/conftest.py's servers: 3 failures per account, 6 per address, over 60 s.
WINDOW = 60.0
_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


@dataclass
class Clock:
    now: float

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Iterator[Clock]:
    fake = Clock(time.time())
    monkeypatch.setattr(accounts, "clock", fake)
    yield fake


def web_login(server, login: str, password: str) -> httpx.Response:
    """The login form as a browser sends it (its cookie and CSRF token), not followed."""
    with httpx.Client(base_url=server.url, timeout=30) as client:
        form = client.get("/login")
        token = _CSRF.search(form.text)
        assert token, form.text
        return client.post("/login", data={"login": login, "password": password, "next": "/",
                                           "csrf_token": token.group(1)})


def page(server, path: str, session: str) -> httpx.Response:
    with httpx.Client(base_url=server.url, timeout=30, cookies={"fm_session": session}) as client:
        return client.get(path)


def test_the_lock_holds_for_the_window_even_for_the_right_password_then_ends(server, clock):
    who = server.make_account("inspector", COUNTY)
    for _ in range(3):
        assert server.login(who.login, "wrong-password").status_code == 401
    locked = server.login(who.login, who.password)
    assert locked.status_code == 429
    retry = int(locked.headers["Retry-After"])
    assert WINDOW <= retry <= WINDOW + 1
    # Just before the window ends: still refused, the right password included, and the
    # refusals themselves do not extend the lock (only failures are counted).
    clock.now += retry - 2
    again = server.login(who.login, who.password)
    assert again.status_code == 429 and 1 <= int(again.headers["Retry-After"]) <= 2
    clock.now += 2
    answer = server.login(who.login, who.password)
    assert answer.status_code == 200, answer.text


def test_api_failures_lock_the_web_login_with_retry_after_and_it_ends_too(server, clock):
    login, password = "office1", "office-password-1"
    server.make_account("office_staff", COUNTY, login=login, password=password)
    for _ in range(3):
        assert server.login(login, "wrong-password").status_code == 401
    refused = web_login(server, login, password)
    assert refused.status_code == 429
    retry = int(refused.headers["Retry-After"])
    assert WINDOW <= retry <= WINDOW + 1
    assert f"{retry} 秒后再试" in refused.text
    assert "fm_session" not in refused.headers.get("set-cookie", "")
    clock.now += retry
    answer = web_login(server, login, password)
    assert answer.status_code == 303 and answer.headers["location"] == "/"


def test_web_failures_lock_the_api_login(server, clock):
    login, password = "office2", "office-password-2"
    server.make_account("office_staff", COUNTY, login=login, password=password)
    for _ in range(3):
        assert web_login(server, login, "wrong-password").status_code == 401
    assert server.login(login, password).status_code == 429
    assert web_login(server, login, password).status_code == 429
    clock.now += WINDOW + 1
    assert server.login(login, password).status_code == 200


def test_an_api_token_expires_at_its_lifetime(server, clock):
    token = server.login("admin", "admin-password-1").json()["token"]
    with server.client(token) as c:
        assert c.get(f"{API}/me").status_code == 200
        clock.now += server.config.token_lifetime - 1
        assert c.get(f"{API}/me").status_code == 200
        clock.now += 1
        answer = c.get(f"{API}/me")
    assert answer.status_code == 401 and "expired" in answer.json()["message"]


def _session(server, login: str, password: str) -> str:
    answer = web_login(server, login, password)
    assert answer.status_code == 303, answer.text
    found = re.search(r"fm_session=([^;]+)", answer.headers["set-cookie"])
    assert found
    return found.group(1)


def test_a_web_session_expires_at_the_token_lifetime(server, clock):
    session = _session(server, "admin", "admin-password-1")
    assert page(server, "/users", session).status_code == 200
    clock.now += server.config.token_lifetime
    answer = page(server, "/users", session)
    assert answer.status_code == 303 and answer.headers["location"] == "/login?next=/users"


def test_disabling_an_account_ends_its_sessions_and_tokens_at_once(server):
    login, password = "office3", "office-password-3"
    api_token = server.make_account("office_staff", COUNTY, login=login, password=password).token
    session = _session(server, login, password)
    assert page(server, "/", session).status_code == 200
    with server.engine.begin() as conn:
        assert accounts.disable_account(conn, login) == 2
    assert page(server, "/", session).status_code == 303
    with server.client(api_token) as c:
        assert c.get(f"{API}/me").status_code == 401


def test_web_logout_revokes_the_session_token(server):
    session = _session(server, "admin", "admin-password-1")
    with httpx.Client(base_url=server.url, timeout=30, cookies={"fm_session": session}) as client:
        home = client.get("/")
        token = _CSRF.search(home.text)
        assert token, home.text
        out = client.post("/logout", data={"csrf_token": token.group(1)})
    assert out.status_code == 303
    with server.engine.connect() as conn:
        revoked = conn.execute(select(tokens.c.revoked_at).where(
            tokens.c.hash == accounts.hash_token(session))).scalar_one()
    assert revoked is not None
    assert page(server, "/", session).status_code == 303
    # The same token is refused by the API as well: one table for both.
    with server.client(session) as c:
        assert c.get(f"{API}/me").status_code == 401
