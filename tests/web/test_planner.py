"""The assignment planner in a real browser and over HTTP: a campaign made, units picked by
county and type and assigned, a spot-check draw shown before it is saved and drawn again from
its seed, an assignment changed and removed (refused once its visit has begun), the scope and
CSRF refusals, and an assignment made in the browser arriving on a laptop after a sync."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from datetime import date
from pathlib import Path

from playwright.sync_api import Page, expect
from sqlalchemy import select

from app.overview import open_assignments
from app.sync.engine import sync
from db.queries import campaigns as laptop_campaigns
from db.rows import fetch_all
from server import planning
from server.areas import list_units
from server.store.schema import assignments, team_members
from tests.server.sync_support import QUICK, MemoryKeyring
from tests.server.test_dashboard_figures import Office
from tests.web.conftest import Site, log_in, web_client
from tests.web.planner_support import (
    begin_visit,
    campaign,
    count,
    demo_profile,
    keychain,
    laptop,
    mirror,
    publish,
    removals,
    shoot,
    stored_assignments,
    team,
)

__all__ = ["demo_profile", "keychain"]
COUNTY_A = "420381"  # 丹江口市 (demo tree)
COUNTY_B = "420322"


def _office(site: Site, scope: str = "42") -> tuple[str, str]:
    return site.make_account("office_staff", scope, name="王督导")


def _units_of(site: Site, county: str) -> list[str]:
    with site.engine.connect() as conn:
        return [u.code for u in planning.plannable_units(conn, "/", county=county)]


def test_office_creates_a_campaign_and_assigns_units_of_a_county(site: Site, page: Page) -> None:
    rubric = publish(site)
    inspector, _ = site.make_account("inspector", COUNTY_A)
    first_team = team(site, "第一督导组", inspector)
    login_name, password = _office(site)
    log_in(page, site, login_name, password, next="/planner")
    page.fill("#campaign_name", "2026年秋季督导")
    page.click("form[action='/planner/campaigns'] button")
    expect(page.locator("p.notice")).to_contain_text("已创建督导任务")
    page.select_option("#county", COUNTY_A)
    page.click("form.planner-filters button")
    shown = _units_of(site, COUNTY_A)
    expect(page.locator("#units tbody tr")).to_have_count(len(shown))
    # The select-all box (script) ticks every unit the filter shows.
    page.check("#select-all")
    page.select_option("#team", first_team)
    page.fill("#start", "2026-12-01")
    page.fill("#end", "2026-12-15")
    page.check(f"input[name='rubric'][value='{rubric}']")
    page.click("#assign-form button[type=submit]")
    expect(page.locator("p.notice")).to_contain_text(f"已分配 {len(shown)} 个单位")
    expect(page.locator("#assignments tbody tr")).to_have_count(len(shown))
    stored = stored_assignments(site)
    assert len(stored) == len(shown)
    assert {(r.window_start, r.window_end, r.visit_type) for r in stored} == {("2026-12-01", "2026-12-15", "routine")}


def test_a_spot_check_draw_is_shown_first_and_drawn_again_from_its_seed(site: Site, page: Page) -> None:
    publish(site)
    team(site, "抽查组")
    made = campaign(site, "2026年抽查")
    login_name, password = _office(site)
    log_in(page, site, login_name, password, next=f"/planner?campaign={made}")
    page.click("details.planner-draw summary")
    page.fill("#share", "30")
    page.click("details.planner-draw button[type=submit]")
    pool = len(list_all(site))
    wanted = -(-pool * 3 // 10)
    drawn_text = page.locator("[data-drawn]").inner_text()
    drawn = drawn_text.split(", ")
    assert len(drawn) == wanted
    seed = re.search(r"seed=(\d+)", page.url)
    assert seed, page.url
    expect(page.locator("#drawn")).to_contain_text(f"向上取整抽取 {wanted} 个单位（随机种子 {seed.group(1)}）")
    # Shown, ticked and typed as a spot check, but nothing stored yet.
    assert count(site, assignments) == 0
    for code in drawn:
        expect(page.locator(f"#unit-{code}")).to_be_checked()
    expect(page.locator("#visit_type")).to_have_value("spot_check")
    # The same seed draws the same units, in another session too.
    again = web_client(site, login_name, password).client.get(page.url.replace(site.url, ""))
    assert drawn_text in again.text
    assert drawn == planning.draw_sample(list_all(site), planning.RULE_PERCENT, int(seed.group(1)))


def list_all(site: Site) -> list[str]:
    with site.engine.connect() as conn:
        return [u.code for u in list_units(conn, "/")]


def test_a_share_below_the_rule_is_flagged_and_a_bad_share_is_said(site: Site) -> None:
    made = campaign(site, "抽查")
    client = web_client(site, *_office(site))
    low = client.client.get(f"/planner?campaign={made}&share=10&seed=7")
    assert "此比例低于抽查不少于 30% 的要求" in low.text
    bad = client.client.get(f"/planner?campaign={made}&share=abc&seed=7")
    assert "抽取比例须为大于 0、不超过 100 的数" in bad.text


def test_a_form_naming_a_unit_outside_the_scope_is_not_found_and_stores_nothing(site: Site) -> None:
    rubric = publish(site)
    made = campaign(site, "越权测试")
    team_id = team(site, "组")
    client = web_client(site, *_office(site, COUNTY_A))
    page = client.client.get(f"/planner?campaign={made}")
    assert all(code in page.text for code in _units_of(site, COUNTY_A))
    assert not any(f"unit-{code}" in page.text for code in _units_of(site, COUNTY_B))
    with site.engine.connect() as conn:
        outside = planning.plannable_units(conn, "/", county=COUNTY_B)[0].id
        inside = planning.plannable_units(conn, "/", county=COUNTY_A)[0].id
    form = {"campaign": made, "team": team_id, "start": "2026-12-01", "end": "2026-12-02",
            "visit_type": "routine", "rubric": rubric}
    answer = client.client.post("/planner/assign", data={**form, "unit": [inside, outside],
                                                         "csrf_token": client.csrf})
    assert answer.status_code == 404
    assert "没有这个页面，或它不在您的范围内" in answer.text
    assert count(site, assignments) == 0
    # Without the CSRF token nothing is stored either.
    refused = client.client.post("/planner/assign", data={**form, "unit": [inside]})
    assert refused.status_code == 403
    assert count(site, assignments) == 0
    done = client.post("/planner/assign", {**form, "unit": inside})
    assert done.status_code == 303
    assert count(site, assignments) == 1


def test_form_errors_are_said_and_nothing_is_stored(site: Site) -> None:
    made = campaign(site, "错误测试")
    client = web_client(site, *_office(site))
    with site.engine.connect() as conn:
        unit = planning.plannable_units(conn, "/")[0].id
    answer = client.post("/planner/assign", {"campaign": made, "unit": unit, "start": "2026-12-05",
                                             "end": "2026-12-01", "visit_type": "routine"})
    assert answer.status_code == 400
    for words in ("结束日期不能早于开始日期", "请选择督导组", "请至少选择一个已发布的评分细则"):
        assert words in answer.text
    assert count(site, assignments) == 0


def _assign_one(site: Site, client_login: tuple[str, str], unit_code: str) -> str:
    rubric = publish(site)
    made = campaign(site, "修改测试")
    team_id = team(site, "甲组")
    team(site, "乙组")
    client = web_client(site, *client_login)
    with site.engine.connect() as conn:
        unit = next(u for u in planning.plannable_units(conn, "/") if u.code == unit_code).id
    done = client.post("/planner/assign", {"campaign": made, "team": team_id, "unit": unit, "start": "2026-12-01",
                                           "end": "2026-12-10", "visit_type": "routine", "rubric": rubric})
    assert done.status_code == 303, done.text
    (row,) = stored_assignments(site)
    return str(row.id)


def test_an_assignment_whose_visit_began_is_kept_and_only_its_window_moves(site: Site, page: Page) -> None:
    office = _office(site)
    code = _units_of(site, COUNTY_A)[0]
    assignment_id = _assign_one(site, office, code)
    begin_visit(site, assignment_id, "2026-12-02")
    log_in(page, site, *office, next=f"/planner/assignments/{assignment_id}")
    expect(page.locator("p.notice")).to_contain_text("督导已于 2026-12-02 开始：只能修改时间段")
    expect(page.locator("#team")).to_be_disabled()
    # No remove button is offered; a forged removal is refused in words and keeps the row.
    expect(page.locator("form[action$='/remove']")).to_have_count(0)
    client = web_client(site, *office)
    refused = client.post(f"/planner/assignments/{assignment_id}/remove", {})
    assert refused.status_code == 409
    assert "分配不能撤销" in refused.text
    assert [r.id for r in stored_assignments(site)] == [assignment_id]
    assert removals(site) == []
    page.fill("#end", "2026-12-20")
    page.click("form.stacked button[type=submit]")
    expect(page.locator("p.notice")).to_contain_text("已修改分配")
    (row,) = stored_assignments(site)
    assert row.window_end == "2026-12-20"


def test_a_removed_assignment_leaves_a_tombstone_and_a_team_change_moves_it(site: Site) -> None:
    office = _office(site)
    code = _units_of(site, COUNTY_A)[0]
    assignment_id = _assign_one(site, office, code)
    client = web_client(site, *office)
    page = client.client.get(f"/planner/assignments/{assignment_id}")
    second_team = re.search(r'<option value="([0-9a-f-]{36})">乙组</option>', page.text)
    assert second_team
    (before,) = stored_assignments(site)
    moved = client.post(f"/planner/assignments/{assignment_id}", {
        "team": second_team.group(1), "start": "2026-12-01", "end": "2026-12-10", "visit_type": "routine",
        "rubric": json_hashes(before.rubric_hashes)[0]})
    assert moved.status_code == 303, moved.text
    (after,) = stored_assignments(site)
    assert after.id != assignment_id and after.team_id == second_team.group(1)
    assert [(r.id, r.team_id) for r in removals(site)] == [(assignment_id, before.team_id)]
    gone = client.post(f"/planner/assignments/{after.id}/remove", {})
    assert gone.status_code == 303
    assert stored_assignments(site) == []
    assert {r.id for r in removals(site)} == {assignment_id, after.id}


def json_hashes(text: str) -> list[str]:
    return list(json.loads(text))


def test_teams_page_makes_a_team_and_adds_members_of_the_scope_only(site: Site, page: Page) -> None:
    inspector, _ = site.make_account("inspector", COUNTY_A, name="李督学")
    outsider, _ = site.make_account("inspector", COUNTY_B, name="外县督学")
    office = _office(site, COUNTY_A)
    log_in(page, site, *office, next="/planner/teams")
    page.fill("#name", "丹江口第一组")
    page.click("form[action='/planner/teams'] button")
    expect(page.locator("p.notice")).to_contain_text("已创建督导组“丹江口第一组”")
    options = page.locator("select[name='member'] option")
    expect(options).to_have_count(1)
    page.select_option("select[name='member']", inspector)
    page.click("form[action$='/members'] button")
    expect(page.locator("p.notice")).to_contain_text("已加入 1 名成员")
    expect(page.locator("ul.members")).to_contain_text("李督学")
    client = web_client(site, *office)
    with site.engine.connect() as conn:
        team_id = conn.execute(select(team_members.c.team_id)).scalar_one()
    forged = client.post(f"/planner/teams/{team_id}/members", {"member": outsider})
    assert forged.status_code == 404
    assert count(site, team_members) == 1


def test_an_assignment_made_in_the_browser_reaches_the_laptop_and_its_removal_too(
        site: Site, page: Page, demo_profile: Path, tmp_path: Path, keychain: MemoryKeyring,
        new_page: Callable[..., Page]) -> None:
    mirror(site, demo_profile, tmp_path / "office-tree")
    rubric = publish(site)
    inspector, password = site.make_account("inspector", "42", name="张督学")
    sync_team = team(site, "同步测试组", inspector)
    made = campaign(site, "同步测试")
    machine = laptop(site, demo_profile, tmp_path / "laptop", inspector, password)
    assert sync(machine.profile, machine.session, retry=QUICK).complete
    before = {a["id"] for a in laptop_campaigns.list_assignments(machine.profile.db)}
    office = _office(site)
    log_in(page, site, *office, next=f"/planner?campaign={made}")
    with site.engine.connect() as conn:
        unit = planning.plannable_units(conn, "/")[0]
    page.check(f"#unit-{unit.code}")
    page.select_option("#team", sync_team)
    page.fill("#start", "2026-12-01")
    page.fill("#end", "2026-12-31")
    page.check(f"input[name='rubric'][value='{rubric}']")
    page.click("#assign-form button[type=submit]")
    expect(page.locator("#assignments tbody tr")).to_have_count(1)
    (row,) = stored_assignments(site)
    assert sync(machine.profile, machine.session, retry=QUICK).complete
    held = {a["id"]: a for a in laptop_campaigns.list_assignments(machine.profile.db)}
    assert set(held) - before == {row.id}
    arrived = held[row.id]
    assert (arrived["unit_id"], arrived["campaign_name"], arrived["window_start"], arrived["window_end"]) == (
        unit.id, "同步测试", "2026-12-01", "2026-12-31")
    assert rubric in arrived["rubric_hashes"]
    # The laptop's plan (the start page's list of open assignments) shows it.
    (planned,) = [a for a in open_assignments(machine.profile, date(2026, 11, 30)) if a.id == row.id]
    assert (planned.campaign_name, planned.unit_id, planned.rubric_hashes) == ("同步测试", unit.id, (rubric,))
    # Removed in the browser: the laptop marks it deleted at its next sync (the row stays).
    page.once("dialog", lambda dialog: dialog.accept())
    page.click(f"#assignments tr[data-id='{row.id}'] form button")
    expect(page.locator("p.notice")).to_contain_text("已撤销分配")
    sync(machine.profile, machine.session, retry=QUICK)
    assert row.id not in {a["id"] for a in laptop_campaigns.list_assignments(machine.profile.db)}
    assert row.id not in {a.id for a in open_assignments(machine.profile, date(2026, 11, 30))}
    kept = fetch_all(machine.profile.db, "SELECT deleted FROM assignments WHERE id = ?", (row.id,))
    assert kept == [{"deleted": 1}]
    machine.profile.close()


def test_the_planner_with_a_campaign_under_way(site: Site, new_page: Callable[..., Page]) -> None:
    """A campaign as an office plans it: two teams, assignments of two counties, a visit begun,
    and a spot-check draw on show; walked in both languages (and saved as screenshots)."""
    school = publish(site, "standardized-school")
    habits = publish(site, "study-habits")
    leader, _ = site.make_account("team_leader", COUNTY_A, name="李军")
    member, _ = site.make_account("inspector", COUNTY_A, name="张伟")
    other, _ = site.make_account("inspector", COUNTY_B, name="赵敏")
    first = team(site, "第一督导组", leader, member)
    second = team(site, "第二督导组", other)
    made = campaign(site, "2026年秋季义务教育督导")
    office = site.make_account("office_staff", "42", name="王芳")
    client = web_client(site, *office)
    with site.engine.connect() as conn:
        county_a = planning.plannable_units(conn, "/", county=COUNTY_A)
        county_b = planning.plannable_units(conn, "/", county=COUNTY_B)
    schools_a = [u.id for u in county_a if u.unit_type in ("primary", "middle")]
    for team_id, units, start, end, rubric in ((first, schools_a, "2026-12-01", "2026-12-15", school),
                                               (second, [u.id for u in county_b][:4], "2026-12-08", "2026-12-20",
                                                habits)):
        answer = client.post("/planner/assign", {"campaign": made, "team": team_id, "unit": units,  # type: ignore[dict-item]
                                                 "start": start, "end": end, "visit_type": "routine",
                                                 "rubric": rubric})
        assert answer.status_code == 303, answer.text
    begun = next(r for r in stored_assignments(site) if r.team_id == first)
    begin_visit(site, begun.id, "2026-12-02")
    for lang, locale in (("zh", "zh-CN"), ("en", "en-GB")):
        page = new_page(locale=locale)
        page.set_viewport_size({"width": 1366, "height": 768})
        log_in(page, site, *office, next="/planner")
        page.goto(f"{site.url}/planner?campaign={made}&county={COUNTY_A}&share=30&seed=20261127")
        expect(page.locator("#drawn")).to_be_visible()
        # The plan lists the filtered county's assignments and counts the campaign's.
        expect(page.locator("#assignments tbody tr")).to_have_count(len(schools_a))
        expect(page.locator("#plan-heading")).to_contain_text(str(len(schools_a) + 4))
        expect(page.locator("#assignments .badge")).to_have_count(1)
        shoot(page, f"planner-draw-{lang}")
        page.goto(f"{site.url}/planner/teams")
        expect(page.locator("section.team")).to_have_count(2)
        shoot(page, f"planner-teams-members-{lang}")
        page.goto(f"{site.url}/planner/assignments/{begun.id}")
        shoot(page, f"planner-edit-{lang}")


def test_an_assignment_outside_the_scope_cannot_be_opened_changed_or_removed(site: Site) -> None:
    code = _units_of(site, COUNTY_A)[0]
    assignment_id = _assign_one(site, _office(site), code)
    (before,) = stored_assignments(site)
    other = web_client(site, *_office(site, COUNTY_B))
    assert other.client.get(f"/planner/assignments/{assignment_id}").status_code == 404
    changed = other.post(f"/planner/assignments/{assignment_id}", {
        "team": before.team_id, "start": "2026-12-01", "end": "2026-12-31", "visit_type": "routine",
        "rubric": json_hashes(before.rubric_hashes)[0]})
    assert changed.status_code == 404
    assert other.post(f"/planner/assignments/{assignment_id}/remove", {}).status_code == 404
    assert stored_assignments(site) == [before]
    assert removals(site) == []
    # Nor does its campaign's plan show it to the other county.
    assert code not in other.client.get(f"/planner?campaign={before.campaign_id}").text


def test_a_draw_from_the_units_a_lower_level_checked(site: Site) -> None:
    with site.engine.begin() as conn:
        office = Office(conn)
        for n in range(1, 11):
            office.visit(f"DJK{n:03}", "8", "2026-04-10")
        office.visit("YX013", "8", "2026-05-10", visit_type="preliminary_review")
        office.visit("DJK011", "9", "2026-04-01", visit_type="self_assessment")
    made = campaign(site, "2026市级抽查")
    client = web_client(site, *_office(site))
    page = client.client.get(f"/planner?campaign={made}&pool=checked&year=2026&share=30&seed=5")
    assert "共 11 个单位，30% 为 3.3，向上取整抽取 4 个单位（随机种子 5）" in page.text
    assert "2026 年下级已检查并定稿的单位" in page.text
    drawn = re.search(r"<span data-drawn>([^<]+)</span>", page.text)
    assert drawn
    pool = [f"DJK{n:03}" for n in range(1, 11)] + ["YX013"]
    assert drawn.group(1).split(", ") == planning.draw_sample(pool, planning.RULE_PERCENT, 5)
    # The county's own office draws from its own checked units only: 30% of 10 is exactly 3.
    county = web_client(site, *_office(site, COUNTY_A))
    mine = county.client.get(f"/planner?campaign={made}&pool=checked&year=2026&share=30&seed=5")
    assert "共 10 个单位，30% 为 3，向上取整抽取 3 个单位" in mine.text


def test_names_taken_or_missing_are_said_and_nothing_is_added(site: Site) -> None:
    campaign(site, "已有任务")
    team_id = team(site, "已有组")
    client = web_client(site, *_office(site))
    taken = client.post("/planner/campaigns", {"name": "已有任务"})
    assert taken.status_code == 409 and "已有名为“已有任务”的督导任务" in taken.text
    blank = client.post("/planner/campaigns", {"name": "  "})
    assert blank.status_code == 400 and "任务名称须为 1–100 个字符" in blank.text
    team_taken = client.post("/planner/teams", {"name": "已有组"})
    assert team_taken.status_code == 409 and "已有名为“已有组”的督导组" in team_taken.text
    no_member = client.post(f"/planner/teams/{team_id}/members", {})
    assert no_member.status_code == 400 and "请至少选择一名成员" in no_member.text
    with site.engine.connect() as conn:
        assert [c.name for c in planning.list_campaigns(conn)] == ["已有任务"]
        assert [t.name for t in planning.list_teams(conn, "/")] == ["已有组"]
    assert count(site, team_members) == 0


def test_units_already_assigned_to_the_team_are_named_and_nothing_is_added(site: Site) -> None:
    office = _office(site)
    code = _units_of(site, COUNTY_A)[0]
    _assign_one(site, office, code)
    (before,) = stored_assignments(site)
    client = web_client(site, *office)
    with site.engine.connect() as conn:
        units = [u for u in planning.plannable_units(conn, "/", county=COUNTY_A)][:2]
    again = client.post("/planner/assign", {"campaign": before.campaign_id, "team": before.team_id,
                                            "unit": [u.id for u in units],  # type: ignore[dict-item]
                                            "start": "2026-12-01", "end": "2026-12-10", "visit_type": "routine",
                                            "rubric": json_hashes(before.rubric_hashes)[0]})
    assert again.status_code == 400
    assert f"这些单位在本任务中已分配给该督导组：{code}" in again.text
    assert stored_assignments(site) == [before]


def test_the_plan_lists_the_filtered_units_assignments_and_counts_them_all(site: Site) -> None:
    office = _office(site)
    code = _units_of(site, COUNTY_A)[0]
    _assign_one(site, office, code)
    (row,) = stored_assignments(site)
    client = web_client(site, *office)
    other_county = client.client.get(f"/planner?campaign={row.campaign_id}&county={COUNTY_B}")
    assert "本任务的分配（1）" in other_county.text
    assert "下面列出当前筛选出的单位的 0 项分配。" in other_county.text
    assert f'data-id="{row.id}"' not in other_county.text
    own_county = client.client.get(f"/planner?campaign={row.campaign_id}&county={COUNTY_A}")
    assert f'data-id="{row.id}"' in own_county.text
    everything = client.client.get(f"/planner?campaign={row.campaign_id}")
    assert f'data-id="{row.id}"' in everything.text and "下面列出" not in everything.text


def test_select_all_without_the_script_and_odd_draw_values(site: Site) -> None:
    made = campaign(site, "全选")
    client = web_client(site, *_office(site))
    page = client.client.get(f"/planner?campaign={made}&county={COUNTY_A}&select=all")
    boxes = re.findall(r'<input type="checkbox" name="unit" value="[^"]+" id="unit-[^"]+"( checked)?>', page.text)
    assert len(boxes) == len(_units_of(site, COUNTY_A)) and all(boxes)
    # A year out of range is this year's pool; a seed that is no number is said.
    odd = client.client.get(f"/planner?campaign={made}&pool=checked&year=0000&share=30&seed=3")
    assert odd.status_code == 200 and f"{date.today().year} 年下级已检查并定稿的单位" in odd.text
    bad_seed = client.client.get(f"/planner?campaign={made}&share=30&seed=abc")
    assert bad_seed.status_code == 200 and "随机种子须为整数" in bad_seed.text
