"""End to end: a laptop that knows its server prints a QR code; after the push, that code opens
the server's verify page, which says the paper matches; after an amendment is pushed, the first
paper is superseded and the new one matches."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest

from app.finalize import amend_response, finalize_visit
from app.reports import codes_for, verify_code
from app.settings import set_setting
from app.visits import get_visit, list_responses
from tests.server.conftest import COUNTY
from tests.server.finalized_support import (
    Laptop,
    adopt_unit,
    answer_visit,
    copy_profile,
    in_progress_visit,
    register_device,
)
from tests.server.test_finalized import full_push, send


@pytest.fixture
def laptop(server: Any, demo_template: Path, tmp_path: Path) -> Any:
    profile = copy_profile(demo_template, tmp_path / "laptop")
    account = server.make_account("inspector", COUNTY)
    machine = Laptop(profile, account.token)
    register_device(server, account.token, machine.device_id)
    visit_id = in_progress_visit(profile)
    answer_visit(profile, visit_id)
    adopt_unit(server, profile, get_visit(profile, visit_id).unit_id)
    set_setting(profile, "server_url", server.url + "/")
    yield machine, visit_id
    profile.close()


def test_the_printed_qr_code_opens_the_servers_answer(server, laptop):
    machine, visit_id = laptop
    finalize_visit(machine.profile, visit_id, accept_gaps=True)
    visit = get_visit(machine.profile, visit_id)
    first_url, first_short = codes_for(visit, server.url + "/")
    assert first_url.startswith(server.url + "/verify/FM1-")
    assert verify_code(machine.profile, first_url).ok  # the laptop's own check reads the URL too
    send(server, machine, full_push(machine, visit_id))

    stated = machine.stated_score(visit_id)
    page = httpx.get(first_url, headers={"Accept-Language": "zh-CN"})
    assert page.status_code == 200, page.text
    assert "本页与督导记录一致" in page.text
    assert visit.unit_name in page.text and stated["total"] in page.text and stated["band"] in page.text

    item = next(r for r in list_responses(machine.profile, visit_id) if r.value is not None and not r.na)
    amend_response(machine.profile, visit_id, rubric_hash=item.rubric_hash, item_code=item.item_code,
                   value=None, note="复核时撤回该项评分", reason_for_change="现场复核：该项证据不足")
    amended = get_visit(machine.profile, visit_id)
    send(server, machine, machine.changeset(machine.rows(visit_id),
                                            finalizations=[machine.version(visit_id, replaces=visit.content_hash)]))

    for code in (first_url, server.url + "/verify/" + first_short):
        page = httpx.get(code, headers={"Accept-Language": "zh-CN"})
        assert page.status_code == 200
        local_day = amended.amended_at[:10]
        year, month, day = (int(part) for part in local_day.split("-"))
        assert f"本页已被 {year}年{month}月{day}日 的修订取代" in page.text
    new_url, _ = codes_for(amended, server.url)
    assert "This paper matches the record" in httpx.get(new_url, headers={"Accept-Language": "en"}).text
