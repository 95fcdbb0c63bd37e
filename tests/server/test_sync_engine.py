"""The laptop's sync engine (app/sync/engine.py) against the live server, on SQLite with files and
on PostgreSQL with SeaweedFS: real demo profiles, real HTTP, faults cut into real requests."""

from __future__ import annotations

import base64
import contextlib
import io
import json
import logging
import random
import shutil
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from keyring.backends import fail
from sqlalchemy import func, select, update

from app import cli_sync
from app.canonical import content_hash
from app.cli import main
from app.demo import sample_value
from app.evidence.store import blob_path, hash_file
from app.profile import Profile
from app.rubric_store import get_rubric
from app.scores import visit_summaries
from app.settings import get_setting, set_setting
from app.sync import engine
from app.sync.client import Cancelled, Client
from app.sync.device import REGISTERED_KEY, Session, login
from app.sync.engine import OFFICE_TABLES, PENDING_KEY, Progress, sync
from app.sync.protocol import Changeset
from app.visits import answer_item, get_visit, list_responses, visit_record
from db.queries import meta
from db.queries import sync as sq
from db.rows import fetch_all, fetch_one
from server.store.schema import admin_areas, finalized_versions, sync_changesets, sync_rows
from server.sync.sequence import stamp
from server.sync.visit_view import describe_visit
from tests.server.conftest import free_port
from tests.server.finalized_support import in_progress_visit
from tests.server.sync_support import (
    QUICK,
    Faults,
    LockedKeyring,
    Machine,
    MemoryKeyring,
    add_photos,
    laptop,
    mirror_campaigns,
    mirror_office,
    server_lacks,
    use_keyring,
)


@pytest.fixture
def keychain() -> Iterator[MemoryKeyring]:
    yield from use_keyring(MemoryKeyring())  # type: ignore[misc]


@pytest.fixture
def one(server: Any, demo_template: Path, tmp_path: Path, keychain: MemoryKeyring) -> Iterator[Any]:
    machine = laptop(server, demo_template, tmp_path / "one", mirror=True)
    yield machine
    machine.profile.close()


def dirty(machine: Any) -> dict[str, int]:
    return sq.pending_counts(machine.profile.db)


def test_first_sync_sends_everything_and_the_second_nothing(server, one):
    add_photos(one, 2)
    photos = sq.live_blob_hashes(one.profile.db)
    lacked = server_lacks(server, one.session.token, photos)
    heard: list[Progress] = []
    first = sync(one.profile, one.session, heard.append, retry=QUICK)
    assert first.complete, (first.reason, first.message, first.rows_refused[:3], first.versions_refused[:3])
    assert first.blobs_uploaded == len(lacked) >= 2
    # Every pulled item was stored: the office's tree is the laptop's, the templates re-hash.
    assert first.rows_skipped == [] and first.items_pulled > 0
    assert first.bytes_uploaded == sum(blob_path(one.profile.media_dir, s).stat().st_size for s in lacked)
    # Progress in items and in bytes, up to the whole.
    uploads = [p for p in heard if p.phase == "blobs"]
    assert [p.bytes_done for p in uploads] == sorted(p.bytes_done for p in uploads)
    assert (uploads[-1].items_done, uploads[-1].bytes_done) == (len(lacked), first.bytes_uploaded)
    assert uploads[-1].bytes_total == first.bytes_uploaded
    pushes = [p for p in heard if p.phase == "push"]
    assert pushes[-1].items_done == pushes[-1].items_total == first.rows_pushed
    # The receipts are kept in the profile.
    kept = one.profile.db.execute("SELECT changeset_id FROM sync_receipts").fetchall()
    assert [r[0] for r in kept] == [r.changeset_id for r in first.receipts]
    assert server_lacks(server, one.session.token, photos) == []
    assert set(dirty(one)) <= set(OFFICE_TABLES)
    # Every finalized visit's present version was recorded, the amended one's too: its version 0,
    # amended before any sync, could no longer be checked and is kept as superseded.
    assert first.versions_unsent == [] and first.versions_refused == []
    kept_versions = sq_versions(one)
    assert {(v["visit_id"], v["amendment_no"], v["content_hash"]) for v in kept_versions if v["status"] == "recorded"} \
        == {(v[0], v[1], v[2]) for v in sq.finalized_visits(one.profile.db)}
    superseded = [v for v in kept_versions if v["status"] == "superseded"]
    assert [v["amendment_no"] for v in superseded] == [0]
    assert first.versions_recorded == len(sq.finalized_visits(one.profile.db))
    with server.engine.connect() as conn:
        held = {(r.visit_id, r.amendment_no, r.content_hash, r.replaces)
                for r in conn.execute(select(finalized_versions)).all()}
    amended = next(v for v in kept_versions if v["amendment_no"] == 1)
    assert (amended["visit_id"], 1, amended["content_hash"], superseded[0]["content_hash"]) in held
    assert amended["reason"] and "does not hold" in amended["reason"]
    second = sync(one.profile, one.session, retry=QUICK)
    assert second.complete, second.message
    assert (second.rows_pushed, second.blobs_uploaded, second.bytes_uploaded) == (0, 0, 0)
    with server.engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(sync_changesets)).scalar_one() == len(first.receipts)
        assert conn.execute(select(func.count()).select_from(sync_rows)).scalar_one() == first.rows_acknowledged


# --- helpers -------------------------------------------------------------------------------------


def sq_versions(laptop: Any) -> list[dict]:
    return [dict(r) for r in fetch_all(laptop.profile.db, "SELECT * FROM finalized_versions "
                                                          "ORDER BY visit_id, amendment_no")]


def items_of(section: Any) -> list[Any]:
    return [*section.items, *(i for child in section.sections for i in items_of(child))]


def answers(machine: Any, visit_id: str) -> dict[tuple[str, str], tuple[Any, bool]]:
    return {(r.rubric_hash, r.item_code): (r.value, r.na) for r in list_responses(machine.profile, visit_id)}


def answer_section(machine: Any, visit_id: str, section_no: int, quality: float, seed: int) -> list[str]:
    """Answer every item of one section of the visit's first rubric; returns the item codes."""
    rubric_hash = get_visit(machine.profile, visit_id).rubric_hashes[0]
    rubric = get_rubric(machine.profile, rubric_hash)
    rnd = random.Random(seed)
    codes = []
    for item in items_of(rubric.sections[section_no]):
        answer_item(machine.profile, visit_id, rubric_hash=rubric_hash, item_code=item.code,
                    value=sample_value(item, rnd, quality), evidence_methods=list(item.evidence) or ["site"],
                    reason="现场查看发现不足。")
        codes.append(item.code)
    return codes


def first_item(machine: Any, visit_id: str) -> str:
    # From the rubric, not from the answers: which visit in progress comes first depends on ids
    # made at random, and one of them may have no answer yet.
    return next(iter(get_rubric(machine.profile, get_visit(machine.profile, visit_id).rubric_hashes[0]).items))


def change_one(machine: Any, visit_id: str, code: str, note: str) -> None:
    rubric_hash = get_visit(machine.profile, visit_id).rubric_hashes[0]
    item = get_rubric(machine.profile, rubric_hash).items[code]
    answer_item(machine.profile, visit_id, rubric_hash=rubric_hash, item_code=code,
                value=sample_value(item, random.Random(1), 1.0), evidence_methods=list(item.evidence) or ["site"],
                note=note, reason="现场查看发现不足。")


def response_row(machine: Any, visit_id: str, code: str) -> dict[str, Any]:
    rubric_hash = get_visit(machine.profile, visit_id).rubric_hashes[0]
    row = fetch_one(machine.profile.db, "SELECT * FROM responses WHERE visit_id = ? AND rubric_hash = ? "
                                        "AND item_code = ?", (visit_id, rubric_hash, code))
    assert row is not None
    return row


def snapshot_local(machine: Any) -> dict[str, Any]:
    db = machine.profile.db
    return {"dirty": dirty(machine), "receipts": db.execute("SELECT count(*) FROM sync_receipts").fetchone()[0],
            "rows": {t: db.execute(f"SELECT id, rev, dirty, base_rev FROM {t} ORDER BY id").fetchall()
                     for t in ("visits", "responses", "evidence")}}


def changesets_held(server: Any) -> list[tuple[str, int]]:
    with server.engine.connect() as conn:
        return sorted((r.id, r.device_seq) for r in conn.execute(
            select(sync_changesets.c.id, sync_changesets.c.device_seq)).all())


# --- replay, edits during a sync, team work, conflicts -------------------------------------------


def test_a_changeset_whose_receipt_was_lost_is_sent_again_and_applied_once(server, one):
    lost = Faults(cut=lambda r: r.method == "POST" and r.url.path.endswith("/changesets"), after_send=True)
    cut = sync(one.profile, one.session, transport=lost, retry=QUICK)
    assert cut.reason == "offline" and not cut.receipts
    pending = Changeset.model_validate_json(meta.get(one.profile.db, PENDING_KEY) or "")
    # The server applied it (three times asked, once applied); the laptop never heard.
    assert changesets_held(server) == [(pending.changeset_id, pending.device_seq)]
    assert dirty(one)["responses"] > 0
    again = sync(one.profile, one.session, retry=QUICK)
    assert again.complete, again.message
    assert again.receipts[0].changeset_id == pending.changeset_id
    assert changesets_held(server) == [(pending.changeset_id, pending.device_seq)]
    assert set(dirty(one)) <= set(OFFICE_TABLES)
    assert meta.get(one.profile.db, PENDING_KEY) == ""
    with server.engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(sync_rows)).scalar_one() == again.rows_acknowledged


def test_an_edit_made_during_a_sync_stays_dirty_and_goes_in_the_next(server, one):
    visit_id = in_progress_visit(one.profile)
    code = first_item(one, visit_id)
    # Answered before the sync, so the row is in the changeset the edit overtakes.
    change_one(one, visit_id, code, "before the sync")
    edited: list[str] = []

    def edit_while_pushing(progress: Progress) -> None:
        if progress.phase == "push" and progress.items_done == 0 and not edited:
            change_one(one, visit_id, code, "changed while the push ran")
            edited.append(response_row(one, visit_id, code)["rev"])

    first = sync(one.profile, one.session, edit_while_pushing, retry=QUICK)
    row = response_row(one, visit_id, code)
    assert first.complete, first.message
    assert row["dirty"] == 1 and row["rev"] == edited[0] and row["base_rev"] is not None
    assert row["base_rev"] != row["rev"]
    second = sync(one.profile, one.session, retry=QUICK)
    assert second.complete, second.message
    assert second.rows_pushed >= 1
    row = response_row(one, visit_id, code)
    assert (row["dirty"], row["base_rev"]) == (0, edited[0])
    with server.engine.connect() as conn:
        held = conn.execute(select(sync_rows.c.rev).where(sync_rows.c.key == row["id"])).scalar_one()
    assert held == edited[0]


@pytest.fixture
def team(server: Any, demo_template: Path, tmp_path: Path, keychain: MemoryKeyring) -> Iterator[Any]:
    """Two laptops of one team holding the same visit, both synced once."""
    a = laptop(server, demo_template, tmp_path / "a", mirror=True)
    b = laptop(server, demo_template, tmp_path / "b")
    for machine in (a, b):
        result = sync(machine.profile, machine.session, retry=QUICK)
        assert result.complete, result.message
    yield a, b, in_progress_visit(a.profile)
    a.profile.close()
    b.profile.close()


def test_two_laptops_answering_different_sections_merge(server, team):
    a, b, visit_id = team
    first = answer_section(a, visit_id, 0, 0.9, seed=1)
    second = answer_section(b, visit_id, 1, 0.3, seed=2)
    [photo] = add_photos(a, 1)
    results = {}
    for name, machine in (("a", a), ("b", b), ("a again", a)):
        results[name] = sync(machine.profile, machine.session, retry=QUICK)
        assert results[name].complete, (results[name].reason, results[name].message)
    # B holds A's photo's row; A's photo stays on A after its sync.
    assert fetch_one(b.profile.db, "SELECT id FROM evidence WHERE sha256 = ?", (photo,)) is not None
    assert blob_path(a.profile.media_dir, photo).is_file()
    assert answers(a, visit_id) == answers(b, visit_id)
    rubric_hash = get_visit(a.profile, visit_id).rubric_hashes[0]
    held = answers(a, visit_id)
    assert all(held[(rubric_hash, c)][0] is not None for c in first + second)
    score_a = visit_summaries(a.profile, [visit_id])[visit_id]
    score_b = visit_summaries(b.profile, [visit_id])[visit_id]
    assert (score_a.awarded, score_a.maximum, score_a.band) == (score_b.awarded, score_b.maximum, score_b.band)
    assert not sq.open_conflicts(a.profile.db) and not sq.open_conflicts(b.profile.db)


def test_both_changing_one_item_is_a_conflict_that_keeps_both(server, team):
    a, b, visit_id = team
    code = first_item(a, visit_id)
    change_one(a, visit_id, code, "A's note")
    change_one(b, visit_id, code, "B's note")
    assert sync(a.profile, a.session, retry=QUICK).complete
    result = sync(b.profile, b.session, retry=QUICK)
    assert result.reason == "conflicts" and result.open_conflicts >= 1
    # Nothing overwritten: each laptop keeps its own edit, B's still waiting to be sent.
    assert response_row(b, visit_id, code)["note"] == "B's note" and response_row(b, visit_id, code)["dirty"] == 1
    assert response_row(a, visit_id, code)["note"] == "A's note"
    [conflict] = sq.open_conflicts(b.profile.db)
    notes = {json.loads(conflict["current"])["values"]["note"], json.loads(conflict["incoming"])["values"]["note"]}
    assert notes == {"A's note", "B's note"}
    # A hears of it at its next sync, and its own answer stays.
    later = sync(a.profile, a.session, retry=QUICK)
    assert later.reason == "conflicts"
    assert response_row(a, visit_id, code)["note"] == "A's note"
    with server.engine.connect() as conn:
        held = conn.execute(select(sync_rows.c.row_values).where(sync_rows.c.key == conflict["row_key"])).scalar_one()
    assert json.loads(held)["note"] == "A's note"


# --- faults -----------------------------------------------------------------------------------------


def test_an_upload_cut_midway_resumes_without_sending_finished_photos_again(server, one):
    add_photos(one, 5)
    lacked = server_lacks(server, one.session.token, sq.live_blob_hashes(one.profile.db))
    done: list[str] = []

    def after_three(request: httpx.Request) -> bool:
        if request.method != "PUT" or "/blobs/" not in request.url.path:
            return False
        if len(done) < 3:
            done.append(request.url.path)
            return False
        return True

    flaky = Faults(cut=after_three)
    cut = sync(one.profile, one.session, transport=flaky, retry=QUICK)
    assert cut.reason == "offline" and "nothing was lost" in cut.message
    assert cut.blobs_uploaded == 3 and not cut.receipts
    before = flaky.puts()
    counted = Faults()
    resumed = sync(one.profile, one.session, transport=counted, retry=QUICK)
    assert resumed.complete, resumed.message
    again = counted.puts()
    # The three finished photos are not sent again; the cut one and the rest are, once each.
    assert not set(again) & set(before)
    assert sorted(before + again) == lacked
    assert resumed.bytes_uploaded + cut.bytes_uploaded == sum(
        blob_path(one.profile.media_dir, s).stat().st_size for s in lacked)


@pytest.mark.parametrize("phase", ["blobs", "pull"])
def test_cancel_stops_at_a_safe_point_and_the_next_sync_completes(server, one, phase):
    add_photos(one, 3)

    def stop(progress: Progress) -> None:
        if progress.phase == phase and (progress.items_done or phase == "blobs"):
            raise Cancelled("stopped by the inspector")

    cancelled = sync(one.profile, one.session, stop, retry=QUICK)
    assert cancelled.reason == "cancelled" and not cancelled.complete
    assert one.profile.db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    finished = sync(one.profile, one.session, retry=QUICK)
    assert finished.complete, finished.message
    assert dirty(one) == {t: n for t, n in dirty(one).items() if t in OFFICE_TABLES}
    again = sync(one.profile, one.session, retry=QUICK)
    assert again.complete and again.bytes_uploaded == 0 and again.rows_pushed == 0


def test_one_dropped_upload_is_retried_within_the_run(server, one):
    add_photos(one, 2)
    cuts: list[str] = []

    def once(request: httpx.Request) -> bool:
        if request.method == "PUT" and "/blobs/" in request.url.path and not cuts:
            cuts.append(request.url.path)
            return True
        return False

    flaky = Faults(cut=once)
    result = sync(one.profile, one.session, transport=flaky, retry=QUICK)
    assert result.complete, result.message
    assert flaky.puts().count(cuts[0].rsplit("/", 1)[1]) == 1


def test_server_errors_end_in_a_clear_status_and_the_next_sync_completes(server, one):
    def broken(request: httpx.Request) -> httpx.Response:
        return httpx.Response(503, request=request)

    result = sync(one.profile, one.session, transport=httpx.MockTransport(broken), retry=QUICK)
    assert result.reason == "server_error" and "503" in result.message
    assert sync(one.profile, one.session, retry=QUICK).complete


def test_server_down_is_offline_and_changes_nothing(server, one):
    before = snapshot_local(one)
    gone = Session(f"http://127.0.0.1:{free_port()}", one.session.login, one.session.token)
    mark_registered(one, gone)
    result = sync(one.profile, gone, retry=QUICK)
    assert result.reason == "offline" and "cannot be reached" in result.message
    assert snapshot_local(one) == before


def mark_registered(machine: Any, session: Session) -> None:
    with machine.profile.db.atomic():
        meta.put(machine.profile.db, REGISTERED_KEY, f"{session.server_url}|{session.login}|{machine.profile.device_id}")


def revoke(server: Any, token: str) -> None:
    with server.client(token) as c:
        assert c.post("/api/v1/logout").status_code == 204


def test_a_revoked_token_asks_for_login_and_loses_nothing(server, one):
    revoke(server, one.session.token)
    before = snapshot_local(one)
    result = sync(one.profile, one.session, retry=QUICK)
    assert result.reason == "authentication" and "login" in result.message
    assert snapshot_local(one) == before


def test_a_token_expiring_mid_sync_keeps_what_was_done(server, one):
    def expire_at_pull(progress: Progress) -> None:
        if progress.phase == "push" and progress.items_done:
            revoke(server, one.session.token)

    result = sync(one.profile, one.session, expire_at_pull, retry=QUICK)
    assert result.reason == "authentication"
    assert len(result.receipts) == 1
    assert one.profile.db.execute("SELECT count(*) FROM sync_receipts").fetchone()[0] == 1
    assert set(dirty(one)) <= set(OFFICE_TABLES)
    session = login(one.profile, server.url, one.account.login, one.account.password, retry=QUICK)
    after = sync(one.profile, session, retry=QUICK)
    assert after.complete, after.message
    assert after.rows_pushed == 0 and after.items_pulled > 0


# --- the command line --------------------------------------------------------------------------


@pytest.fixture(params=["none", "locked"])
def no_keychain(request: pytest.FixtureRequest) -> Iterator[Any]:
    yield from use_keyring(fail.Keyring() if request.param == "none" else LockedKeyring())


def cli_profile(server: Any, template: Path, root: Path) -> Any:
    """A copy of the demo profile as a folder (the CLI opens it), its tree held by the server, and
    an account to log in with."""
    shutil.copytree(template, root)
    with Profile.open(root) as profile:
        mirror_office(server, profile)
    return server.make_account("inspector", "42")


def typed(monkeypatch: pytest.MonkeyPatch, text: str) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO(text))


def test_login_sync_logout_keep_the_token_in_the_keychain_only(server, demo_template, tmp_path, keychain,
                                                                 monkeypatch, capsys, caplog):
    caplog.set_level(logging.DEBUG)
    monkeypatch.setattr(cli_sync, "RETRY", QUICK)
    root = tmp_path / "cli"
    account = cli_profile(server, demo_template, root)
    typed(monkeypatch, account.password + "\n")
    assert main(["login", "--server", server.url, "--user", account.login, "--data-dir", str(root)]) == 0
    token = keychain.secrets[("fieldmark", f"{server.url}|{account.login}")]
    [device_key] = [v for (_, name), v in keychain.secrets.items() if name.startswith("device|")]
    assert main(["sync", "--data-dir", str(root)]) == 0
    out = capsys.readouterr().out
    assert "everything was acknowledged" in out and "receipts kept" in out
    secrets = (token.encode(), device_key.encode(), base64.b64decode(device_key))
    for path in root.rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            assert not any(secret in data for secret in secrets), path
    assert token not in caplog.text and device_key not in caplog.text
    with Profile.open(root, read_only=True) as profile:
        assert (get_setting(profile, "server_url"), get_setting(profile, "server_login")) == (server.url, account.login)

    assert main(["logout", "--data-dir", str(root)]) == 0
    assert ("fieldmark", f"{server.url}|{account.login}") not in keychain.secrets
    with server.client(token) as c:
        assert c.get("/api/v1/me").status_code == 401
    capsys.readouterr()
    assert main(["sync", "--data-dir", str(root)]) == cli_sync.EXIT_CODES["authentication"]
    assert "fieldmark login" in capsys.readouterr().err


def test_sync_exit_codes_name_the_reason(server, demo_template, tmp_path, keychain, monkeypatch, capsys):
    monkeypatch.setattr(cli_sync, "RETRY", QUICK)
    root = tmp_path / "cli"
    account = cli_profile(server, demo_template, root)
    typed(monkeypatch, account.password + "\n")
    assert main(["login", "--server", server.url, "--user", account.login, "--data-dir", str(root)]) == 0
    token = keychain.secrets[("fieldmark", f"{server.url}|{account.login}")]
    # Expired or revoked: log in again; nothing is lost.
    revoke(server, token)
    assert main(["sync", "--data-dir", str(root)]) == cli_sync.EXIT_CODES["authentication"]
    assert "login" in capsys.readouterr().err
    # The server cannot be reached.
    gone = f"http://127.0.0.1:{free_port()}"
    with Profile.open(root) as profile:
        set_setting(profile, "server_url", gone)
        keychain.secrets[("fieldmark", f"{gone}|{account.login}")] = "t" * 40
        mark_registered(Machine(profile, Session(gone, account.login), root, account), Session(gone, account.login))
    assert main(["sync", "--data-dir", str(root)]) == cli_sync.EXIT_CODES["offline"]
    assert "offline" in capsys.readouterr().err


def test_without_a_keychain_login_says_so_and_sync_asks_for_the_password(server, demo_template, tmp_path,
                                                                         no_keychain, monkeypatch, capsys):
    monkeypatch.setattr(cli_sync, "RETRY", QUICK)
    root = tmp_path / "cli"
    account = cli_profile(server, demo_template, root)
    typed(monkeypatch, account.password + "\n")
    assert main(["login", "--server", server.url, "--user", account.login, "--data-dir", str(root)]) == 0
    assert "no keychain" in capsys.readouterr().err
    typed(monkeypatch, account.password + "\n")
    assert main(["sync", "--data-dir", str(root)]) == 0
    assert "no keychain" in capsys.readouterr().err
    typed(monkeypatch, "")
    assert main(["sync", "--data-dir", str(root)]) == 1
    assert "no password" in capsys.readouterr().err
    assert main(["logout", "--data-dir", str(root)]) == 0


class OldClient(httpx.HTTPTransport):
    """Sends what a Fieldmark older than the server's minimum would: protocol 0."""

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        request.headers["Fieldmark-Protocol"] = "0"
        return super().handle_request(request)


class BusyOnce(httpx.HTTPTransport):
    """The first pull is answered 429 (as a busy proxy would); the rest reach the server."""

    def __init__(self) -> None:
        super().__init__()
        self.refused = 0

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/pull") and not self.refused:
            self.refused += 1
            return httpx.Response(429, headers={"Retry-After": "0"}, request=request)
        return super().handle_request(request)


def test_a_server_that_needs_a_newer_client_says_please_update(server, one):
    before = snapshot_local(one)
    result = sync(one.profile, one.session, transport=OldClient(), retry=QUICK)
    assert result.reason == "protocol" and "please update" in result.message
    assert snapshot_local(one) == before


def test_rate_limited_requests_wait_and_go_on(server, one):
    busy = BusyOnce()
    result = sync(one.profile, one.session, transport=busy, retry=QUICK)
    assert result.complete, result.message
    assert busy.refused == 1


def test_a_server_restart_in_the_middle_of_a_sync_ends_offline_and_the_next_completes(server, one, start_server):
    with contextlib.ExitStack() as running:
        first = running.enter_context(start_server(server.config))
        session = Session(first.url, one.session.login, one.session.token)

        def stop_at_push(progress: Progress) -> None:
            if progress.phase == "push" and progress.items_done == 0:
                running.close()

        cut = sync(one.profile, session, stop_at_push, retry=QUICK)
    assert cut.reason == "offline", cut.message
    pending = Changeset.model_validate_json(meta.get(one.profile.db, PENDING_KEY) or "")
    with start_server(server.config) as second:
        again = sync(one.profile, Session(second.url, one.session.login, one.session.token), retry=QUICK)
    assert again.complete, again.message
    assert again.receipts[0].changeset_id == pending.changeset_id
    assert changesets_held(server) == [(pending.changeset_id, pending.device_seq)]
    assert set(dirty(one)) <= set(OFFICE_TABLES)


def test_many_rows_go_in_several_changesets_numbered_one_after_another(server, one, monkeypatch):
    monkeypatch.setattr(engine, "MAX_ROWS_PER_CHANGESET", 100)
    result = sync(one.profile, one.session, retry=QUICK)
    assert result.complete, result.message
    assert len(result.receipts) == -(-result.rows_pushed // 100) > 2
    held = changesets_held(server)
    assert sorted(seq for _, seq in held) == list(range(1, len(result.receipts) + 1))
    assert all(len(r.rows) <= 100 for r in result.receipts)
    # The finalized versions go in the last, after every row they finalize.
    assert [bool(r.finalizations) for r in result.receipts] == [False] * (len(result.receipts) - 1) + [True]
    assert int(meta.get(one.profile.db, engine.SEQ_KEY) or 0) == len(result.receipts)


def test_a_team_mates_photo_is_fetched_and_checked(server, team):
    a, b, visit_id = team
    [photo] = add_photos(a, 1)
    assert sync(a.profile, a.session, retry=QUICK).complete
    result = sync(b.profile, b.session, retry=QUICK)
    assert result.blobs_unavailable == []
    assert result.blobs_fetched == 1
    assert hash_file(blob_path(b.profile.media_dir, photo)) == photo


def test_a_wrong_password_is_said_as_such(server, demo_template, tmp_path, keychain, monkeypatch, capsys):
    monkeypatch.setattr(cli_sync, "RETRY", QUICK)
    root = tmp_path / "cli"
    account = cli_profile(server, demo_template, root)
    typed(monkeypatch, "not-the-password\n")
    assert main(["login", "--server", server.url, "--user", account.login, "--data-dir", str(root)]) == \
        cli_sync.EXIT_CODES["authentication"]
    assert "did not accept the login name" in capsys.readouterr().err
    assert keychain.secrets == {}


class ForgetfulMissing(httpx.HTTPTransport):
    """Answers ``POST /blobs/missing`` with none missing, as a blob store that lost files after
    answering would: the push then hears ``blobs_missing`` from the real server."""

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/blobs/missing"):
            return httpx.Response(200, json={"missing": []}, request=request)
        return super().handle_request(request)


def test_blobs_missing_at_push_are_uploaded_and_the_push_sent_again(server, one):
    photos = add_photos(one, 2)
    result = sync(one.profile, one.session, transport=ForgetfulMissing(), retry=QUICK)
    assert result.complete, result.message
    assert result.blobs_uploaded == 2
    assert server_lacks(server, one.session.token, photos) == []


def test_a_device_registered_to_another_account_is_registered_again_and_the_push_retried(server, one):
    other = server.make_account("inspector", "42")
    session = Session(server.url, other.login, other.token)
    # The laptop believes it registered for this login; the server holds it under the first one.
    mark_registered(one, session)
    result = sync(one.profile, session, retry=QUICK)
    assert result.complete, result.message
    assert result.rows_acknowledged > 0


def test_a_profile_restored_from_a_backup_numbers_its_changeset_past_the_server_and_syncs(server, one):
    """A backup of a synced profile, restored in place after a later sync: same folder, same
    machine, so the same device id, with a changeset counter behind the server's."""
    first = sync(one.profile, one.session, retry=QUICK)
    assert first.complete, first.message
    visit_id = in_progress_visit(one.profile)
    codes = list(get_rubric(one.profile, get_visit(one.profile, visit_id).rubric_hashes[0]).items)
    before_backup, after_restore = codes[0], codes[-1]
    change_one(one, visit_id, before_backup, "edited before the backup")
    device = one.profile.device_id
    one.profile.close()
    backup = one.root.parent / "backup"
    shutil.copytree(one.root, backup)
    one.profile = Profile.open(one.root)
    second = sync(one.profile, one.session, retry=QUICK)
    assert second.complete, second.message
    behind = int(meta.get(one.profile.db, engine.SEQ_KEY) or 0)
    one.profile.close()
    shutil.rmtree(one.root)
    shutil.copytree(backup, one.root)
    one.profile = Profile.open(one.root)
    assert one.profile.device_id == device
    assert int(meta.get(one.profile.db, engine.SEQ_KEY) or 0) < behind
    change_one(one, visit_id, after_restore, "edited after the restore")
    wire = Faults()
    third = sync(one.profile, one.session, transport=wire, retry=QUICK)
    assert third.complete, (third.reason, third.message)
    # Refused once as stale, then sent under a new id numbered past what the server held.
    pushes = [size for method, path, size in wire.seen if method == "POST" and path.endswith("/changesets")]
    assert len(pushes) == 2
    with server.engine.connect() as conn:
        numbers = conn.execute(select(sync_changesets.c.device_seq, sync_changesets.c.id)
                               .where(sync_changesets.c.device_id == device)
                               .order_by(sync_changesets.c.device_seq)).all()
    [receipt] = third.receipts
    assert numbers[-1] == (behind + 1, receipt.changeset_id)
    assert int(meta.get(one.profile.db, engine.SEQ_KEY) or 0) == behind + 1
    assert meta.get(one.profile.db, PENDING_KEY) == ""
    # Both edits are on the server and on the laptop, nothing in conflict, nothing left to send.
    for code, note in ((before_backup, "edited before the backup"), (after_restore, "edited after the restore")):
        row = response_row(one, visit_id, code)
        assert (row["note"], row["dirty"]) == (note, 0)
        with server.engine.connect() as conn:
            held = conn.execute(select(sync_rows.c.rev).where(sync_rows.c.key == row["id"])).scalar_one()
        assert held == row["rev"]
    assert set(dirty(one)) <= set(OFFICE_TABLES) and third.open_conflicts == 0
    again = sync(one.profile, one.session, retry=QUICK)
    assert again.complete and again.rows_pushed == 0


def test_a_replacement_laptop_gets_back_all_of_the_inspectors_synced_work(server, one, tmp_path, keychain):
    """Laptop A syncs a day's work (photos, finalized and amended visits); a brand-new empty
    profile B logs in as the same inspector and syncs: B holds it all, photos checked, and each
    finalized visit hashes on B as on A and on the server."""
    mirror_campaigns(server, one.profile, one.account.login)
    photos = add_photos(one, 3)
    first = sync(one.profile, one.session, retry=QUICK)
    assert first.complete, first.message
    fresh = Profile.open(tmp_path / "replacement")
    try:
        session = login(fresh, server.url, one.account.login, one.account.password, retry=QUICK)
        assert fresh.device_id != one.profile.device_id
        got = sync(fresh, session, retry=QUICK)
        assert got.complete, (got.reason, got.message)
        assert got.rows_skipped == [] and got.blobs_unavailable == []
        # Every row A pushed is on B, at the same revision with the same values, clean.
        for table in engine.PUSHED_TABLES:
            mine = {r["id"]: r for r in fetch_all(one.profile.db, f"SELECT * FROM {table}")}
            theirs = {r["id"]: r for r in fetch_all(fresh.db, f"SELECT * FROM {table}")}
            assert mine.keys() <= theirs.keys(), table
            for key, row in mine.items():
                held = theirs[key]
                assert held["dirty"] == 0, (table, key)
                assert {k: v for k, v in held.items() if k not in ("dirty", "base_rev")} == \
                    {k: v for k, v in row.items() if k not in ("dirty", "base_rev")}, (table, key)
        # Every photo and signature, its bytes checked against its name.
        wanted = sq.live_blob_hashes(one.profile.db)
        assert set(photos) <= set(wanted)
        for sha in wanted:
            assert hash_file(blob_path(fresh.media_dir, sha)) == sha
        # The finalized versions, recorded, and the same canonical content everywhere.
        finalized = sq.finalized_visits(one.profile.db)
        assert finalized and [v[:3] for v in sq.finalized_visits(fresh.db)] == [v[:3] for v in finalized]
        for visit_id, number, digest, *_ in finalized:
            assert get_visit(fresh, visit_id).locked
            assert content_hash(visit_record(fresh, visit_id)) == digest
            assert content_hash(visit_record(one.profile, visit_id)) == digest
            with server.engine.connect() as conn:
                shown = describe_visit(conn, visit_id)
            assert shown["content_hash"] == digest and shown["matches_latest"]
            kept = [(v["amendment_no"], v["content_hash"], v["status"]) for v in sq.versions_of(fresh.db, visit_id)]
            assert (number, digest, "recorded") in kept
        # B's second sync has nothing to send or fetch.
        again = sync(fresh, session, retry=QUICK)
        assert again.complete and (again.rows_pushed, again.blobs_fetched) == (0, 0)
    finally:
        fresh.close()


def test_a_fresh_profile_holds_rows_that_came_before_the_rows_they_name(server, one, tmp_path, keychain, monkeypatch):
    """The office renamed areas after their units: the units come first in the pull, on pages of
    three. A fresh profile keeps them waiting, places them when their areas come, skips none."""
    with server.engine.begin() as conn:
        for area in conn.execute(select(admin_areas.c.id, admin_areas.c.name)).all():
            conn.execute(update(admin_areas).where(admin_areas.c.id == area.id)
                         .values(name=area.name + " (renamed)", server_seq=stamp(conn)))
    real_pull = Client.pull
    monkeypatch.setattr(Client, "pull", lambda self, cursor, limit=3: real_pull(self, cursor, limit))
    fresh = Profile.open(tmp_path / "fresh")
    try:
        session = login(fresh, server.url, one.account.login, one.account.password, retry=QUICK)
        cut = Faults(cut=lambda request: request.url.path.endswith("/pull") and cut_after.pop(0))
        # The first run stops on a later page, with units still waiting: they are kept for the next.
        cut_after = [False] * 4 + [True] * 4
        stopped = sync(fresh, session, transport=cut, retry=QUICK)
        assert stopped.reason == "offline"
        assert json.loads(meta.get(fresh.db, engine.WAITING_KEY) or "[]")
        got = sync(fresh, session, retry=QUICK)
        assert got.complete, (got.reason, got.message)
        assert got.rows_skipped == [] and meta.get(fresh.db, engine.WAITING_KEY) == "[]"
        units_held = fetch_all(fresh.db, "SELECT u.id, a.name FROM units u JOIN admin_areas a ON a.id = u.area_id")
        assert len(units_held) == one.profile.db.execute("SELECT count(*) FROM units").fetchone()[0]
        assert all(name.endswith("(renamed)") for _, name in ((u["id"], u["name"]) for u in units_held))
    finally:
        fresh.close()


def test_a_sync_keeps_the_offices_key_for_sealed_bundles(server, one):
    from app.sync.office import kept_office_key
    from app.sync.sealed import public_key_text
    from server.keys_office import office_key

    with server.client(server.admin_token) as c:
        assert c.put("/api/v1/office", json={"name_zh": "东城区教育督导室"}).status_code == 200
    assert kept_office_key(one.profile) is None
    assert sync(one.profile, one.session, retry=QUICK).complete
    assert kept_office_key(one.profile) == public_key_text(office_key(server.config.data_dir))


def test_laptops_a_day_either_side_of_the_true_time_order_and_merge_correctly(server, team):
    """A's clock runs a day ahead, B's a day behind. Each laptop still orders its own edits, and
    B's later edit (made from A's revision) wins on both sides although its stamp is two days
    older: the merge follows base revisions, not clocks."""
    a, b, visit_id = team
    day_ms = 86_400_000
    a.profile.clock._now = lambda: time.time_ns() // 1_000_000 + day_ms
    b.profile.clock._now = lambda: time.time_ns() // 1_000_000 - day_ms
    code = first_item(a, visit_id)
    change_one(a, visit_id, code, "A, a day ahead")
    first_a = response_row(a, visit_id, code)["rev"]
    change_one(a, visit_id, code, "A again")
    assert response_row(a, visit_id, code)["rev"] > first_a  # its own order holds
    assert sync(a.profile, a.session, retry=QUICK).complete
    # B pulls A's revision; its clock, two days behind it, refuses to jump there (the bound is a
    # day), and the row is stored all the same.
    assert sync(b.profile, b.session, retry=QUICK).complete
    assert response_row(b, visit_id, code)["note"] == "A again"
    change_one(b, visit_id, code, "B, later in true time")
    b_rev = response_row(b, visit_id, code)["rev"]
    assert b_rev < response_row(a, visit_id, code)["rev"]  # B's stamp is older than A's
    for machine in (b, a):
        result = sync(machine.profile, machine.session, retry=QUICK)
        assert result.complete, (result.reason, result.message)
    for machine in (a, b):
        row = response_row(machine, visit_id, code)
        assert (row["note"], row["rev"], row["dirty"]) == ("B, later in true time", b_rev, 0)
        assert not sq.open_conflicts(machine.profile.db)
    assert content_hash(visit_record(a.profile, visit_id)) == content_hash(visit_record(b.profile, visit_id))
