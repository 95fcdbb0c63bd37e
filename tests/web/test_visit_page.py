"""The visit page: a visit a real demo laptop finalized and synced to the real server, seen by
the office in a real browser; its photos with their annotations, its signatures, its feedback
sheet, its verification in words, and nothing of it for an account of another county."""

from __future__ import annotations

import io
import json
import os
import uuid
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pypdfium2 as pdfium
import pytest
from PIL import Image, ImageChops, ImageStat
from sqlalchemy import delete, insert, select, update

from app.demo import OFFICE
from app.finalize import finalize_visit
from app.findings import add_finding, list_findings, set_finding_status
from app.reports import build_report
from app.sync.engine import sync
from app.visits import VisitFilter, answer_item, get_visit, list_visits
from server import office
from server.dashboard.figures import visit_scores
from server.store.blobs import open_blob_store
from server.store.schema import finalized_versions, sync_conflicts, sync_rows
from tests.app.report_factory import page_texts, pdf_fonts, pdf_text, squeeze
from tests.server.conftest import reset_store
from tests.server.finalized_support import answer_visit, build_demo_profile
from tests.server.sync_support import QUICK
from tests.web.conftest import CHROMIUM, Site, log_in, web_client
from tests.web.visit_support import (
    COUNTY,
    MARK,
    OTHER_COUNTY,
    Pushed,
    keychain,
    office_account,
    printed,
    pushed_visit,
)

ROOT = Path(__file__).resolve().parents[2]
SHOTS = ROOT / "docs" / "screenshots" / "web"
FONTS = ROOT / "resources" / "fonts"


@pytest.fixture(scope="module")
def visit(site_process: Site, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Pushed]:
    """One visit pushed for the whole module (the tests here only read it, or undo what they
    change), with the office's name set as the demo laptop has it."""
    template = build_demo_profile(tmp_path_factory.mktemp("demo") / "profile")
    reset_store(site_process.engine)
    for _ in keychain():
        made = pushed_visit(site_process, template, tmp_path_factory.mktemp("laptop") / "profile")
        with site_process.engine.begin() as conn, _blob_store(site_process) as blobs:
            office.set_settings(conn, blobs, name_zh=OFFICE, name_en="Danjiangkou Education Supervision Office")
        yield made
        made.profile.close()


class _blob_store:
    """The site's blob store (the process's data folder), to set the office's settings."""

    def __init__(self, site: Site) -> None:
        folder = Path(site.engine.url.database or "").parent
        self.store = open_blob_store(folder / "blobs")

    def __enter__(self) -> Any:
        return self.store

    def __exit__(self, *exc: object) -> None:
        self.store.close()


def _client(site: Site, scope: str | None) -> Any:
    # Only an administrator may have the whole tree.
    login, password = office_account(site, scope, "office_staff" if scope else "admin")
    return web_client(site, login, password, **{"Accept-Language": "zh-CN"}).client


def _score(site: Site, visit_id: str) -> Any:
    with site.engine.connect() as conn:
        return conn.execute(select(finalized_versions).where(finalized_versions.c.visit_id == visit_id)).one()


def test_the_page_shows_each_section_and_the_total_of_the_servers_rescore(site_process, visit, page):
    login, password = office_account(site_process, COUNTY)
    log_in(page, site_process, login, password)
    answer = page.goto(f"{site_process.url}/visits/{visit.visit_id}")
    assert answer is not None and answer.status == 200
    with site_process.engine.connect() as conn:
        sections, _items = visit_scores(conn, "/", visit.visit_id)
    shown = {row.get_attribute("data-section"): row.locator("td.awarded").inner_text()
             for row in page.locator("table.sections tbody tr").all()}
    assert shown == {s.code: printed(s.awarded) for s in sections}
    version = _score(site_process, visit.visit_id)
    assert page.locator("#total-0").inner_text() == \
        f"总分 {printed(version.server_total)} / {printed(version.server_maximum)}"
    assert version.server_band and version.server_band in page.locator("#band-0").inner_text()
    # The verification, in words.
    assert "一致" in page.locator("#check-hash").inner_text() and "不一致" not in page.locator("#check-hash").inner_text()
    assert page.locator("#check-score").inner_text() == (
        f"笔记本电脑填报的得分 {printed(version.stated_total)} / {printed(version.stated_maximum)} {version.stated_band} "
        f"与服务器重新计分 {printed(version.server_total)} / {printed(version.server_maximum)} {version.server_band} 一致。")
    assert page.locator("#check-conflicts").inner_text() == "没有等待处理的同步冲突。"
    # Findings with status and deadline, the good practice, the team, the signatures.
    finding = page.locator("#findings tbody tr").first
    assert "消防通道堆放杂物" in finding.inner_text() and "2026年12月1日" in finding.inner_text()
    assert finding.locator("td.status").inner_text() == "待整改"
    assert "校门安全值守规范" in page.locator("#practices").inner_text()
    assert "组长" in page.locator("#members").inner_text()
    signatures = page.locator("#signatures li")
    assert signatures.count() == 2 and "张建国" in signatures.first.inner_text()
    # Every image on the page loaded (photos drawn by the server, signatures).
    page.wait_for_load_state("networkidle")
    for img in page.locator("#photos img, #signatures img").all():
        img.scroll_into_view_if_needed()
        assert img.evaluate("i => i.complete && i.naturalWidth > 0"), img.get_attribute("src")
    assert page.locator("#photos li").count() >= 1
    # The sheet's links, in both languages.
    links = page.locator("#feedback-links a")
    assert [links.nth(i).get_attribute("href") for i in range(links.count())] == [
        f"/visits/{visit.visit_id}/feedback.pdf?lang=zh", f"/visits/{visit.visit_id}/feedback.pdf?lang=en"]


def _image(data: bytes) -> Image.Image:
    return Image.open(io.BytesIO(data)).convert("RGB")


def _box(img: Image.Image, box: tuple[float, float, float, float]) -> tuple[int, int, int, int]:
    w, h = img.size
    return int(box[0] * w), int(box[1] * h), int(box[2] * w), int(box[3] * h)


def test_the_photo_is_drawn_with_its_annotations_and_is_not_found_for_another_county(site_process, visit):
    url = f"/visits/{visit.visit_id}/photos/{visit.photo_id}.jpg?size=large"
    ours = _client(site_process, COUNTY)
    marked, plain = ours.get(url), ours.get(url + "&markup=0")
    assert marked.status_code == plain.status_code == 200
    assert marked.headers["content-type"] == "image/jpeg" and "private" in marked.headers["cache-control"]
    a, b = _image(marked.content), _image(plain.content)
    assert a.size == b.size
    diff = ImageChops.difference(a, b).convert("L")
    # The rectangle's edge is drawn: pixels along it differ; far from every shape, JPEG noise only.
    x0, y0, x1, y1 = _box(a, MARK)
    edge = diff.crop((x0, y0 + 10, x0 + 12, y1 - 10))
    assert ImageStat.Stat(edge).mean[0] > 40
    calm = diff.crop(_box(a, (0.3, 0.3, 0.5, 0.5)))
    assert ImageStat.Stat(calm).mean[0] < 3
    # The red of the mark-up: the marked photo is redder on the rectangle's edge.
    red = a.crop((x0, y0 + 10, x0 + 6, y1 - 10)).getpixel((2, 20))
    assert red[0] > 180 and red[1] < 120, red
    # A thumbnail too, and the signature; another county's office sees none of it.
    assert ours.get(f"/visits/{visit.visit_id}/photos/{visit.photo_id}.jpg").status_code == 200
    theirs = _client(site_process, OTHER_COUNTY)
    with site_process.engine.connect() as conn:
        signature = conn.execute(select(sync_rows.c.key).where(sync_rows.c.table_name == "signatures",
                                                               sync_rows.c.visit_id == visit.visit_id)).scalars().first()
    assert ours.get(f"/visits/{visit.visit_id}/signatures/{signature}.png").content.startswith(b"\x89PNG")
    for path in (url, url + "&markup=0", f"/visits/{visit.visit_id}", f"/visits/{visit.visit_id}/feedback.pdf",
                 f"/visits/{visit.visit_id}/signatures/{signature}.png"):
        answer = theirs.get(path)
        assert answer.status_code == 404, path
        assert "消防通道" not in answer.text and answer.headers["content-type"].startswith("text/html")
    # Nor a photo of this visit under another visit's address, nor an address that is no id.
    assert ours.get(f"/visits/{visit.photo_id}/photos/{visit.photo_id}.jpg").status_code == 404
    assert ours.get(f"/visits/{visit.visit_id}/photos/{visit.photo_id}.jpg?size=huge").status_code == 404
    assert ours.get("/visits/not-a-visit").status_code == 404


def test_the_feedback_sheet_is_the_laptops_sheet(site_process, visit):
    client = _client(site_process, COUNTY)
    answer = client.get(f"/visits/{visit.visit_id}/feedback.pdf?lang=zh")
    assert answer.status_code == 200 and answer.headers["content-type"] == "application/pdf"
    pdf = answer.content
    document = pdfium.PdfDocument(pdf)
    bitmap = document[0].render(scale=1).to_pil()
    assert bitmap.size[0] > 500 and ImageStat.Stat(bitmap.convert("L")).var[0] > 50
    document.close()
    fonts = pdf_fonts(pdf)
    assert fonts and all(fonts.values()), fonts
    version = _score(site_process, visit.visit_id)
    text = squeeze(pdf_text(pdf))
    unit = visit.profile.db.execute("SELECT u.name FROM visits v JOIN units u ON u.id = v.unit_id WHERE v.id = ?",
                                    [visit.visit_id]).fetchone()[0]
    assert unit in text and printed(version.server_total) in text and version.server_band in text
    # The same words as the laptop's own sheet: it logged in to this server (the QR code's page)
    # and its office_name is the office's name.
    laptop = build_report(visit.profile, visit.visit_id, kind="feedback", lang="zh")
    assert page_texts(pdf) == page_texts(laptop.pdf)
    # The visit was laid out in the server's data folder for the print, and removed after.
    assert list((Path(site_process.engine.url.database or "").parent / "cache" / "sheets").iterdir()) == []


def test_a_record_changed_after_finalizing_and_a_stated_score_that_differs_are_said_in_words(site_process, visit,
                                                                                             new_page):
    stated = _score(site_process, visit.visit_id)
    with site_process.engine.begin() as conn:
        row = conn.execute(select(sync_rows).where(sync_rows.c.table_name == "good_practices",
                                                   sync_rows.c.visit_id == visit.visit_id)).first()
        assert row is not None
        values = json.loads(row.row_values)
        conn.execute(update(sync_rows).where(sync_rows.c.table_name == row.table_name, sync_rows.c.key == row.key)
                     .values(row_values=json.dumps({**values, "text": "改过的亮点"}, ensure_ascii=False)))
        conn.execute(update(finalized_versions).where(finalized_versions.c.visit_id == visit.visit_id)
                     .values(stated_total="999", score_matches=False))
    try:
        page = new_page("en-US")
        login, password = office_account(site_process, COUNTY)
        log_in(page, site_process, login, password)
        page.goto(f"{site_process.url}/visits/{visit.visit_id}")
        hash_line = page.locator("#check-hash")
        assert "bad" in (hash_line.get_attribute("class") or "")
        assert hash_line.inner_text().startswith("The record the server holds no longer matches the latest "
                                                 "finalized version: it was changed after finalizing")
        score_line = page.locator("#check-score").inner_text()
        assert score_line.startswith(f"The scores differ: the laptop stated 999 / {printed(stated.stated_maximum)} ")
        assert f"the server's re-score gives {printed(stated.server_total)} / " in score_line
        assert stated.server_band not in score_line  # the band in English
        assert page.locator("#versions td.bad").inner_text() == "No"
    finally:
        with site_process.engine.begin() as conn:
            conn.execute(update(sync_rows).where(sync_rows.c.table_name == row.table_name, sync_rows.c.key == row.key)
                         .values(row_values=row.row_values))
            conn.execute(update(finalized_versions).where(finalized_versions.c.visit_id == visit.visit_id)
                         .values(stated_total=stated.stated_total, score_matches=True))


def test_a_photo_the_laptop_has_not_uploaded_yet_is_said_so(site_process, visit):
    with site_process.engine.connect() as conn:
        key, sha = conn.execute(select(sync_rows.c.key, sync_rows.c.blob_sha256).where(
            sync_rows.c.table_name == "evidence", sync_rows.c.visit_id == visit.visit_id,
            sync_rows.c.key != visit.photo_id)).first()
    with _blob_store(site_process) as blobs:
        stored = blobs.path(sha)
        kept = stored.read_bytes()
        stored.unlink()
        try:
            client = _client(site_process, COUNTY)
            page = client.get(f"/visits/{visit.visit_id}")
            assert page.status_code == 200
            tile = page.text.split(f'data-photo="{key}"', 1)[1].split("</li>", 1)[0]
            assert "服务器尚未收到这张照片" in tile and "<img" not in tile
            answer = client.get(f"/visits/{visit.visit_id}/photos/{key}.jpg")
            assert answer.status_code == 404 and "服务器尚未收到这张照片" in answer.text
        finally:
            blobs.put(sha, [kept], limit=len(kept))
    assert client.get(f"/visits/{visit.visit_id}/photos/{key}.jpg").status_code == 200


def test_a_sheet_the_server_cannot_lay_out_is_refused_in_words(site_process, visit):
    with site_process.engine.begin() as conn:
        row = conn.execute(select(sync_rows).where(sync_rows.c.table_name == "good_practices",
                                                   sync_rows.c.visit_id == visit.visit_id)).first()
        assert row is not None
        changed = json.dumps({**json.loads(row.row_values), "colour": "red"})
        conn.execute(update(sync_rows).where(sync_rows.c.table_name == row.table_name, sync_rows.c.key == row.key)
                     .values(row_values=changed))
    try:
        answer = _client(site_process, COUNTY).get(f"/visits/{visit.visit_id}/feedback.pdf?lang=zh")
        assert answer.status_code == 422 and answer.headers["content-type"].startswith("text/html")
        assert "无法按本版本笔记本电脑的格式排版" in answer.text and "colour" in answer.text
    finally:
        with site_process.engine.begin() as conn:
            conn.execute(update(sync_rows).where(sync_rows.c.table_name == row.table_name,
                                                 sync_rows.c.key == row.key).values(row_values=row.row_values))


def test_a_visit_under_way_and_an_amended_one_are_said_so(site_process, visit):
    client = _client(site_process, COUNTY)
    under_way = next(v for v in list_visits(visit.profile, VisitFilter(status="in_progress"), limit=100))
    page = client.get(f"/visits/{under_way.id}")
    assert page.status_code == 200
    assert "尚未定稿：还没有可供校验的定稿记录。" in page.text and "尚未定稿，暂无服务器计分。" in page.text
    assert 'class="data sections"' not in page.text and 'id="versions"' not in page.text
    amended = next(v for v in list_visits(visit.profile, VisitFilter(status="amended"), limit=100))
    page = client.get(f"/visits/{amended.id}")
    assert page.status_code == 200 and "第 1 次更正" in page.text
    # The versions the server holds: the laptop amended before it first synced, so only the
    # amendment reached it.
    versions = page.text.split('id="versions"', 1)[1].split("</table>", 1)[0]
    assert versions.count("<tr>") == 2 and "第 1 次更正" in versions
    assert "服务器保存的记录与最新定稿版本的哈希一致" in page.text


def test_a_veto_an_overdue_finding_and_a_status_from_later_events(site_process, visit):
    """The other review under way: a D-class building still in use (X1 not met) vetoes it, and
    a finding's deadline has passed; the first visit's finding is reported fixed since."""
    profile = visit.profile
    other = next(v for v in list_visits(profile, VisitFilter(status="in_progress"), limit=100)
                 if v.visit_type == "preliminary_review")
    answer_visit(profile, other.id)
    rubric_hash = get_visit(profile, other.id).rubric_hashes[0]
    answer_item(profile, other.id, rubric_hash=rubric_hash, item_code="X1", value=False,
                evidence_methods=["site"], reason="教学楼东侧平房鉴定为D类危房，仍在使用。")
    late = add_finding(profile, other.id, description="D类危房仍在使用", requirement="立即停用并拆除",
                       deadline=(date.today() - timedelta(days=3)).isoformat(), severity="major")
    finalize_visit(profile, other.id, accept_gaps=True)
    [first] = [f.id for f in list_findings(profile, visit.visit_id)]
    set_finding_status(profile, first, "reported_fixed", note="学校报告已清理消防通道。")
    # The module's keychain (the visit fixture's) still holds the laptop's token.
    result = sync(profile, visit.session, retry=QUICK)
    assert result.complete, (result.reason, result.message)
    client = _client(site_process, COUNTY)
    page = client.get(f"/visits/{other.id}")
    vetoes = page.text.split('id="vetoes-0"', 1)[1].split("</div>", 1)[0]
    assert "V1 学校存在D类危房并继续使用（X1）" in vetoes and 'class="bad"' in vetoes
    version = _score(site_process, other.id)
    assert version.server_band and f"评定等级：{version.server_band}" in page.text
    row = page.text.split(f'data-finding="{late.id}"', 1)[1].split("</tr>", 1)[0]
    assert 'class="overdue"' in row and "已逾期" in row and "重大" in row and "待整改" in row
    first_page = client.get(f"/visits/{visit.visit_id}")
    row = first_page.text.split(f'data-finding="{first}"', 1)[1].split("</tr>", 1)[0]
    assert '<td class="status">已报整改</td>' in row and "已逾期" not in row


def test_an_open_conflict_is_said_on_the_page_and_on_the_sheet(site_process, visit):
    """A team-mate's edit of the good practice kept as a conflict beside the finalized one."""
    with site_process.engine.connect() as conn:
        row = conn.execute(select(sync_rows).where(sync_rows.c.table_name == "good_practices",
                                                   sync_rows.c.visit_id == visit.visit_id)).first()
    assert row is not None
    current = {"rev": row.rev, "device_id": row.device_id, "deleted": False, "values": json.loads(row.row_values)}
    incoming = {**current, "rev": row.rev[:-36] + str(uuid.UUID(int=7)), "device_id": str(uuid.UUID(int=7)),
                "values": {**current["values"], "text": "组员补充：门卫登记规范"}}
    conflict_id = str(uuid.uuid4())
    with site_process.engine.begin() as conn:
        conn.execute(insert(sync_conflicts).values(
            id=conflict_id, table_name="good_practices", key=row.key, visit_id=visit.visit_id, base_rev=row.rev,
            current=json.dumps(current), incoming=json.dumps(incoming), detected_at=0.0, status="open",
            resolved_by_rev=None, changeset_id=str(uuid.uuid4()), server_seq=0))
    try:
        client = _client(site_process, COUNTY)
        page = client.get(f"/visits/{visit.visit_id}")
        assert '<li class="bad" id="check-conflicts">有 1 处同步冲突等待有人选择。</li>' in page.text
        sheet = client.get(f"/visits/{visit.visit_id}/feedback.pdf?lang=zh")
        assert "同步冲突未解决" in squeeze(pdf_text(sheet.content))
    finally:
        with site_process.engine.begin() as conn:
            conn.execute(delete(sync_conflicts).where(sync_conflicts.c.id == conflict_id))


def test_a_visit_the_server_does_not_hold_is_not_found(site_process, visit):
    client = _client(site_process, None)
    missing = "00000000-0000-4000-8000-00000000abcd"
    for path in (f"/visits/{missing}", f"/visits/{missing}/feedback.pdf",
                 f"/visits/{missing}/photos/{visit.photo_id}.jpg"):
        assert client.get(path).status_code == 404, path


def _fonts_conf(folder: Path) -> Path:
    """The system's fonts and the bundled CJK one, so Chinese shows where the machine has none."""
    conf = folder / "fonts.conf"
    conf.write_text('<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "fonts.dtd">\n<fontconfig>\n'
                    '  <include ignore_missing="yes">/etc/fonts/fonts.conf</include>\n'
                    f"  <dir>{FONTS}</dir>\n  <cachedir>{folder / 'font-cache'}</cachedir>\n</fontconfig>\n",
                    encoding="utf-8")
    return conf


def test_screenshots_of_the_visit_page(site_process, visit, playwright_driver, tmp_path):
    """The page with data at 1366×768 and whole, in both languages; saved to docs/screenshots/web
    when SCREENSHOTS is set, else to a temporary folder."""
    folder = SHOTS if os.environ.get("SCREENSHOTS") else tmp_path
    folder.mkdir(parents=True, exist_ok=True)
    login, password = office_account(site_process, COUNTY)
    env = {**os.environ, "FONTCONFIG_FILE": str(_fonts_conf(tmp_path))}
    browser = playwright_driver.chromium.launch(executable_path=str(CHROMIUM), env=env)
    try:
        for lang, locale in (("zh", "zh-CN"), ("en", "en-GB")):
            context = browser.new_context(locale=locale, viewport={"width": 1366, "height": 768})
            page = log_in(context.new_page(), site_process, login, password)
            page.goto(f"{site_process.url}/visits/{visit.visit_id}")
            page.wait_for_load_state("networkidle")
            page.screenshot(path=str(folder / f"visit-{lang}.png"))
            page.screenshot(path=str(folder / f"visit-{lang}-full.png"), full_page=True)
            assert (folder / f"visit-{lang}-full.png").stat().st_size > 20_000
            context.close()
    finally:
        browser.close()
