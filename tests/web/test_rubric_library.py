"""The rubric library in a real browser: a JSON and an xlsx version uploaded and listed, a bad
upload showing every problem with its place and storing nothing, the same or a clashing version
again, and the differences between two versions."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import quote

import openpyxl
from playwright.sync_api import Page, expect

from app.rubric.xlsx_write import write_xlsx
from server import rubrics
from server.store.schema import rubric_templates
from tests.web.conftest import Site, log_in, web_client
from tests.web.planner_support import RUBRICS, count, publish, shoot


def _doc() -> dict[str, Any]:
    return json.loads((RUBRICS / "study-habits.json").read_text(encoding="utf-8"))


def _next_version(doc: dict[str, Any]) -> dict[str, Any]:
    """Version 2025.1: A1 worth 6 with new words, C2 gone, a new item D1, the top band at 8.5."""
    new = copy.deepcopy(doc)
    new["version"] = "2025.1"
    first = new["sections"][0]["items"][0]
    first["max"] = 6
    first["text"]["zh"] = "抽查上课考勤"
    first["text"]["en"] = "Attendance spot check"
    new["sections"][-1]["items"] = [i for i in new["sections"][-1]["items"] if i["code"] != "C2"]
    new["sections"].append({"code": "D", "name": {"zh": "作业", "en": "Homework"},
                            "items": [{"code": "D1", "kind": "passfail", "max": 1,
                                       "text": {"zh": "按时交作业", "en": "Homework handed in on time"}}]})
    new["bands"][0]["min"] = 8.5
    return new


def _office(site: Site) -> tuple[str, str]:
    return site.make_account("office_staff", "42")


def _upload(page: Page, path: Path) -> None:
    page.set_input_files("#file", str(path))
    page.click("form[action='/rubrics/upload'] button[type=submit]")
    page.wait_for_load_state()


def test_a_json_and_an_xlsx_version_are_published_and_compared(site: Site, page: Page, tmp_path: Path) -> None:
    log_in(page, site, *_office(site), next="/rubrics")
    expect(page.locator("main")).to_contain_text("还没有发布的评分细则")
    first = tmp_path / "study-habits.json"
    first.write_text(json.dumps(_doc(), ensure_ascii=False), encoding="utf-8")
    _upload(page, first)
    expect(page.locator("p.notice")).to_contain_text("已发布新版本")
    expect(page.locator("#rubrics tbody tr")).to_have_count(1)
    expect(page.locator("#rubrics")).to_contain_text("学风督导班级检查评分表")
    second = tmp_path / "study-habits-2025.xlsx"
    write_xlsx(_next_version(_doc()), second)
    _upload(page, second)
    expect(page.locator("p.notice")).to_contain_text("已发布新版本")
    expect(page.locator("#rubrics tbody tr")).to_have_count(2)
    assert count(site, rubric_templates) == 2
    page.click("text=与 2024.1 比较")
    expect(page.locator("h1")).to_have_text("版本比较")
    expect(page.locator(".diff-heading")).to_contain_text("从 study-habits 2024.1 到 study-habits 2025.1 的变化")
    changed = page.locator("#diff-items .diff-changed[data-code='A1']")
    expect(changed.locator("tr[data-field='maximum'] td.old")).to_have_text("5")
    expect(changed.locator("tr[data-field='maximum'] td.new")).to_have_text("6")
    expect(changed.locator("tr[data-field='text'] td.new")).to_have_text("抽查上课考勤")
    expect(page.locator("#diff-items ul.removed li[data-code='C2']")).to_be_visible()
    expect(page.locator("#diff-items ul.added li[data-code='D1']")).to_contain_text("按时交作业")
    expect(page.locator("#diff-sections ul.added li[data-code='D']")).to_be_visible()
    expect(page.locator("#diff-bands .diff-changed tr[data-field='threshold'] td.new")).to_have_text("≥ 8.5")
    expect(page.locator("#diff-vetoes")).to_contain_text("没有变化")
    # The rubric's total maximum is computed: 10 - 0 (C2 is text) + 1 (A1) + 1 (D1).
    expect(page.locator("#diff-rubric tr[data-field='maximum'] td.new")).to_have_text("12")


def test_the_diff_page_speaks_english(site: Site, new_page: Callable[..., Page]) -> None:
    old = publish(site)
    client = web_client(site, *_office(site))
    upload = client.client.post("/rubrics/upload", data={"csrf_token": client.csrf}, files={
        "file": ("next.json", json.dumps(_next_version(_doc())).encode(), "application/json")})
    assert upload.status_code == 303, upload.text
    new = upload.headers["location"].split("hash=")[1].split("#")[0]
    page = new_page(locale="en-US")
    log_in(page, site, *_office(site), next=quote(f"/rubrics/diff?old={old}&new={new}", safe="/"))
    expect(page.locator("h1")).to_have_text("Compare versions")
    expect(page.locator("#diff-items .diff-changed[data-code='A1'] tr[data-field='text'] td.new")).to_have_text(
        "Attendance spot check")
    expect(page.locator("#diff-items h3.removed")).to_have_text("1 removed")


def test_a_malformed_json_shows_every_problem_and_stores_nothing(site: Site, page: Page, tmp_path: Path) -> None:
    bad = _doc()
    bad["version"] = "2026.1"
    bad["sections"][0]["items"][0]["max"] = -5
    bad["sections"][0]["items"][1]["code"] = bad["sections"][0]["items"][0]["code"]
    del bad["name"]
    path = tmp_path / "broken.json"
    path.write_text(json.dumps(bad, ensure_ascii=False), encoding="utf-8")
    log_in(page, site, *_office(site), next="/rubrics")
    _upload(page, path)
    problems = page.locator("#problems li")
    expect(page.locator("#problems")).to_contain_text("“broken.json”未通过校验")
    expect(page.locator("#problems")).to_contain_text("未保存任何内容")
    assert problems.count() >= 1
    assert any("name" in text for text in problems.all_inner_texts())
    assert count(site, rubric_templates) == 0
    # Not JSON at all: where it breaks, in words.
    broken = tmp_path / "cut.json"
    broken.write_text('{"format": "fieldmark.rubric/1", "id": ', encoding="utf-8")
    _upload(page, broken)
    expect(page.locator("#problems li")).to_contain_text("line 1")
    assert count(site, rubric_templates) == 0


def test_a_workbook_with_errors_names_sheet_row_and_column(site: Site, page: Page, tmp_path: Path) -> None:
    path = tmp_path / "broken.xlsx"
    write_xlsx(_doc(), path)
    # As an author would break it in a spreadsheet program: two negative maxima.
    book = openpyxl.load_workbook(path)
    items = book["items"]
    # The header is "分值" over "max"; row 2 is section A's heading, so A1 is on row 3, A3 on 5.
    column = [c.value for c in items[1]].index("分值\nmax") + 1
    items.cell(row=3, column=column, value=-5)
    items.cell(row=5, column=column, value=-3)
    book.save(path)
    log_in(page, site, *_office(site), next="/rubrics")
    _upload(page, path)
    texts = page.locator("#problems li").all_inner_texts()
    assert "items row 3, column D (分值 max): the maximum must not be negative (got -5)" in texts
    assert "items row 5, column D (分值 max): the maximum must not be negative (got -3)" in texts
    expect(page.locator("#problems")).to_contain_text(f"共 {len(texts)} 个问题")
    assert count(site, rubric_templates) == 0


def test_the_same_file_again_is_no_change_and_a_changed_file_needs_a_new_version(site: Site) -> None:
    client = web_client(site, *_office(site))
    body = json.dumps(_doc()).encode()

    def send(name: str, data: bytes) -> Any:
        return client.client.post("/rubrics/upload", data={"csrf_token": client.csrf},
                                  files={"file": (name, data, "application/json")})

    assert send("a.json", body).status_code == 303
    again = send("a.json", body)
    assert again.status_code == 303 and "done=same" in again.headers["location"]
    changed = _next_version(_doc())
    changed["version"] = "2024.1"
    clash = send("b.json", json.dumps(changed).encode())
    assert clash.status_code == 409
    assert "already published with other content" in clash.text
    wrong = send("notes.txt", b"hello")
    assert wrong.status_code == 422 and "not a .json or .xlsx file" in wrong.text
    assert count(site, rubric_templates) == 1
    # A form without the CSRF token stores nothing.
    forged = client.client.post("/rubrics/upload", files={"file": ("c.json", json.dumps(
        _next_version(_doc())).encode(), "application/json")})
    assert forged.status_code == 403
    assert count(site, rubric_templates) == 1


def test_the_library_with_several_rubrics_and_versions(site: Site, new_page: Callable[..., Page],
                                                      tmp_path: Path) -> None:
    """The library as an office holds it, a bad upload's problems and a diff, in both languages
    (saved as screenshots with FIELDMARK_WEB_SHOTS)."""
    for name in ("standardized-school", "civilized-unit", "study-habits"):
        publish(site, name)
    office = _office(site)
    client = web_client(site, *office)
    upload = client.client.post("/rubrics/upload", data={"csrf_token": client.csrf}, files={
        "file": ("study-habits-2025.json", json.dumps(_next_version(_doc())).encode(), "application/json")})
    assert upload.status_code == 303
    new = upload.headers["location"].split("hash=")[1].split("#")[0]
    broken = tmp_path / "学风督导-2026.xlsx"
    write_xlsx(_doc(), broken)
    book = openpyxl.load_workbook(broken)
    items = book["items"]
    # Headers are "分值\nmax" (Chinese over the field name); section heading rows stand between
    # the items, so the items are found by their code.
    column = [str(c.value).split("\n")[-1] for c in items[1]].index("max") + 1
    rows = {row[1].value: row[0].row for row in items.iter_rows(min_row=2)}
    items.cell(row=rows["A1"], column=column, value=-5)
    items.cell(row=rows["A3"], column=column, value=-3)
    book.save(broken)
    for lang, locale in (("zh", "zh-CN"), ("en", "en-GB")):
        page = new_page(locale=locale)
        page.set_viewport_size({"width": 1366, "height": 768})
        log_in(page, site, *office, next="/rubrics")
        expect(page.locator("#rubrics tbody tr")).to_have_count(4)
        shoot(page, f"rubrics-versions-{lang}")
        _upload(page, broken)
        expect(page.locator("#problems li")).to_have_count(3)
        shoot(page, f"rubrics-upload-errors-{lang}")
        page.goto(f"{site.url}/rubrics")
        page.click(f"#rubrics tr[data-hash='{new}'] a")
        expect(page.locator("#diff-items .diff-changed")).to_have_count(1)
        shoot(page, f"rubrics-diff-{lang}")
    assert count(site, rubric_templates) == 4


def test_an_empty_missing_or_oversized_file_is_said_in_words_and_stores_nothing(site: Site) -> None:
    client = web_client(site, *_office(site))

    def send(files: dict[str, Any] | None) -> Any:
        return client.client.post("/rubrics/upload", data={"csrf_token": client.csrf}, files=files)

    empty = send({"file": ("empty.json", b"", "application/json")})
    assert empty.status_code == 422 and "empty.json: the file is empty" in empty.text
    none = send({"file": ("", b"", "application/octet-stream")})
    assert none.status_code == 400 and "请选择一个 .json 或 .xlsx 文件" in none.text
    huge = send({"file": ("huge.json", b" " * (rubrics.MAX_UPLOAD + 1), "application/json")})
    assert huge.status_code == 422 and "a rubric file is at most" in huge.text
    assert count(site, rubric_templates) == 0


def test_a_diff_of_an_unknown_version_is_not_found_and_one_version_asks_for_two(site: Site) -> None:
    known = publish(site)
    client = web_client(site, *_office(site))
    assert client.client.get(f"/rubrics/diff?old={known}&new={'0' * 64}").status_code == 404
    one = client.client.get(f"/rubrics/diff?old={known}&new=not-a-hash")
    assert one.status_code == 200 and "请选择两个版本" in one.text
    same = client.client.get(f"/rubrics/diff?old={known}&new={known}")
    assert "两个版本的内容没有差异" in same.text
