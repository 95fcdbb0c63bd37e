"""Every form of the office pages carries the session's CSRF token; one without it, or with
another session's, is refused with the 403 page and changes nothing."""

from __future__ import annotations

from sqlalchemy import select

from server import accounts
from server.store.schema import tokens
from tests.server.conftest import COUNTY
from tests.web.conftest import ADMIN_PASSWORD, log_in, web_client


def test_a_form_without_the_token_or_with_a_wrong_one_changes_nothing(site):
    target, _ = site.make_account("office_staff", COUNTY)
    admin = web_client(site, "admin", ADMIN_PASSWORD)
    other = web_client(site, "admin", ADMIN_PASSWORD)
    path = f"/users/edit/{target}"
    for csrf in (None, "0" * 64, other.csrf, "x"):
        answer = admin.post(path, {"action": "disable"}, csrf=csrf)
        assert answer.status_code == 403, csrf
        assert "表单已失效或来自其他网站，未作任何更改" in answer.text
        assert not site.account(target).disabled
    created = admin.post("/users/new", {"login": "mallory", "role": "admin", "scope": "",
                                        "password": "password-123", "password_again": "password-123"},
                         csrf="0" * 64)
    assert created.status_code == 403
    with site.engine.connect() as conn:
        assert "mallory" not in [a.login for a in accounts.list_accounts(conn)]
    # The right token does it.
    assert admin.post(path, {"action": "disable"}).status_code == 303
    assert site.account(target).disabled


def test_logout_needs_the_token_too(site):
    admin = web_client(site, "admin", ADMIN_PASSWORD)
    assert admin.post("/logout", {}, csrf=None).status_code == 403
    with site.engine.connect() as conn:
        live = conn.execute(select(tokens.c.hash).where(tokens.c.revoked_at.is_(None))).all()
    assert len(live) == 1
    assert admin.client.get("/").status_code == 200


def test_a_page_from_another_site_posting_to_the_form_is_refused_in_the_browser(site, page):
    target, _ = site.make_account("office_staff", COUNTY)
    log_in(page, site, "admin", ADMIN_PASSWORD)
    page.goto(f"{site.url}/users/edit/{target}")
    # What a forged form would send: the right fields, its own guess at the token.
    page.eval_on_selector("#disable-form input[name=csrf_token]", "e => e.value = 'forged'")
    page.eval_on_selector("#disable-form", "f => f.removeAttribute('data-confirm')")
    page.click("#disable-form button")
    page.wait_for_load_state()
    assert page.inner_text("h1") == "无权访问"
    assert "未作任何更改" in page.inner_text("main")
    assert not site.account(target).disabled


def test_a_scripts_request_may_carry_the_token_in_a_header(site):
    target, _ = site.make_account("office_staff", COUNTY)
    admin = web_client(site, "admin", ADMIN_PASSWORD)
    path = f"/users/edit/{target}"
    refused = admin.client.post(path, data={"action": "disable"}, headers={"X-CSRF-Token": "0" * 64})
    assert refused.status_code == 403 and not site.account(target).disabled
    done = admin.client.post(path, data={"action": "disable"}, headers={"X-CSRF-Token": admin.csrf})
    assert done.status_code == 303 and site.account(target).disabled
