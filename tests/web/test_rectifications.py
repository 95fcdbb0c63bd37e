"""The rectification tracker in a real browser against a real server process, with findings a
real laptop pushed: the list (deadlines, overdue highlighted, escalation, filters, order), an
office person closing a finding with a note, the laptop pulling it (closed, the note in its
history) and the inspector's later event merging; forms without the CSRF token, refusals in
words, and an account of another county that neither sees nor moves the finding.

``FIELDMARK_WEB_SHOTS=docs/screenshots/web`` also saves the tracker's screenshots there.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select

from app.findings import finding_history, list_findings, set_finding_status
from app.profile import Profile
from app.sync.device import login
from app.sync.engine import sync
from server.store.schema import office_finding_events, sync_rows
from tests.server.sync_support import QUICK, MemoryKeyring, use_keyring
from tests.web.conftest import log_in, web_client
from tests.web.rectifications_support import (
    COUNTY_A,
    COUNTY_B,
    INSPECTOR,
    Seeded,
    plan,
    seed_findings,
)


@pytest.fixture
def keychain():
    yield from use_keyring(MemoryKeyring())


@pytest.fixture
def laptop_and_findings(site, tmp_path, keychain) -> Iterator[tuple[Profile, object, Seeded]]:
    plan(site)
    profile = Profile.open(tmp_path / "laptop")
    try:
        session = login(profile, site.url, INSPECTOR[0], INSPECTOR[1], retry=QUICK)
        seeded = seed_findings(site, profile, session)
        yield profile, session, seeded
    finally:
        profile.close()


def status_on_laptop(profile: Profile, seeded: Seeded, label: str) -> str:
    return next(f.status for f in list_findings(profile, seeded.visits[label]) if f.id == seeded.findings[label])


def events_held(site) -> int:
    with site.engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(sync_rows)
                            .where(sync_rows.c.table_name == "finding_events")).scalar_one()


def shoot(page, name: str) -> None:
    folder = os.environ.get("FIELDMARK_WEB_SHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"{name}.png"))
        page.screenshot(path=str(Path(folder) / f"{name}-full.png"), full_page=True)


def test_the_office_closes_a_finding_and_the_laptop_shows_it_closed(site, page, new_page, laptop_and_findings):
    profile, session, seeded = laptop_and_findings
    ids = seeded.findings
    staff, password = site.make_account("office_staff", COUNTY_A, name="王芳")
    page.set_viewport_size({"width": 1366, "height": 768})
    log_in(page, site, staff, password, next="/rectifications")
    assert page.url.endswith("/rectifications")
    rows = page.locator("#rectifications tbody tr")
    # County A's four open findings, deadline first (none last); county B's is not there.
    assert [rows.nth(i).get_attribute("data-finding") for i in range(rows.count())] == [
        ids["overdue"], ids["escalate"], ids["plan"], ids["open"]]
    overdue = page.locator(f"tr[data-finding='{ids['overdue']}']")
    assert "overdue" in (overdue.get_attribute("class") or "") and overdue.locator(".flag.overdue").count() == 1
    escalate = page.locator(f"tr[data-finding='{ids['escalate']}']")
    assert escalate.locator(".flag.escalate").inner_text() == "须升级处理"
    assert "重新整改" in escalate.inner_text() and "已收到整改方案" in page.locator(
        f"tr[data-finding='{ids['plan']}']").inner_text()
    assert page.locator("#rect-summary").inner_text().split() == ["未销号问题", "4", "逾期", "1", "须升级处理", "1"]
    shoot(page, "rectifications")

    # Filters and order: major ones only, latest deadline first.
    page.select_option("#severity", "major")
    page.click("#rect-filters button[type=submit]")
    page.wait_for_url("**severity=major*")
    page.click("#rectifications th a")
    page.wait_for_url("**dir=desc**")
    rows = page.locator("#rectifications tbody tr")
    assert [rows.nth(i).get_attribute("data-finding") for i in range(rows.count())] == [ids["plan"], ids["escalate"]]
    page.goto(f"{site.url}/rectifications?unit=nothing-here")
    assert page.locator("#rect-none").is_visible()

    # Close the overdue finding with a note.
    page.goto(f"{site.url}/rectifications")
    page.click(f"tr[data-finding='{ids['overdue']}'] a")
    page.wait_for_url(f"**/rectifications/{ids['overdue']}")
    assert page.locator("#rect-status").inner_text() == "待整改"
    labels = page.locator("#rect-move label.choice").all_inner_texts()
    assert [x.strip() for x in labels] == ["收到整改方案", "收到整改报告（已报整改）", "核实整改到位", "销号",
                                           "未整改到位，重新整改"]
    page.check("#rect-move input[value=closed]")
    page.fill("#note", "已查看整改照片，教室整洁，销号。")
    shoot(page, "rectification-finding")
    page.click("#rect-move button[type=submit]")
    page.wait_for_url("**done=closed")
    assert "已登记：已销号" in page.locator("#rect-done").inner_text()
    assert page.locator("#rect-status").inner_text() == "已销号"
    assert page.locator("#rect-history tbody tr").last.inner_text().split("\t")[1:] == [
        "已销号", "督导办：王芳", "已查看整改照片，教室整洁，销号。"]
    page.goto(f"{site.url}/rectifications")
    assert page.locator(f"tr[data-finding='{ids['overdue']}']").count() == 0

    # The laptop pulls it: closed, the office's note in its history.
    result = sync(profile, session, retry=QUICK)
    assert result.reason is None, result.message
    assert status_on_laptop(profile, seeded, "overdue") == "closed"
    last = finding_history(profile, ids["overdue"])[-1]
    assert (last.status, last.note, last.visit_id, last.by_inspector) == (
        "closed", "已查看整改照片，教室整洁，销号。", None, None)

    # The inspector finds it broken again on the laptop: one more event, merged on both sides.
    set_finding_status(profile, ids["overdue"], "reopened", note="复查发现地面又有垃圾。")
    result = sync(profile, session, retry=QUICK)
    assert result.reason is None, result.message
    page.goto(f"{site.url}/rectifications/{ids['overdue']}")
    assert page.locator("#rect-status").inner_text() == "重新整改"
    assert [r.get_attribute("data-status") for r in page.locator("#rect-history tbody tr").all()] == [
        "open", "closed", "reopened"]
    inspector = profile.db.execute("SELECT name FROM inspectors WHERE id = ?",
                                   (finding_history(profile, ids["overdue"])[-1].by_inspector,)).fetchone()[0]
    assert page.locator("#rect-history tbody tr").last.inner_text().split("\t")[2] == inspector
    assert status_on_laptop(profile, seeded, "overdue") == "reopened"

    # The same page in English.
    english = new_page(locale="en-US")
    english.set_viewport_size({"width": 1366, "height": 768})
    log_in(english, site, staff, password, next="/rectifications")
    assert english.locator("h1").inner_text() == "Rectification tracker"
    assert "Escalate" in english.locator(f"tr[data-finding='{ids['escalate']}']").inner_text()
    shoot(english, "rectifications-en")


def test_without_the_csrf_token_nothing_changes(site, laptop_and_findings):
    _, _, seeded = laptop_and_findings
    staff, password = site.make_account("office_staff", COUNTY_A)
    client = web_client(site, staff, password)
    target = f"/rectifications/{seeded.findings['open']}"
    before = events_held(site)
    for csrf in (None, "0" * 64):
        answer = client.post(target, {"status": "closed", "note": "销号", "seen": "open"}, csrf=csrf)
        assert answer.status_code == 403
        assert "未作任何更改" in answer.text
    assert events_held(site) == before
    assert client.post(target, {"status": "closed", "note": "销号", "seen": "open"}).status_code == 303
    assert events_held(site) == before + 1


def test_another_countys_account_neither_sees_nor_moves_it(site, laptop_and_findings):
    _, _, seeded = laptop_and_findings
    theirs, password = site.make_account("office_staff", COUNTY_B)
    client = web_client(site, theirs, password)
    listed = client.client.get("/rectifications")
    assert listed.status_code == 200
    assert seeded.findings["elsewhere"] in listed.text
    assert all(seeded.findings[label] not in listed.text for label in ("overdue", "plan", "escalate", "open"))
    assert "丹江口" not in listed.text
    target = f"/rectifications/{seeded.findings['overdue']}"
    before = events_held(site)
    assert client.client.get(target).status_code == 404
    answer = client.post(target, {"status": "closed", "note": "销号", "seen": "open"})
    assert answer.status_code == 404 and "不在您的范围内" in answer.text
    assert events_held(site) == before
    assert client.client.get("/rectifications/not-a-finding").status_code == 404


def test_refusals_are_said_in_words_and_write_nothing(site, laptop_and_findings):
    _, _, seeded = laptop_and_findings
    staff, password = site.make_account("office_staff", COUNTY_A)
    client = web_client(site, staff, password, **{"Accept-Language": "en"})
    target = f"/rectifications/{seeded.findings['plan']}"
    before = events_held(site)
    empty = client.post(target, {"status": "verified", "note": "   ", "seen": "plan_received"})
    assert empty.status_code == 400 and "Write a note saying why" in empty.text
    stale = client.post(target, {"status": "verified", "note": "ok", "seen": "open"})
    assert stale.status_code == 409 and "it is “Plan received” now" in stale.text
    assert 'value="ok"' not in stale.text and ">ok</textarea>" in stale.text  # the note is kept for another try
    wrong = client.post(target, {"status": "fixed_on_site", "note": "ok", "seen": "plan_received"})
    assert wrong.status_code == 400 and "Choose the new status" in wrong.text
    long = client.post(target, {"status": "verified", "note": "x" * 2001, "seen": "plan_received"})
    assert long.status_code == 400 and "at most 2000 characters" in long.text
    assert events_held(site) == before
    with site.engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(office_finding_events)).scalar_one() == 0
    for query in ("severity=catastrophic", "dir=sideways"):
        assert client.client.get(f"/rectifications?{query}").status_code == 400
    ok = client.post(target, {"status": "reported_fixed", "note": "Report received on 27 Nov.", "seen": "plan_received"})
    assert ok.status_code == 303 and ok.headers["location"].endswith("?done=reported_fixed")
    assert events_held(site) == before + 1
