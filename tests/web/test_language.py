"""Every page in Chinese and English: the switch in the header, else Accept-Language, else Chinese."""

from __future__ import annotations

import re

import pytest

from server.areas import list_areas
from tests.server.conftest import COUNTY
from tests.web.conftest import ADMIN_PASSWORD, log_in

PAGES = ["/", "/users", "/users/new", "/users/edit/admin", "/nowhere"]
# A catalogue key left in a page shows as words joined by dots (nav.home, users.error.login).
KEY_LIKE = re.compile(r"\b(app|nav|lang|session|scope|role|login|home|error|users)\.[a-z_.0-9]+\b")


def test_the_switch_changes_the_language_and_it_stays(site, page):
    log_in(page, site, "admin", ADMIN_PASSWORD, next="/users")
    assert page.inner_text("h1") == "账号"
    assert page.get_attribute("html", "lang") == "zh-CN"
    page.click("nav.langs a[lang=en]")
    page.wait_for_url(site.url + "/users")
    assert page.inner_text("h1") == "Accounts"
    assert page.get_attribute("html", "lang") == "en"
    page.goto(site.url + "/")
    links = page.locator("nav.sections a")
    assert (links.first.inner_text(), links.last.inner_text()) == ("Home", "Settings")
    page.click("nav.langs a[lang=zh]")
    assert (links.first.inner_text(), links.last.inner_text()) == ("首页", "设置")


def test_the_browser_language_is_used_without_the_switch(site, new_page):
    english = new_page(locale="en-US")
    english.goto(site.url + "/login")
    assert english.inner_text("h1") == "Log in"
    other = new_page(locale="fr-FR")
    other.goto(site.url + "/login")
    assert other.inner_text("h1") == "登录"


def test_the_switch_on_the_login_page_keeps_where_the_login_leads(site, page):
    page.goto(site.url + "/users")
    page.click("nav.langs a[lang=en]")
    assert page.url == f"{site.url}/login?next=/users"
    assert page.inner_text("h1") == "Log in"


@pytest.mark.parametrize("locale, lang", [("zh-CN", "zh-CN"), ("en-GB", "en")])
def test_every_page_speaks_the_language_with_no_key_left(site, new_page, locale, lang):
    page = new_page(locale=locale)
    site.make_account("office_staff", COUNTY, name="王芳")
    log_in(page, site, "admin", ADMIN_PASSWORD)
    with site.engine.connect() as conn:
        # Data, not words of the page: the areas' and the account's own names.
        data = ["中文", "王芳", *(a.name for a in list_areas(conn, "/"))]
    for path in PAGES:
        page.goto(site.url + path)
        assert page.get_attribute("html", "lang") == lang, path
        text = page.inner_text("body")
        assert not KEY_LIKE.search(text), (path, KEY_LIKE.search(text))
        if lang == "en":
            for name in data:
                text = text.replace(name, "")
            assert not re.search(r"[\u4e00-\u9fff]", text), path


def test_dates_and_numbers_follow_the_language():
    from datetime import date

    from server.web.i18n import Translator

    zh, en = Translator("zh"), Translator("en")
    assert zh.date(date(2026, 3, 7)) == "2026年3月7日"
    assert en.date(date(2026, 3, 7)) == "7 Mar 2026"
    assert zh.number(1234567.891, 1) == en.number(1234567.891, 1) == "1,234,567.9"
    assert zh.percent(0.305) == "30.5%"
    assert zh.number(None) == "–"
