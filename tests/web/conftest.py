"""Fixtures for the office pages: a real ``fieldmark-server serve`` process on loopback and a
real browser (Debian's chromium, driven by Playwright). No browser is ever downloaded: if
/usr/bin/chromium is missing or cannot start, the tests FAIL (``.ci/run`` installs it).

Fixtures (use these in new page tests):

``site``      a :class:`Site`: the server process, emptied and reseeded for each test with the
              demo tree (resources/server/demo-units.csv) and an admin (``admin`` /
              ``ADMIN_PASSWORD``). ``site.url``, ``site.engine`` (SQLAlchemy, to check what was
              stored), ``site.make_account(role, scope=None, login=None, password=..., name="")``,
              ``site.account(login)`` (the stored :class:`server.accounts.Account`).
``browser``   the chromium browser (session).
``page``      a new browser context (Chinese unless the test says otherwise) and a page in it.
``new_page``  ``new_page(locale="en-US")``: another context and page (a second person).

Helpers: ``log_in(page, site, login, password, next="/")`` (through the login form; returns
the page), ``log_out(page)``, ``web_client(site, login, password) -> WebClient`` (an httpx
client holding a session cookie and its CSRF token, for requests a browser would not send).
The process runs on SQLite; the services under the pages are tested on PostgreSQL too by
tests/server.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, Error, Page, Playwright, sync_playwright
from sqlalchemy import Engine

from server import accounts
from server.store.database import migrate, open_engine
from tests.log_secrets import remember
from tests.server.conftest import ADMIN_PASSWORD, reset_store
from tests.server.process_support import serving

CHROMIUM = Path("/usr/bin/chromium")
__all__ = ["ADMIN_PASSWORD", "Site", "WebClient", "log_in", "log_out", "web_client"]
# Low, so the rate-limit test needs few tries; per address high enough for every other test
# (failures are cleared with the store before each test).
LIMITS = {"login_max_per_account": 3, "login_max_per_address": 40, "login_window": 60.0}


@dataclass
class Site:
    url: str
    engine: Engine
    _count: list[int] = field(default_factory=lambda: [0])

    def make_account(self, role: str, scope: str | None = None, *, login: str | None = None,
                     password: str = "password-123", name: str = "") -> tuple[str, str]:
        """A new account straight in the store; returns (login, password)."""
        self._count[0] += 1
        login = login or f"{role}{self._count[0]}"
        with self.engine.begin() as conn:
            accounts.add_account(conn, login=login, password=password, role=role, scope_code=scope, name=name)
        return login, password

    def account(self, login: str) -> accounts.Account:
        with self.engine.connect() as conn:
            return accounts.get_account(conn, login)


@pytest.fixture(scope="session")
def site_process(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    folder = tmp_path_factory.mktemp("web-server")
    url = f"sqlite:///{folder / 'server.db'}"
    engine = open_engine(url)
    migrate(engine)
    reset_store(engine)
    with serving(folder, {"database": url, **LIMITS}) as servers:
        yield Site(servers[0].url, engine)
    engine.dispose()


@pytest.fixture
def site(site_process: Site) -> Site:
    reset_store(site_process.engine)
    return site_process


@pytest.fixture(scope="session")
def playwright_driver() -> Iterator[Playwright]:
    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="session")
def browser(playwright_driver: Playwright) -> Iterator[Browser]:
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium (apt-get install chromium); "
                    ".ci/run does so")
    try:
        launched = playwright_driver.chromium.launch(executable_path=str(CHROMIUM))
    except Error as exc:
        pytest.fail(f"chromium at {CHROMIUM} did not start: {exc}")
    yield launched
    launched.close()


@pytest.fixture
def new_page(browser: Browser) -> Iterator[Callable[..., Page]]:
    contexts = []

    def make(locale: str = "zh-CN") -> Page:
        context = browser.new_context(locale=locale, viewport={"width": 1280, "height": 900})
        context.set_default_timeout(15_000)
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_page: Callable[..., Page]) -> Page:
    return new_page()


def log_in(page: Page, site: Site, login: str, password: str, next: str = "/") -> Page:
    """Through the login form, as a person would; the page is where the login led."""
    page.goto(f"{site.url}/login?next={next}")
    page.fill("#login", login)
    page.fill("#password", password)
    page.click("form[action='/login'] button[type=submit]")
    page.wait_for_load_state()
    # The session's token may not reach a log (tests/log_secrets.py).
    remember(*(c["value"] for c in page.context.cookies() if c["name"] == "fm_session"))
    return page


def log_out(page: Page) -> None:
    page.click("form[action='/logout'] button")
    page.wait_for_url("**/login?notice=logged_out")


_CSRF = re.compile(r'name="csrf_token" value="([0-9a-f]+)"')


@dataclass
class WebClient:
    client: httpx.Client
    csrf: str

    def post(self, path: str, data: dict[str, str], *, csrf: str | None = "") -> httpx.Response:
        """A form sent with the session's CSRF token, another one, or (``csrf=None``) none."""
        sent = dict(data)
        if csrf is not None:
            sent["csrf_token"] = csrf or self.csrf
        return self.client.post(path, data=sent)


def csrf_of(html: str) -> str:
    found = _CSRF.search(html)
    assert found, "no CSRF token in the page"
    return found.group(1)


def web_client(site: Site, login: str, password: str, **headers: str) -> WebClient:
    """Logged in through the login form's HTTP requests (no browser)."""
    client = httpx.Client(base_url=site.url, timeout=30, headers=headers)
    form = client.get("/login")
    answer = client.post("/login", data={"login": login, "password": password, "next": "/",
                                         "csrf_token": csrf_of(form.text)})
    assert answer.status_code == 303, answer.text
    remember(client.cookies.get("fm_session"))
    home = client.get("/")
    assert home.status_code == 200, home.text
    return WebClient(client, csrf_of(home.text))
