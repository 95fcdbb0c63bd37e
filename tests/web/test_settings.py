"""The Settings page: an admin sets the office's 落款 (names and logo) and the release the laptops
are told about; the API and the public release answer then say the same. Refusals are in words,
by field, with what was typed kept and nothing stored; office staff see it read-only.

The browser test runs on tests/web's site (SQLite, blobs in files); the form tests run on
tests/server's live server, on SQLite with files and on PostgreSQL with S3 (SeaweedFS).
"""

from __future__ import annotations

import hashlib
import html
import io
import uuid
from pathlib import Path

import httpx
import pytest
from PIL import Image
from sqlalchemy import select, update

from app.sync.release import RELEASE_PATH
from server import office
from server.config import PROTOCOL, PROTOCOL_HEADER
from server.errors import BadInput
from server.office_logo import MAX_LOGO_BYTES
from server.store.blobs import BlobStoreUnavailable
from server.store.schema import client_release, office_settings
from server.web.pages import settings as settings_page
from server.web.session import SESSION_COOKIE
from tests.server.blob_support import seaweedfs  # noqa: F401 - the PostgreSQL runs' blob store
from tests.server.conftest import (  # noqa: F401 - the live server on both backends, and its parts
    COUNTY,
    TOWNSHIP,
    backend,
    blob_store_of,
    blobs_url,
    config_for,
    database_url,
    fresh,
    pg_admin_url,
    shared_server,
)
from tests.web.conftest import ADMIN_PASSWORD, WebClient, log_in, web_client

API = "/api/v1"
OFFICE_ZH, OFFICE_EN = "丹江口市人民政府教育督导室", "Danjiangkou Education Supervision Office"


def _image(kind: str, size: tuple[int, int] = (40, 20)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (160, 20, 30)).save(out, kind)
    return out.getvalue()


def _api_token(url: str, login: str, password: str) -> str:
    answer = httpx.post(url + API + "/login", headers={PROTOCOL_HEADER: str(PROTOCOL)},
                        json={"username": login, "password": password, "device_id": str(uuid.uuid4())})
    assert answer.status_code == 200, answer.text
    return str(answer.json()["token"])


def _api_office(url: str, token: str) -> httpx.Response:
    return httpx.get(url + API + "/office", headers={PROTOCOL_HEADER: str(PROTOCOL), "Authorization": f"Bearer {token}"})


def _text(answer: httpx.Response) -> str:
    return html.unescape(answer.text)


# --- the main flow, in a browser -----------------------------------------------------------------

def test_an_admin_sets_the_sign_off_a_logo_and_a_release_that_the_api_then_answers(site, page, tmp_path: Path):
    log_in(page, site, "admin", ADMIN_PASSWORD)
    page.click("nav.sections >> text=设置")
    assert page.url == f"{site.url}/settings"
    assert page.inner_text("#no-logo") == "尚未设置标志。"
    assert page.inner_text("#no-release") == "目前没有提示新版本。"
    logo = tmp_path / "seal.png"
    logo.write_bytes(_image("PNG"))
    page.fill("#name_zh", OFFICE_ZH)
    page.fill("#name_en", OFFICE_EN)
    page.set_input_files("#logo", str(logo))
    page.click("#office-form button[type=submit]")
    page.wait_for_url("**/settings?done=office")
    assert page.inner_text("p.notice") == "已保存落款。各笔记本电脑下次同步时取得。"
    # The header names the office at once, and the logo is drawn from the store.
    assert page.inner_text("header .office") == OFFICE_ZH
    drawn = page.locator("#logo-image")
    assert drawn.evaluate("img => img.complete && img.naturalWidth") == 40

    page.fill("#version", "9.2.0")
    page.fill("#download_url", "https://office.example/fieldmark/Fieldmark-9.2.0-setup.exe")
    page.fill("#notes_zh", "打印改为原尺寸矢量输出")
    page.fill("#notes_en", "Prints at true size")
    page.click("#release-form button[type=submit]")
    page.wait_for_url("**/settings?done=release")
    assert page.inner_text("p.notice") == "已提示版本 9.2.0。各笔记本电脑下次同步时显示。"
    assert page.locator("#offered dd").all_inner_texts()[:2] == [
        "9.2.0", "https://office.example/fieldmark/Fieldmark-9.2.0-setup.exe"]

    token = _api_token(site.url, "admin", ADMIN_PASSWORD)
    office = _api_office(site.url, token).json()
    sha = hashlib.sha256(logo.read_bytes()).hexdigest()
    assert (office["name_zh"], office["name_en"], office["logo_sha256"]) == (OFFICE_ZH, OFFICE_EN, sha)
    stored = httpx.get(f"{site.url}{API}/blobs/{sha}", headers={PROTOCOL_HEADER: str(PROTOCOL),
                                                               "Authorization": f"Bearer {token}"})
    assert stored.content == logo.read_bytes()
    assert httpx.get(site.url + RELEASE_PATH).json() == {
        "version": "9.2.0", "download_url": "https://office.example/fieldmark/Fieldmark-9.2.0-setup.exe",
        "notes_zh": "打印改为原尺寸矢量输出", "notes_en": "Prints at true size"}

    # Removing the logo keeps the names; withdrawing leaves the laptops told nothing.
    page.check("#remove_logo")
    page.click("#office-form button[type=submit]")
    page.wait_for_url("**/settings?done=office")
    assert page.inner_text("#no-logo") == "尚未设置标志。"
    page.once("dialog", lambda dialog: dialog.accept())
    page.click("#withdraw-form button")
    page.wait_for_url("**/settings?done=withdrawn")
    assert page.inner_text("#no-release") == "目前没有提示新版本。"
    office = _api_office(site.url, token).json()
    assert (office["name_zh"], office["logo_sha256"]) == (OFFICE_ZH, None)
    assert httpx.get(site.url + RELEASE_PATH).json()["version"] is None


def test_the_page_speaks_english_and_a_refused_file_keeps_what_was_typed(site, new_page, tmp_path: Path):
    page = log_in(new_page(locale="en-US"), site, "admin", ADMIN_PASSWORD, next="/settings")
    assert page.inner_text("h1") == "Settings"
    text = tmp_path / "logo.png"
    text.write_text("not a picture at all")
    page.fill("#name_zh", OFFICE_ZH)
    page.fill("#name_en", OFFICE_EN)
    page.set_input_files("#logo", str(text))
    page.click("#office-form button[type=submit]")
    assert page.inner_text("#logo-error") == "“logo.png” is not a PNG or JPEG image; it was not saved."
    assert (page.input_value("#name_zh"), page.input_value("#name_en")) == (OFFICE_ZH, OFFICE_EN)
    with site.engine.connect() as conn:
        assert conn.execute(select(office_settings)).first() is None


# --- the forms' refusals and the roles, on both backends ----------------------------------------

@pytest.fixture
def live(shared_server):  # noqa: F811 - tests/server's fixture, imported above
    """tests/server's live server on this test's backend, emptied and reseeded."""
    return fresh(shared_server)


def _admin(live) -> WebClient:
    return web_client(live, "admin", ADMIN_PASSWORD)


def _post_office(client: WebClient, names: dict[str, str], file: tuple[str, bytes, str] | None = None,
                 *, csrf: str | None = "") -> httpx.Response:
    data = dict(names)
    if csrf is not None:
        data["csrf_token"] = csrf or client.csrf
    files = {"logo": file} if file else {"logo": ("", b"", "application/octet-stream")}
    return client.client.post("/settings/office", data=data, files=files)


def test_a_form_without_its_csrf_token_changes_nothing(live):
    admin = _admin(live)
    refused = _post_office(admin, {"name_zh": OFFICE_ZH}, ("seal.png", _image("PNG"), "image/png"), csrf=None)
    assert refused.status_code == 403
    assert "表单已失效或来自其他网站，未作任何更改。" in _text(refused)
    release = {"version": "3.0", "download_url": "https://office.example/f.exe"}
    assert admin.post("/settings/release", release, csrf=None).status_code == 403
    assert admin.post("/settings/release", release, csrf="0" * 64).status_code == 403
    with live.engine.connect() as conn:
        assert conn.execute(select(office_settings)).first() is None
        assert conn.execute(select(client_release)).first() is None
    assert admin.post("/settings/release", release).status_code == 303
    assert admin.post("/settings/release/withdraw", {}, csrf=None).status_code == 403
    assert httpx.get(live.url + RELEASE_PATH).json()["version"] == "3.0"


@pytest.mark.parametrize(("file", "said"), [
    (("logo.png", b"GIF89a not really", "image/png"), "“logo.png”不是 PNG 或 JPEG 图片，未保存。"),
    # A real PNG cut short: its header says PNG, its body does not hold.
    (("cut.png", _image("PNG", (300, 300))[:60], "image/png"), "“cut.png”不是 PNG 或 JPEG 图片，未保存。"),
    (("seal.gif", _image("GIF"), "image/gif"), "“seal.gif”不是 PNG 或 JPEG 图片，未保存。"),
    (("empty.png", b"", "image/png"), "“empty.png”是空文件，未保存。"),
    (("huge.png", _image("PNG") + b"\0" * MAX_LOGO_BYTES, "image/png"), "“huge.png”太大，未保存：标志最大 2 MB。"),
])
def test_a_logo_that_is_not_a_small_png_or_jpeg_is_refused_in_words_and_nothing_is_stored(live, file, said):
    admin = _admin(live)
    answer = _post_office(admin, {"name_zh": OFFICE_ZH, "name_en": OFFICE_EN}, file)
    assert answer.status_code == 400
    page = _text(answer)
    assert f'<p class="error" id="logo-error">{said}</p>' in page
    # What was typed is kept.
    assert f'value="{OFFICE_ZH}"' in page and f'value="{OFFICE_EN}"' in page
    with live.engine.connect() as conn:
        assert conn.execute(select(office_settings)).first() is None
    store = blob_store_of(live.config)
    try:
        assert not store.has(hashlib.sha256(file[1]).hexdigest())
    finally:
        store.close()


def test_a_jpeg_logo_is_stored_by_its_hash_and_kept_when_only_the_names_change(live):
    admin = _admin(live)
    jpeg = _image("JPEG")
    assert _post_office(admin, {"name_zh": OFFICE_ZH}, ("seal.jpg", jpeg, "image/jpeg")).status_code == 303
    sha = hashlib.sha256(jpeg).hexdigest()
    assert _post_office(admin, {"name_zh": "新名称", "name_en": "New name"}).status_code == 303
    office = _api_office(live.url, live.admin_token).json()
    assert (office["name_zh"], office["name_en"], office["logo_sha256"]) == ("新名称", "New name", sha)
    shown = admin.client.get("/settings/logo")
    assert (shown.status_code, shown.headers["content-type"], shown.content) == (200, "image/jpeg", jpeg)
    # No Chinese name: refused in words, nothing changed.
    answer = _post_office(admin, {"name_zh": " ", "name_en": "Only English"})
    assert answer.status_code == 400
    assert "请填写单位的中文名称，落款必须有中文名称。" in _text(answer)
    assert 'value="Only English"' in answer.text
    assert _api_office(live.url, live.admin_token).json()["name_zh"] == "新名称"


@pytest.mark.parametrize(("sent", "errors"), [
    ({"version": "v1.2", "download_url": "file:///C:/Fieldmark.exe"},
     {"version": "版本号须为 1.4.2 或 2.0rc1 这样的格式（最多 32 个字符）。",
      "download_url": "下载链接须为笔记本电脑可以打开的 http 或 https 地址，最多 2000 个字符。"}),
    ({"version": "2.0", "download_url": "javascript:alert(1)"},
     {"download_url": "下载链接须为笔记本电脑可以打开的 http 或 https 地址，最多 2000 个字符。"}),
    ({"version": "2.0", "download_url": "https://office.example/f.exe", "notes_en": "x" * 4001},
     {"notes_en": "更新说明最多 4000 个字符。"}),
])
def test_a_release_the_laptops_could_not_use_is_refused_by_field_with_what_was_typed_kept(live, sent, errors):
    admin = _admin(live)
    typed = {"notes_zh": "修复打印", **sent}
    answer = admin.post("/settings/release", typed)
    assert answer.status_code == 400
    page = _text(answer)
    for field, said in errors.items():
        assert f'<p class="error" id="{field}-error">{said}</p>' in page
    for field in {"version", "download_url", "notes_zh", "notes_en"} - set(errors):
        assert f'id="{field}-error"' not in page
    assert f'value="{sent["version"]}"' in page and f'value="{sent["download_url"]}"' in page
    assert ">修复打印</textarea>" in page
    assert httpx.get(live.url + RELEASE_PATH).json()["version"] is None


def test_withdraw(live):
    admin = _admin(live)
    sent = {"version": "4.1.0", "download_url": "https://office.example/f.exe", "notes_en": "Faster sync"}
    assert admin.post("/settings/release", sent).headers["location"] == "/settings?done=release"
    assert httpx.get(live.url + RELEASE_PATH).json()["version"] == "4.1.0"
    answer = admin.post("/settings/release/withdraw", {})
    assert answer.headers["location"] == "/settings?done=withdrawn"
    assert httpx.get(live.url + RELEASE_PATH).json() == {
        "version": None, "download_url": None, "notes_zh": "", "notes_en": ""}
    shown = _text(admin.client.get("/settings?done=withdrawn"))
    assert "已撤回新版本提示。" in shown and "目前没有提示新版本。" in shown
    again = admin.post("/settings/release/withdraw", {})
    assert again.headers["location"] == "/settings?done=nothing"
    assert "没有可撤回的新版本提示。" in _text(admin.client.get(again.headers["location"]))


def test_office_staff_see_the_settings_read_only_and_may_change_nothing(live):
    admin = _admin(live)
    assert _post_office(admin, {"name_zh": OFFICE_ZH}, ("seal.png", _image("PNG"), "image/png")).status_code == 303
    assert admin.post("/settings/release", {"version": "5.0", "download_url": "https://office.example/f.exe"}
                      ).status_code == 303
    who = live.make_account("office_staff", COUNTY)
    staff = web_client(live, who.login, who.password)
    home = _text(staff.client.get("/"))
    assert 'href="/settings"' in home
    shown = staff.client.get("/settings")
    assert shown.status_code == 200
    page = _text(shown)
    assert "只有管理员可以修改这些设置。" in page and OFFICE_ZH in page and "5.0" in page
    assert 'id="office-form"' not in page and 'id="release-form"' not in page and 'id="withdraw-form"' not in page
    assert staff.client.get("/settings/logo").status_code == 200
    for path, body in (("/settings/office", {"name_zh": "改名"}), ("/settings/release/withdraw", {}),
                       ("/settings/release", {"version": "6.0", "download_url": "https://office.example/g.exe"})):
        refused = staff.post(path, body)
        assert refused.status_code == 403
        assert "只有管理员可以打开此页面。" in _text(refused)
    assert _api_office(live.url, live.admin_token).json()["name_zh"] == OFFICE_ZH
    assert httpx.get(live.url + RELEASE_PATH).json()["version"] == "5.0"


def test_an_inspector_gets_the_403_page(live):
    inspector = live.make_account("inspector", TOWNSHIP)
    with httpx.Client(base_url=live.url, timeout=30) as client:
        client.cookies.set(SESSION_COOKIE, inspector.token)
        for path in ("/settings", "/settings/logo"):
            answer = client.get(path)
            assert answer.status_code == 403
            assert "督导员账号不能打开办公室页面；请在 Fieldmark 桌面程序中工作。" in _text(answer)
        # Nor is the link offered to anyone outside the office.
        assert 'href="/settings"' not in answer.text


def test_a_logo_whose_image_the_store_lost_is_said_and_can_be_removed(live):
    admin = _admin(live)
    assert _post_office(admin, {"name_zh": OFFICE_ZH}, ("seal.png", _image("PNG"), "image/png")).status_code == 303
    lost = hashlib.sha256(b"an image the store never had").hexdigest()
    with live.engine.begin() as conn:
        conn.execute(update(office_settings).values(logo_sha256=lost))
    assert admin.client.get("/settings/logo").status_code == 404
    assert admin.client.get("/settings").status_code == 200
    answer = _post_office(admin, {"name_zh": "新名称"})
    assert answer.status_code == 409
    assert "服务器上已没有当前标志的图片文件：请上传标志，或勾选“删除当前标志”。未作任何更改。" in _text(answer)
    assert 'value="新名称"' in answer.text
    assert _api_office(live.url, live.admin_token).json()["name_zh"] == OFFICE_ZH
    assert _post_office(admin, {"name_zh": "新名称", "remove_logo": "1"}).status_code == 303
    office = _api_office(live.url, live.admin_token).json()
    assert (office["name_zh"], office["logo_sha256"]) == ("新名称", None)


def test_a_store_that_cannot_take_the_logo_changes_nothing_and_says_so(live, monkeypatch):
    # The live server runs in this process: its page module is this one.
    def unavailable(store, data):
        raise BlobStoreUnavailable("the bucket cannot be reached")

    monkeypatch.setattr(settings_page, "store_logo", unavailable)
    admin = _admin(live)
    answer = _post_office(admin, {"name_zh": OFFICE_ZH, "name_en": OFFICE_EN}, ("seal.png", _image("PNG"), "image/png"))
    assert answer.status_code == 503
    assert "服务器暂时无法保存标志（文件存储不可用），未作任何更改。" in _text(answer)
    assert f'value="{OFFICE_ZH}"' in answer.text
    with live.engine.connect() as conn:
        assert conn.execute(select(office_settings)).first() is None


def test_a_refusal_of_the_settings_service_is_shown_as_it_says(live, monkeypatch):
    def refuse(conn, blobs, **values):
        raise BadInput("the settings are refused for a reason the form does not check")

    monkeypatch.setattr(office, "set_settings", refuse)
    answer = _post_office(_admin(live), {"name_zh": OFFICE_ZH})
    assert answer.status_code == 422
    assert "the settings are refused for a reason the form does not check" in answer.text
    assert f'value="{OFFICE_ZH}"' in answer.text
