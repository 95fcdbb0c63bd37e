"""The pieces under every page, without a browser: the catalogue, the redirect after login,
the CSRF token, the sections."""

from __future__ import annotations

import re
import string
from pathlib import Path

import pytest

from server.web.i18n import LANGS, MESSAGES, Translator
from server.web.nav import SECTIONS, current_section, sections_for
from server.web.session import csrf_matches, csrf_token, safe_next


def _placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_both_catalogues_have_the_same_keys_and_placeholders():
    zh, en = MESSAGES["zh"], MESSAGES["en"]
    assert set(zh) == set(en)
    for key in zh:
        assert _placeholders(zh[key]) == _placeholders(en[key]), key
        assert zh[key].strip() and en[key].strip(), key


def test_every_key_a_template_or_page_names_is_in_the_catalogue():
    root = Path(__file__).resolve().parents[2] / "server" / "web"
    prefixes = "|".join(sorted({key.split(".")[0] for key in MESSAGES["zh"]}))
    quoted = re.compile(rf"""["']((?:{prefixes})\.[a-z_.0-9]+)["']""")
    named = set()
    for path in [*root.rglob("*.html"), *root.rglob("*.py")]:
        # A key ending in "." or "_" is the start of one made in code ("users.error." + name).
        named |= {key for key in quoted.findall(path.read_text(encoding="utf-8"))
                  if not key.endswith((".html", ".", "_"))}
    assert "users.error.login" in named  # the search finds keys
    assert {key for key in named if key not in MESSAGES["zh"]} == set()
    for section in SECTIONS:
        assert section.label in MESSAGES["zh"] and (section.summary is None or section.summary in MESSAGES["zh"])


def test_an_unknown_key_fails_loudly():
    with pytest.raises(KeyError):
        Translator("zh")("no.such.key")


@pytest.mark.parametrize("target, expected", [
    ("/users", "/users"),
    ("/users/edit/a%2Fb?done=saved", "/users/edit/a%2Fb?done=saved"),
    ("", "/"), (None, "/"), ("users", "/"),
    ("//evil.example/x", "/"), ("/\\evil.example", "/"), ("https://evil.example/", "/"),
    ("/%0d%0aSet-Cookie:x", "/%0d%0aSet-Cookie:x"), ("/\r\nSet-Cookie: x", "/"),
    ("/login", "/"), ("/login?next=/users", "/"), ("/logout", "/"),
])
def test_only_a_path_on_this_server_is_a_place_to_go_after_login(target, expected):
    assert safe_next(target) == expected


def test_the_language_switch_may_come_back_to_the_login_page():
    assert safe_next("/login?next=/users", allow_login=True) == "/login?next=/users"
    assert safe_next("//evil.example", allow_login=True) == "/"


def test_the_csrf_token_is_bound_to_its_session():
    token = csrf_token("session-a")
    assert csrf_matches("session-a", token)
    assert not csrf_matches("session-b", token)
    assert not csrf_matches(None, token)
    assert not csrf_matches("session-a", None)
    assert not csrf_matches("session-a", token.upper())


def test_each_section_shows_to_its_roles_and_holds_its_pages():
    admin = [s.path for s in sections_for("admin")]
    staff = [s.path for s in sections_for("office_staff")]
    assert admin[0] == staff[0] == "/" and "/users" in admin and "/users" not in staff
    assert sections_for("inspector") == sections_for("team_leader") == []
    assert current_section("/users/edit/li").path == "/users"
    assert current_section("/usersx") is None
    assert current_section("/no/such/page") is None
    assert current_section("/").path == "/"


def test_every_language_has_its_catalogue():
    assert set(MESSAGES) == set(LANGS)
