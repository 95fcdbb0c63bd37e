"""The office pages' words in Chinese and English, the language a request is answered in, and
dates and numbers written the way each language writes them.

One catalogue per language, keyed alike (a test checks that both have the same keys and the
same placeholders). A page adds its keys under its own prefix (``users.``, ``ranking.``…).
"""

from __future__ import annotations

import time
from datetime import date, datetime
from decimal import Decimal

from starlette.requests import Request

from server.api.verify import choose_language

LANGS = ("zh", "en")
DEFAULT_LANG = "zh"
LANG_COOKIE = "fm_lang"
# The value of <html lang> and Content-Language.
HTML_LANG = {"zh": "zh-CN", "en": "en"}
LANG_NAMES = {"zh": "中文", "en": "English"}

MESSAGES: dict[str, dict[str, str]] = {
    "zh": {
        "app.name": "Fieldmark 督导办公室",
        "app.skip": "跳到正文",
        "nav.label": "栏目",
        "nav.home": "首页",
        "nav.users": "账号",
        "lang.switch": "语言",
        "session.signed_in_as": "已登录：{name}",
        "session.logout": "退出登录",
        "scope.whole": "全部地区",
        "scope.label": "范围：{scope}",
        "role.inspector": "督导员",
        "role.team_leader": "组长",
        "role.office_staff": "督导办工作人员",
        "role.admin": "管理员",
        "login.title": "登录",
        "login.login": "账号",
        "login.password": "密码",
        "login.submit": "登录",
        "login.wrong": "账号或密码错误。",
        "login.rate_limited": "登录失败次数过多，请 {seconds} 秒后再试。",
        "login.missing": "请填写账号和密码。",
        "login.not_office": "“{login}”是{role}账号：办公室页面只供督导办工作人员和管理员使用，"
                            "请在 Fieldmark 桌面程序中工作。",
        "login.logged_out": "已退出登录。",
        "login.again": "请重新登录。",
        "home.title": "首页",
        "home.welcome": "欢迎，{name}。",
        "home.sections": "可用栏目",
        "home.users": "管理账号、角色和范围。",
        "error.403.title": "无权访问",
        "error.403.text": "您的账号不能打开此页面。",
        "error.403.role": "{role}账号不能打开办公室页面；请在 Fieldmark 桌面程序中工作。",
        "error.403.admin": "只有管理员可以打开此页面。",
        "error.403.csrf": "表单已失效或来自其他网站，未作任何更改。请重新打开页面再试。",
        "error.403.login_form": "登录表单已失效（浏览器需允许 Cookie）。请重新打开登录页再试。",
        "error.404.title": "找不到页面",
        "error.404.text": "没有这个页面，或它不在您的范围内。",
        "error.400.title": "请求有误",
        "error.400.text": "页面收到的请求不完整或有误。",
        "error.500.title": "服务器出错",
        "error.500.text": "服务器处理此页面时出错，未作任何更改。请稍后再试；如果一再出现，请把请求编号告诉管理员。",
        "error.request_id": "请求编号：{id}",
        "error.home": "返回首页",
        "users.title": "账号",
        "users.new": "新建账号",
        "users.login": "账号",
        "users.name": "姓名",
        "users.role": "角色",
        "users.scope": "范围",
        "users.status": "状态",
        "users.enabled": "启用",
        "users.disabled": "已停用",
        "users.edit": "修改",
        "users.none": "您的范围内没有账号。",
        "users.count": "共 {count} 个账号",
        "users.password": "初始密码",
        "users.password_again": "再次输入密码",
        "users.password_hint": "至少 {min} 个字符。",
        "users.create": "创建账号",
        "users.created": "已创建账号“{login}”。",
        "users.save": "保存",
        "users.saved": "已保存“{login}”的角色和范围。",
        "users.edit_title": "账号“{login}”",
        "users.details": "角色和范围",
        "users.reset": "重设密码",
        "users.new_password": "新密码",
        "users.reset_submit": "重设密码",
        "users.reset_done": "已重设“{login}”的密码；该账号已登录的设备需重新登录。",
        "users.reset_own": "您的密码已重设，请用新密码重新登录。",
        "users.disable": "停用账号",
        "users.disable_text": "停用后该账号不能登录，已登录的设备立即失效。",
        "users.disable_submit": "停用",
        "users.disabled_done": "已停用“{login}”，{count} 个登录已失效。",
        "users.enable": "重新启用",
        "users.enable_text": "该账号已停用。重新启用后可以再次登录。",
        "users.enable_submit": "启用",
        "users.enabled_done": "已重新启用“{login}”。",
        "users.back": "返回账号列表",
        "users.error.login": "账号须为 1–64 个字符，不含空格。",
        "users.error.login_taken": "账号“{login}”已被使用。",
        "users.error.password_short": "密码太短：至少 {min} 个字符。",
        "users.error.password_mismatch": "两次输入的密码不一致。",
        "users.error.role": "请选择角色。",
        "users.error.scope": "请从您的范围内选择一个地区。",
        "users.error.scope_needed": "只有管理员账号可以不限地区；请选择一个地区。",
        "users.error.whole_tree": "只有全部地区的管理员可以创建不限地区的账号。",
        "users.error.self_role": "不能修改自己账号的角色或范围。",
        "users.error.self_disable": "不能停用自己的账号。",
        "users.error.name": "姓名最多 100 个字符。",
        "users.error.form": "请改正下面标出的问题。",
    },
    "en": {
        "app.name": "Fieldmark office",
        "app.skip": "Skip to the content",
        "nav.label": "Sections",
        "nav.home": "Home",
        "nav.users": "Accounts",
        "lang.switch": "Language",
        "session.signed_in_as": "Signed in: {name}",
        "session.logout": "Log out",
        "scope.whole": "All areas",
        "scope.label": "Scope: {scope}",
        "role.inspector": "Inspector",
        "role.team_leader": "Team leader",
        "role.office_staff": "Office staff",
        "role.admin": "Administrator",
        "login.title": "Log in",
        "login.login": "Login",
        "login.password": "Password",
        "login.submit": "Log in",
        "login.wrong": "Wrong login or password.",
        "login.rate_limited": "Too many failed logins; try again in {seconds} seconds.",
        "login.missing": "Enter your login and password.",
        "login.not_office": "“{login}” is an account of role {role}: the office pages are for office "
                            "staff and administrators. Work in the Fieldmark desktop app.",
        "login.logged_out": "You have logged out.",
        "login.again": "Please log in again.",
        "home.title": "Home",
        "home.welcome": "Welcome, {name}.",
        "home.sections": "Sections",
        "home.users": "Manage accounts, roles and scopes.",
        "error.403.title": "Not allowed",
        "error.403.text": "Your account may not open this page.",
        "error.403.role": "An account of role {role} may not use the office pages; work in the Fieldmark desktop app.",
        "error.403.admin": "Only an administrator may open this page.",
        "error.403.csrf": "The form has expired or came from another site; nothing was changed. "
                          "Open the page again and retry.",
        "error.403.login_form": "The login form has expired (the browser must accept cookies). "
                                "Open the login page again and retry.",
        "error.404.title": "Page not found",
        "error.404.text": "There is no such page, or it lies outside your scope.",
        "error.400.title": "Bad request",
        "error.400.text": "The page was sent an incomplete or wrong request.",
        "error.500.title": "Server error",
        "error.500.text": "The server failed while making this page; nothing was changed. Try again later; "
                          "if it happens again, give the request number to your administrator.",
        "error.request_id": "Request number: {id}",
        "error.home": "Back to the home page",
        "users.title": "Accounts",
        "users.new": "New account",
        "users.login": "Login",
        "users.name": "Name",
        "users.role": "Role",
        "users.scope": "Scope",
        "users.status": "Status",
        "users.enabled": "Enabled",
        "users.disabled": "Disabled",
        "users.edit": "Edit",
        "users.none": "There are no accounts in your scope.",
        "users.count": "Accounts: {count}",
        "users.password": "Initial password",
        "users.password_again": "Password again",
        "users.password_hint": "At least {min} characters.",
        "users.create": "Create the account",
        "users.created": "Account “{login}” created.",
        "users.save": "Save",
        "users.saved": "Role and scope of “{login}” saved.",
        "users.edit_title": "Account “{login}”",
        "users.details": "Role and scope",
        "users.reset": "Reset the password",
        "users.new_password": "New password",
        "users.reset_submit": "Reset the password",
        "users.reset_done": "The password of “{login}” was reset; its devices must log in again.",
        "users.reset_own": "Your password was reset; log in with the new one.",
        "users.disable": "Disable the account",
        "users.disable_text": "A disabled account cannot log in, and its devices are logged out at once.",
        "users.disable_submit": "Disable",
        "users.disabled_done": "“{login}” disabled; logins revoked: {count}.",
        "users.enable": "Enable again",
        "users.enable_text": "This account is disabled. Enabled again, it can log in.",
        "users.enable_submit": "Enable",
        "users.enabled_done": "“{login}” enabled again.",
        "users.back": "Back to the accounts",
        "users.error.login": "A login is 1 to 64 characters without spaces.",
        "users.error.login_taken": "The login “{login}” is taken.",
        "users.error.password_short": "The password is too short: at least {min} characters.",
        "users.error.password_mismatch": "The two passwords differ.",
        "users.error.role": "Choose a role.",
        "users.error.scope": "Choose an area inside your scope.",
        "users.error.scope_needed": "Only an administrator may have all areas; choose an area.",
        "users.error.whole_tree": "Only an administrator of all areas may make an account of all areas.",
        "users.error.self_role": "You cannot change the role or scope of your own account.",
        "users.error.self_disable": "You cannot disable your own account.",
        "users.error.name": "A name is at most 100 characters.",
        "users.error.form": "Correct the problems marked below.",
    },
}

_EN_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def request_language(request: Request) -> str:
    """The language cookie (set by the switch in the header) when it names one of ours, else
    the best of Accept-Language, else Chinese."""
    chosen = request.cookies.get(LANG_COOKIE)
    if chosen in LANGS:
        return str(chosen)
    return choose_language(request.headers.get("accept-language", ""))


class Translator:
    """``t("users.created", login="li")``: the words of one language. An unknown key raises, so a
    template that names a missing key fails its test instead of showing the key."""

    def __init__(self, lang: str) -> None:
        self.lang = lang
        self.messages = MESSAGES[lang]

    def __call__(self, key: str, **values: object) -> str:
        text = self.messages[key]
        return text.format(**values) if values else text

    def role(self, role: str) -> str:
        return self(f"role.{role}")

    def date(self, value: date | float | None) -> str:
        """A date as the language writes it: 2026年11月27日 / 27 Nov 2026."""
        if value is None:
            return ""
        day = value if isinstance(value, date) else datetime.fromtimestamp(value).date()
        if self.lang == "zh":
            return f"{day.year}年{day.month}月{day.day}日"
        return f"{day.day} {_EN_MONTHS[day.month - 1]} {day.year}"

    def datetime(self, value: float | None) -> str:
        """A moment (a Unix time) in the server's local time, to the minute."""
        if value is None:
            return ""
        moment = time.localtime(value)
        clock = f"{moment.tm_hour:02d}:{moment.tm_min:02d}"
        return f"{self.date(value)} {clock}" if self.lang == "zh" else f"{self.date(value)}, {clock}"

    def number(self, value: float | int | Decimal | None, digits: int = 0) -> str:
        """A number with grouped thousands; ``digits`` after the point."""
        if value is None:
            return "–"
        # Both languages group thousands with a comma (as Chinese official tables do).
        return f"{value:,.{digits}f}"

    def percent(self, value: float | Decimal | None, digits: int = 1) -> str:
        """A share (0.305) as a percentage: 30.5%."""
        if value is None:
            return "–"
        return f"{float(value) * 100:.{digits}f}%"
