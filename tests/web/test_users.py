"""The Users pages in a real browser: an admin makes, changes and disables accounts in their
scope, and the account can then log in (or not); errors show in the form, in words."""

from __future__ import annotations

from server import accounts
from tests.server.conftest import COUNTY, OTHER_COUNTY, TOWNSHIP
from tests.web.conftest import ADMIN_PASSWORD, log_in, web_client


def _create(page, login, *, name="", role="office_staff", scope=COUNTY, password="secret-pass-1",
            again=None):
    page.click("text=新建账号")
    page.fill("#login", login)
    page.fill("#name", name)
    page.select_option("#role", role)
    page.select_option("#scope", scope)
    page.fill("#password", password)
    page.fill("#password_again", again if again is not None else password)
    page.click("#new-account button[type=submit]")
    page.wait_for_load_state()


def test_an_admin_creates_an_account_that_can_then_log_in(site, page, new_page):
    log_in(page, site, "admin", ADMIN_PASSWORD, next="/users")
    _create(page, "wangfang", name="王芳", scope=COUNTY)
    assert page.url == f"{site.url}/users/edit/wangfang?done=created"
    assert page.inner_text("p.notice") == "已创建账号“wangfang”。"
    made = site.account("wangfang")
    assert (made.name, made.role, made.scope_code, made.disabled) == ("王芳", "office_staff", COUNTY, False)
    page.click("text=返回账号列表")
    row = page.locator("tr[data-login=wangfang] td")
    assert row.all_inner_texts() == ["wangfang", "王芳", "督导办工作人员", "丹江口市 (420381)", "启用"]
    other = new_page()
    log_in(other, site, "wangfang", "secret-pass-1")
    assert other.inner_text("h1") == "欢迎，王芳。"


def test_mistakes_in_the_new_account_form_are_said_in_words_and_nothing_is_made(site, page):
    log_in(page, site, "admin", ADMIN_PASSWORD, next="/users")
    _create(page, "has space", password="short", again="short")
    assert page.inner_text("#login-error") == "账号须为 1–64 个字符，不含空格。"
    assert page.inner_text("#password-error") == "密码太短：至少 8 个字符。"
    assert page.input_value("#login") == "has space"  # what was typed is kept
    page.fill("#login", "li")
    page.fill("#password", "long-enough-1")
    page.fill("#password_again", "long-enough-2")
    page.click("#new-account button[type=submit]")
    assert page.inner_text("#password_again-error") == "两次输入的密码不一致。"
    page.fill("#login", "admin")
    page.fill("#password", "long-enough-1")
    page.fill("#password_again", "long-enough-1")
    page.click("#new-account button[type=submit]")
    assert page.inner_text("#login-error") == "账号“admin”已被使用。"
    page.select_option("#scope", "")
    page.select_option("#role", "inspector")
    page.fill("#login", "li")
    page.fill("#password", "long-enough-1")
    page.fill("#password_again", "long-enough-1")
    page.click("#new-account button[type=submit]")
    assert page.inner_text("#scope-error") == "只有管理员账号可以不限地区；请选择一个地区。"
    with site.engine.connect() as conn:
        assert [a.login for a in accounts.list_accounts(conn)] == ["admin"]


def test_an_admin_changes_role_and_scope_resets_the_password_and_disables(site, page, new_page):
    login, password = site.make_account("inspector", COUNTY, name="李明")
    person = new_page()
    log_in(person, site, login, password)
    assert "督导员账号" in person.inner_text("p.error")  # an inspector has no office pages

    log_in(page, site, "admin", ADMIN_PASSWORD, next="/users")
    page.click(f"a:text-is('{login}')")
    page.select_option("#role", "office_staff")
    page.select_option("#scope", TOWNSHIP)
    page.click("#details button")
    assert page.inner_text("p.notice") == f"已保存“{login}”的角色和范围。"
    changed = site.account(login)
    assert (changed.role, changed.scope_code, changed.name) == ("office_staff", TOWNSHIP, "李明")
    log_in(person, site, login, password)
    assert person.inner_text("h1") == "欢迎，李明。"

    page.fill("#password-form #password", "new-password-9")
    page.fill("#password-form #password_again", "new-password-9")
    page.click("#password-form button")
    assert "已重设" in page.inner_text("p.notice")
    person.goto(site.url + "/")  # the reset logged the person out
    assert "/login" in person.url
    log_in(person, site, login, password)
    assert person.inner_text("p.error") == "账号或密码错误。"
    log_in(person, site, login, "new-password-9")
    assert person.inner_text("h1") == "欢迎，李明。"

    page.once("dialog", lambda dialog: dialog.accept())
    page.click("#disable-form button")
    assert page.inner_text("p.notice") == f"已停用“{login}”，1 个登录已失效。"
    assert site.account(login).disabled
    person.goto(site.url + "/")
    assert "/login" in person.url
    log_in(person, site, login, "new-password-9")
    assert person.inner_text("p.error") == "账号或密码错误。"

    page.click("#enable-form button")
    assert page.inner_text("p.notice") == f"已重新启用“{login}”。"
    log_in(person, site, login, "new-password-9")
    assert person.inner_text("h1") == "欢迎，李明。"


def test_an_admin_cannot_disable_or_demote_themselves(site, page):
    log_in(page, site, "admin", ADMIN_PASSWORD)
    page.goto(site.url + "/users/edit/admin")
    assert page.is_disabled("#disable-form button")
    page.select_option("#role", "office_staff")
    page.select_option("#scope", COUNTY)
    page.click("#details button")
    assert page.inner_text("#role-error") == "不能修改自己账号的角色或范围。"
    # A crafted form gets the same answer.
    admin = web_client(site, "admin", ADMIN_PASSWORD)
    answer = admin.post("/users/edit/admin", {"action": "disable"})
    assert answer.status_code == 400 and "不能停用自己的账号。" in answer.text
    me = site.account("admin")
    assert (me.role, me.scope_code, me.disabled) == ("admin", None, False)


def test_resetting_ones_own_password_logs_out(site, page):
    log_in(page, site, "admin", ADMIN_PASSWORD)
    page.goto(site.url + "/users/edit/admin")
    page.fill("#password-form #password", "admin-password-2")
    page.fill("#password-form #password_again", "admin-password-2")
    page.click("#password-form button")
    page.wait_for_url("**/login?notice=reset_own")
    assert page.inner_text("p.notice") == "您的密码已重设，请用新密码重新登录。"
    log_in(page, site, "admin", "admin-password-2")
    assert page.url == site.url + "/"


def test_a_county_admin_never_sees_or_touches_another_countys_accounts(site, page):
    county_admin, password = site.make_account("admin", COUNTY, login="county-admin")
    mine, _ = site.make_account("office_staff", TOWNSHIP, login="mine")
    theirs, _ = site.make_account("office_staff", OTHER_COUNTY, login="theirs")
    log_in(page, site, county_admin, password, next="/users")
    listed = page.locator("#accounts tbody tr").evaluate_all("rows => rows.map(r => r.dataset.login)")
    assert listed == ["county-admin", "mine"]
    assert "admin" not in listed  # the whole-tree admin is outside the county too
    page.click("text=新建账号")
    offered = page.locator("#scope option").evaluate_all("options => options.map(o => o.value)")
    assert COUNTY in offered and TOWNSHIP in offered
    assert OTHER_COUNTY not in offered and "" not in offered
    for path in (f"/users/edit/{theirs}", "/users/edit/admin"):
        answer = page.goto(site.url + path)
        assert answer.status == 404
        assert page.inner_text("h1") == "找不到页面"
    # Forms crafted by hand: another county's account, another county as a scope, the whole tree.
    client = web_client(site, county_admin, password)
    assert client.post(f"/users/edit/{theirs}", {"action": "disable"}).status_code == 404
    assert not site.account(theirs).disabled
    refused = client.post(f"/users/edit/{mine}", {"action": "details", "role": "office_staff",
                                                  "scope": OTHER_COUNTY, "name": ""})
    assert refused.status_code == 400 and "请从您的范围内选择一个地区。" in refused.text
    whole = client.post("/users/new", {"login": "wide", "role": "admin", "scope": "", "name": "",
                                       "password": "password-123", "password_again": "password-123"})
    assert whole.status_code == 400 and "只有全部地区的管理员可以创建不限地区的账号。" in whole.text
    assert site.account(mine).scope_code == TOWNSHIP
    with site.engine.connect() as conn:
        assert "wide" not in [a.login for a in accounts.list_accounts(conn)]


def test_names_are_shown_as_text_never_run(site, page):
    script = "<script>window.pwned = 1</script><b>bold</b>"
    login, _ = site.make_account("office_staff", COUNTY, login="x<i>y", name=script)
    log_in(page, site, "admin", ADMIN_PASSWORD, next="/users")
    row = page.locator("tr[data-login='x<i>y'] td")
    assert row.nth(0).inner_text() == "x<i>y"
    assert row.nth(1).inner_text() == script
    assert page.evaluate("window.pwned") is None
    assert page.locator("#accounts b, #accounts i, #accounts script").count() == 0
    row.nth(0).locator("a").click()
    assert page.inner_text("h1") == "账号“x<i>y”"
    assert page.input_value("#name") == script
    assert page.evaluate("window.pwned") is None


def test_a_login_with_a_slash_or_a_question_mark_has_its_own_page(site, page):
    odd, _ = site.make_account("office_staff", COUNTY, login="team/a?b#c")
    log_in(page, site, "admin", ADMIN_PASSWORD, next="/users")
    page.click("a:text-is('team/a?b#c')")
    assert page.inner_text("h1") == "账号“team/a?b#c”"
    page.once("dialog", lambda dialog: dialog.accept())
    page.click("#disable-form button")
    assert site.account(odd).disabled
    assert page.url == f"{site.url}/users/edit/team%2Fa%3Fb%23c?done=disabled&count=0"
