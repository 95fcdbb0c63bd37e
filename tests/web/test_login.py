"""Logging in and out of the office pages in a real browser, and what a login needs."""

from __future__ import annotations

import re
import uuid

import httpx
from sqlalchemy import select

from server import accounts
from server.config import PROTOCOL, PROTOCOL_HEADER
from server.store.schema import tokens
from tests.server.conftest import COUNTY
from tests.web.conftest import ADMIN_PASSWORD, csrf_of, log_in, log_out


def test_a_page_sends_a_stranger_to_the_login_and_back_after_it(site, page):
    page.goto(f"{site.url}/users")
    assert page.url == f"{site.url}/login?next=/users"
    page.fill("#login", "admin")
    page.fill("#password", ADMIN_PASSWORD)
    page.click("form[action='/login'] button")
    page.wait_for_url(f"{site.url}/users")
    assert page.inner_text("h1") == "账号"


def test_login_sets_an_httponly_samesite_cookie_whose_token_is_stored_only_as_its_hash(site, page):
    log_in(page, site, "admin", ADMIN_PASSWORD)
    assert page.url == site.url + "/"
    cookie = next(c for c in page.context.cookies() if c["name"] == "fm_session")
    assert cookie["httpOnly"] and cookie["sameSite"] == "Lax" and cookie["path"] == "/"
    assert not cookie["secure"]  # plain http on loopback
    assert page.evaluate("document.cookie") == ""  # no script can read it
    with site.engine.connect() as conn:
        stored = conn.execute(select(tokens.c.hash, tokens.c.device_id)).all()
    assert (accounts.hash_token(cookie["value"]), None) in stored
    assert cookie["value"] not in {row.hash for row in stored}


def test_the_cookie_is_secure_when_the_page_came_over_https(site):
    # uvicorn trusts X-Forwarded-Proto from loopback (a reverse proxy in front of the server).
    with httpx.Client(base_url=site.url, headers={"X-Forwarded-Proto": "https"}) as client:
        form = client.get("/login")
        assert "secure" in form.headers["set-cookie"].lower()
        # httpx keeps a Secure cookie for https only; the proxy would have sent it back.
        secret = client.cookies["fm_login"]
        client.cookies.clear()
        client.cookies.set("fm_login", secret)
        answer = client.post("/login", data={"login": "admin", "password": ADMIN_PASSWORD,
                                             "csrf_token": csrf_of(form.text)})
    assert answer.status_code == 303
    session = next(h for h in answer.headers.get_list("set-cookie") if h.startswith("fm_session="))
    assert "Secure" in session and "HttpOnly" in session and "SameSite=lax" in session


def test_a_wrong_password_is_said_in_words_and_the_login_kept(site, page):
    log_in(page, site, "admin", "not-the-password")
    assert page.inner_text("p.error") == "账号或密码错误。"
    assert page.input_value("#login") == "admin"
    assert page.input_value("#password") == ""
    page.goto(site.url + "/")
    assert "/login" in page.url


def test_repeated_failures_lock_the_login_even_for_the_right_password(site, page):
    for _ in range(3):
        log_in(page, site, "admin", "wrong-password")
        assert page.inner_text("p.error") == "账号或密码错误。"
    log_in(page, site, "admin", ADMIN_PASSWORD)
    message = page.inner_text("p.error")
    assert message.startswith("登录失败次数过多，请 ") and message.endswith(" 秒后再试。")
    assert "/login" in page.url
    # The API counts the same failures: the laptop's login is refused too.
    answer = httpx.post(site.url + "/api/v1/login", headers={PROTOCOL_HEADER: str(PROTOCOL)},
                        json={"username": "admin", "password": ADMIN_PASSWORD, "device_id": str(uuid.uuid4())})
    assert answer.status_code == 429


def test_logout_revokes_the_session(site, page):
    log_in(page, site, "admin", ADMIN_PASSWORD)
    token = next(c["value"] for c in page.context.cookies() if c["name"] == "fm_session")
    log_out(page)
    assert page.inner_text("p.notice") == "已退出登录。"
    assert not [c for c in page.context.cookies() if c["name"] == "fm_session"]
    with site.engine.connect() as conn:
        revoked = conn.execute(select(tokens.c.revoked_at)
                               .where(tokens.c.hash == accounts.hash_token(token))).scalar_one()
    assert revoked is not None
    # The old cookie, sent again, opens nothing.
    page.context.add_cookies([{"name": "fm_session", "value": token, "url": site.url}])
    page.goto(site.url + "/users")
    assert page.url == f"{site.url}/login?next=/users"


def test_an_inspector_is_told_the_office_pages_are_not_theirs_and_gets_no_session(site, page):
    login, password = site.make_account("inspector", COUNTY)
    log_in(page, site, login, password)
    assert page.inner_text("p.error") == (f"“{login}”是督导员账号：办公室页面只供督导办工作人员和管理员使用，"
                                          "请在 Fieldmark 桌面程序中工作。")
    assert not [c for c in page.context.cookies() if c["name"] == "fm_session"]
    with site.engine.connect() as conn:
        live = conn.execute(select(tokens.c.hash).where(tokens.c.revoked_at.is_(None))).all()
    assert live == []


def test_a_session_whose_account_became_a_team_leader_gets_the_403_page(site, page):
    login, password = site.make_account("office_staff", COUNTY)
    log_in(page, site, login, password)
    with site.engine.begin() as conn:
        accounts.update_account(conn, login, role="team_leader", scope_code=COUNTY, name="")
    answer = page.goto(site.url + "/")
    assert answer.status == 403
    assert page.inner_text("h1") == "无权访问"
    assert "组长账号不能打开办公室页面" in page.inner_text("main")
    # Logging out still works from there.
    log_out(page)


def test_office_staff_may_not_open_the_admin_pages(site, page):
    login, password = site.make_account("office_staff", COUNTY)
    log_in(page, site, login, password)
    assert page.locator("nav.sections a", has_text="账号").count() == 0
    answer = page.goto(site.url + "/users")
    assert answer.status == 403
    assert page.inner_text("main p >> nth=0") == "只有管理员可以打开此页面。"


def test_next_never_leads_to_another_site(site, page):
    for target in ("//evil.example/", "https://evil.example/", "/\\evil.example", "/logout"):
        log_in(page, site, "admin", ADMIN_PASSWORD, next=target)
        assert page.url == site.url + "/", target
        log_out(page)


def test_a_login_form_without_its_cookie_is_refused(site):
    with httpx.Client(base_url=site.url) as client:
        form = client.get("/login")
        client.cookies.clear()
        answer = client.post("/login", data={"login": "admin", "password": ADMIN_PASSWORD,
                                             "csrf_token": csrf_of(form.text)})
    assert answer.status_code == 403
    assert "登录表单已失效" in answer.text
    assert "fm_session" not in answer.headers.get("set-cookie", "")


# Addresses outside the office pages: the API, the public verify page, operations, the login
# itself and the language switch, static files, FastAPI's own description of the API.
NOT_PAGES = ("/api/", "/verify/", "/healthz", "/readyz", "/metrics", "/login", "/lang/", "/static",
             "/docs", "/redoc", "/openapi.json")


def _page_routes() -> list[tuple[str, str]]:
    from fastapi.routing import APIRoute

    from server.web import PAGES

    found = []
    for module in PAGES:
        for route in module.router.routes:
            path = module.router.prefix + getattr(route, "path", "")
            if isinstance(route, APIRoute) and not path.startswith(NOT_PAGES):
                # Any value for a path parameter: the login is asked for before the page reads it.
                path = re.sub(r"\{[^}]+\}", "1", path)
                found += [(method, path) for method in sorted(route.methods)]
    return found


def test_every_page_and_form_asks_for_a_login_first(site):
    routes = _page_routes()
    assert ("GET", "/users") in routes and ("POST", "/logout") in routes
    with httpx.Client(base_url=site.url) as client:
        for method, path in routes:
            answer = client.request(method, path)
            assert answer.status_code == 303, (method, path, answer.status_code)
            location = answer.headers["location"]
            assert location == ("/login?next=" + path if method == "GET" else "/login"), (method, path)
