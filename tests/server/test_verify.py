"""GET /verify/{code}: the public page a printed sheet's QR code opens, on both backends.

Finalized versions are inserted as rows here (``add_version``), so these tests do not depend on
how pushes fill the table.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace

import httpx
import pytest
from sqlalchemy import Engine, insert, select

from app.sync.codes import parse_code, qr_payload, short_code
from server import verify as service
from server.api.verify import choose_language
from server.store.schema import accounts, finalized_versions, rate_hits, units
from tests.server.conftest import UNIT_IN_TOWNSHIP
from tests.server.process_support import serving

UNIT_NAME = "均州路中心小学"  # UNIT_IN_TOWNSHIP in the demo units
HEAD_NAME = "黄海波"          # its head, who must not appear
FIRST = "7b9d1f3e5a7c9b1d2f4e6a8c0b2d4f6e8a0c2b4d6f8e0a2c4b6d8f0e2a4c6b8d"
SECOND = "3e5a7c9b1d2f4e6a8c0b2d4f6e8a0c2b4d6f8e0a2c4b6d8f0e2a4c6b8d0f2e4a"
RECORD = {"format": "fieldmark.visit/1", "members": [{"inspector_id": "insp-1", "role": "leader", "name": "张建华"}],
          "findings": [{"description": "实验室危化品未实行双人双锁管理。"}]}


def add_version(engine: Engine, visit_id: str, amendment_no: int, content_hash: str, *,
                replaces: str | None = None, finalized_at: str = "2026-11-24T17:30:00.000+08:00",
                total: str = "86.5", maximum: str = "100", band: str | None = "良好",
                unit_code: str = UNIT_IN_TOWNSHIP) -> tuple[str, str]:
    """A finalized version as a push stores it; returns its (QR payload, short code)."""
    with engine.begin() as conn:
        unit_id = conn.execute(select(units.c.id).where(units.c.code == unit_code)).scalar_one()
        account_id = conn.execute(select(accounts.c.id).where(accounts.c.login == "admin")).scalar_one()
        conn.execute(insert(finalized_versions).values(
            visit_id=visit_id, amendment_no=amendment_no, content_hash=content_hash, replaces=replaces,
            finalized_at=finalized_at, unit_id=unit_id, visit_date="2026-11-24",
            record=json.dumps(RECORD, ensure_ascii=False), stated_total=total, stated_maximum=maximum,
            stated_band=band, server_total="71.25", server_maximum="100", server_band="合格",
            server_vetoes="[]", score_matches=False,
            code=short_code(visit_id, content_hash).replace("-", "").lower(),
            changeset_id=str(uuid.uuid4()), device_id=str(uuid.uuid4()), account_id=account_id,
            received_at=time.time(), server_seq=amendment_no + 1))
    return qr_payload(visit_id, content_hash), short_code(visit_id, content_hash)


def get(url: str, code: str, **headers: str) -> httpx.Response:
    # A phone sends no Fieldmark-Protocol header: neither does this.
    return httpx.get(f"{url}/verify/{code}", headers=headers, timeout=30)


@pytest.fixture
def amended(server) -> tuple[str, str, str, str]:
    """A visit finalized, then amended: (first paper's payload and short code, then the amended's)."""
    visit = str(uuid.uuid4())
    first = add_version(server.engine, visit, 0, FIRST)
    # 01:30 in China is the day before in UTC: the page must give the laptop's local date.
    second = add_version(server.engine, visit, 1, SECOND, replaces=FIRST, total="88", band="优秀",
                         finalized_at="2026-11-26T01:30:00.000+08:00")
    return (*first, *second)


def test_the_latest_version_matches_in_either_form(server, amended):
    _, _, payload, short = amended
    forms = (payload, payload.lower(), short, short.lower(), short.replace("-", ""), short.replace("-", " "))
    for code in forms:
        answer = get(server.url, code, **{"Accept-Language": "en"})
        assert answer.status_code == 200, (code, answer.text)
        page = answer.text
        assert "This paper matches the record" in page
        assert UNIT_NAME in page and "24 November 2026" in page and "88 of 100" in page and "优秀" in page
        assert answer.headers["content-language"] == "en"
        assert answer.headers["cache-control"] == "no-store"
        assert answer.headers["content-type"].startswith("text/html")


def test_an_earlier_paper_is_superseded_by_the_amendment(server, amended):
    payload, short, _, _ = amended
    for code in (payload, short):
        en = get(server.url, code, **{"Accept-Language": "en-GB,en;q=0.9"})
        assert en.status_code == 200
        assert "Superseded by the amendment of 26 November 2026" in en.text
        assert UNIT_NAME in en.text
        assert "86.5" not in en.text  # the old score is not the record any more
        zh = get(server.url, code, **{"Accept-Language": "zh-CN,zh;q=0.9"})
        assert "本页已被 2026年11月26日 的修订取代" in zh.text
        assert zh.headers["content-language"] == "zh-CN"


def test_the_page_shows_nothing_else(server, amended):
    _, _, payload, _ = amended
    page = get(server.url, payload, **{"Accept-Language": "zh"}).text
    assert "本页与督导记录一致" in page and "88 分（满分 100 分）" in page
    for hidden in ("张建华", "实验室危化品", HEAD_NAME, "71.25", "合格", "admin", FIRST, SECOND[16:]):
        assert hidden not in page


def test_a_wrong_code_has_no_record(server, amended):
    payload, _, _, _ = amended
    wrong_hash = payload[:-1] + ("0" if payload[-1] != "0" else "1")
    unknown_visit = f"FM1-{uuid.uuid4()}-{SECOND[:16]}"
    for code in (wrong_hash, unknown_visit, "0000-0000-0123-4567"):
        answer = get(server.url, code, **{"Accept-Language": "en"})
        assert answer.status_code == 404, code
        assert "No record has this code" in answer.text
        assert answer.headers["cache-control"] == "no-store"
    assert "没有记录使用此校验码" in get(server.url, "0000-0000-0123-4567").text


@pytest.mark.parametrize("code", ["hello", "FM1-not-a-uuid-0123456789abcdef", "ZZZZ-ZZZZ-ZZZZ-ZZZZ",
                                  "<script>alert(1)</script>"])
def test_a_malformed_code_is_400_with_the_page(server, code):
    answer = get(server.url, code, **{"Accept-Language": "en"})
    assert answer.status_code == 400
    assert "This is not a verification code" in answer.text
    assert "<script>" not in answer.text  # what was sent comes back escaped


def test_language_by_accept_language_and_override(server, amended):
    _, _, payload, _ = amended
    cases = [("en;q=0.5, zh;q=0.9", None, "zh-CN"), ("zh;q=0.1, en", None, "en"), ("fr-FR", None, "zh-CN"),
             ("", None, "zh-CN"), ("zh-CN", "en", "en"), ("en", "zh", "zh-CN"), ("en", "fr", "en")]
    for accept, lang, expected in cases:
        query = f"?lang={lang}" if lang else ""
        answer = get(server.url, payload + query, **{"Accept-Language": accept})
        assert answer.headers["content-language"] == expected, (accept, lang)
        assert f'lang="{expected}"' in answer.text


def _chain(*hashes: str) -> list[SimpleNamespace]:
    visit = "5b0c8f3e-2d7a-4c61-9a0e-7f1d2c3b4a51"
    return [SimpleNamespace(visit_id=visit, amendment_no=n, content_hash=h, replaces=hashes[n - 1] if n else None,
                            finalized_at=f"2026-11-{20 + n}T09:00:00+08:00") for n, h in enumerate(hashes)]


def _outcome(versions: list[SimpleNamespace], digest: str) -> tuple[int, int | None] | None:
    found = service.choose(parse_code(qr_payload(versions[0].visit_id, digest)), versions)
    return None if found is None else (found[0].amendment_no, found[1] and found[1].amendment_no)


def test_an_amendment_back_to_earlier_content_matches_that_paper_again():
    a, b, c = "a" * 64, "b" * 64, "c" * 64
    undone = _chain(a, b, a)
    assert _outcome(undone, a) == (2, None)   # the first paper is true again
    assert _outcome(undone, b) == (1, 2)      # the second was replaced by the third
    again = _chain(a, b, a, c)
    assert _outcome(again, a) == (2, 3)       # last true at the third, replaced by the fourth
    assert _outcome(again, "d" * 64) is None


@pytest.mark.parametrize("accept, expected", [
    ("en-US,en;q=0.9,zh-CN;q=0.8", "en"), ("zh-Hans-CN, en;q=0.9", "zh"), ("en;q=0, *", "zh"),
    ("zh;q=0, *;q=0.5", "en"), ("de, fr;q=0.8", "zh"), ("en;q=bogus, zh;q=0.2", "zh"), ("*", "zh"),
    ("en;q=0.8, zh;q=0.8", "en"),
])
def test_choose_language(accept, expected):
    assert choose_language(accept) == expected


def test_the_limit_answers_429_in_the_right_language(start_server, config_for, amended):
    _, _, payload, _ = amended
    with start_server(config_for(verify_max_per_address=3)) as limited:
        for _ in range(3):
            assert get(limited.url, payload).status_code == 200
        answer = get(limited.url, payload, **{"Accept-Language": "en"})
        assert answer.status_code == 429
        assert 1 <= int(answer.headers["retry-after"]) <= 60
        assert "Too many checks" in answer.text and "This paper matches" not in answer.text
        assert "查询过于频繁" in get(limited.url, payload).text


def test_old_hits_are_pruned_and_other_keys_untouched(server):
    now = time.time()
    with server.engine.begin() as conn:
        conn.execute(insert(rate_hits), [
            {"key": "verify:10.0.0.1", "at": now - 3600}, {"key": "verify:10.0.0.1", "at": now},
            {"key": "address:10.0.0.1", "at": now - 3600}])
        assert service.prune(conn, server.config) == 1
        left = conn.execute(select(rate_hits.c.key, rate_hits.c.at)).all()
    assert sorted(k for k, _ in left) == ["address:10.0.0.1", "verify:10.0.0.1"]


def test_the_page_prunes_old_hits_after_answering(start_server, config_for, amended):
    _, _, payload, _ = amended
    with start_server(config_for(verify_window=5.0)) as other:
        with other.engine.begin() as conn:
            conn.execute(insert(rate_hits).values(key="verify:10.9.9.9", at=time.time() - 3600))
        assert get(other.url, payload).status_code == 200  # a new process's first answer prunes
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            with other.engine.connect() as conn:
                keys = conn.execute(select(rate_hits.c.key)).scalars().all()
            if "verify:10.9.9.9" not in keys:
                break
            time.sleep(0.05)
        assert keys == ["verify:127.0.0.1"]


def test_addresses_are_counted_apart(server):
    config = server.config
    with server.engine.begin() as conn:
        for _ in range(config.verify_max_per_address):
            assert service.take_turn(conn, config, "10.0.0.1").allowed
        assert not service.take_turn(conn, config, "10.0.0.1").allowed
        assert service.take_turn(conn, config, "10.0.0.2").allowed


@pytest.fixture
def two_processes(server, tmp_path: Path) -> Iterator[list[str]]:
    with serving(tmp_path, {"database": server.config.database_url, "verify_max_per_address": 4},
                 count=2) as servers:
        yield [s.url for s in servers]


def test_the_limit_holds_across_two_processes(two_processes, amended):
    a, b = two_processes
    _, short, _, _ = amended
    for url in (a, b, a, b):  # four, alternating: the limit is 4 per address
        assert get(url, short).status_code == 200
    for url in (a, b):
        answer = get(url, short)
        assert answer.status_code == 429 and "retry-after" in answer.headers
