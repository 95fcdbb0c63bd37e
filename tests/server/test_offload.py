"""Freeing space (app/sync/offload.py) against the live server: which originals go, what stays,
the next sync leaving them on the server, and fetching one back on demand, checked."""

from __future__ import annotations

import hashlib
import shutil
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from app import cli_sync, credentials
from app.cli import main
from app.evidence import display_path, thumbnail_path, verify_media
from app.evidence.store import blob_path, hash_file
from app.evidence.thumbnails import thumb_path
from app.profile import Profile
from app.settings import set_setting
from app.sync.client import Client, Offline
from app.sync.engine import sync
from app.sync.offload import ON_SERVER, PhotoOnServer, client_for, free_space, recall
from db.queries import offload as oq
from db.rows import fetch_all
from tests.server.conftest import free_port
from tests.server.sync_support import QUICK, Faults, MemoryKeyring, add_photos, laptop, use_keyring


@pytest.fixture
def keychain() -> Iterator[MemoryKeyring]:
    yield from use_keyring(MemoryKeyring())  # type: ignore[misc]


@pytest.fixture
def one(server: Any, demo_template: Path, tmp_path: Path, keychain: MemoryKeyring) -> Iterator[Any]:
    machine = laptop(server, demo_template, tmp_path / "one", mirror=True)
    yield machine
    machine.profile.close()


def photos_by_status(machine: Any) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for row in fetch_all(machine.profile.db, "SELECT e.sha256, v.status FROM evidence e JOIN visits v "
                                             "ON v.id = e.visit_id"):
        found.setdefault(row["status"], set()).add(row["sha256"])
    return found


def here(machine: Any, sha: str) -> bool:
    return blob_path(machine.profile.media_dir, sha).is_file()


def synced(machine: Any) -> Any:
    result = sync(machine.profile, machine.session, retry=QUICK)
    assert result.complete, (result.reason, result.message)
    return result


def client(machine: Any, transport: httpx.BaseTransport | None = None) -> Client:
    return Client(machine.session.server_url, machine.session.token, retry=QUICK, transport=transport)


def test_only_finalized_acknowledged_server_held_originals_go_and_thumbnails_stay(one):
    drafts = set(add_photos(one, 2))
    synced(one)
    by_status = photos_by_status(one)
    final = (by_status["finalized"] | by_status["amended"]) - by_status["in_progress"]
    assert final and drafts <= by_status["in_progress"]
    # The thumbnails are made while the originals are here (the viewer and the lists made them).
    for row in fetch_all(one.profile.db, "SELECT id FROM evidence"):
        thumbnail_path(one.profile, row["id"])
    with client(one) as c:
        planned = free_space(one.profile, c, dry_run=True)
    assert {sha for sha, _ in planned.held} == final and planned.removed == []
    assert all(here(one, sha) for sha in final)
    with client(one) as c:
        done = free_space(one.profile, c)
    assert {sha for sha, _ in done.removed} == final and done.failed == []
    assert done.bytes_removed == sum(oq.offloaded(one.profile.db).values()) > 0
    assert not any(here(one, sha) for sha in final)
    # Drafts and the in-progress visits keep theirs; thumbnails all stay.
    assert all(here(one, sha) for sha in by_status["in_progress"])
    assert all(thumb_path(one.profile.root, sha).is_file() for sha in final)
    # Verify: on the server, not missing.
    report = verify_media(one.profile)
    assert report.ok and report.missing == ()
    assert {p.sha256 for p in report.on_server} == final
    # Nothing more to free a second time.
    with client(one) as c:
        assert free_space(one.profile, c).removed == []


def test_a_dirty_photo_or_an_unacknowledged_visit_keeps_its_original(one):
    synced(one)
    final = sorted(photos_by_status(one)["finalized"] - photos_by_status(one)["in_progress"])
    edited, visit_edited = final[0], final[-1]
    with one.profile.db.atomic():
        one.profile.db.execute("UPDATE evidence SET dirty = 1 WHERE sha256 = ?", (edited,))
        one.profile.db.execute("UPDATE visits SET dirty = 1 WHERE id IN (SELECT visit_id FROM evidence "
                               "WHERE sha256 = ?)", (visit_edited,))
    with client(one) as c:
        done = free_space(one.profile, c)
    removed = {sha for sha, _ in done.removed}
    assert edited not in removed and visit_edited not in removed
    assert here(one, edited) and here(one, visit_edited)
    assert not oq.is_offloaded(one.profile.db, edited)


def test_a_photo_the_server_lacks_is_kept(one):
    synced(one)
    # A photo whose bytes never reached the server, on a finalized visit, its row clean: as after
    # a server restored from an older backup.
    [lacking] = add_photos(one, 1)
    final_visit = fetch_all(one.profile.db, "SELECT id FROM visits WHERE status = 'finalized' LIMIT 1")[0]["id"]
    with one.profile.db.atomic():
        one.profile.db.execute("UPDATE evidence SET visit_id = ?, dirty = 0 WHERE sha256 = ?", (final_visit, lacking))
    with client(one) as c:
        done = free_space(one.profile, c)
    assert done.server_lacks == [lacking]
    assert lacking not in {sha for sha, _ in done.removed}
    assert here(one, lacking) and not oq.is_offloaded(one.profile.db, lacking)


def test_offline_removes_nothing_and_says_so(one, capsys, monkeypatch):
    synced(one)
    before = sorted(p.name for p in one.profile.media_dir.rglob("*") if p.is_file())
    dead_url = f"http://127.0.0.1:{free_port()}"
    dead = Client(dead_url, one.session.token, retry=QUICK)
    with dead, pytest.raises(Offline):
        free_space(one.profile, dead)
    # The command line, with the server gone: the same, in words, and the exit code of offline.
    set_setting(one.profile, "server_url", dead_url)
    credentials.save_token(dead_url, one.session.login, one.session.token)
    monkeypatch.setattr(cli_sync, "RETRY", QUICK)
    one.profile.close()
    try:
        code = main(["evidence", "free-space", "--data-dir", str(one.root)])
    finally:
        one.profile = Profile.open(one.root)
    err = capsys.readouterr().err
    assert code == 3 and "cannot be reached" in err and "nothing was removed" in err
    assert sorted(p.name for p in one.profile.media_dir.rglob("*") if p.is_file()) == before
    assert oq.offloaded(one.profile.db) == {}


def test_the_command_says_what_would_go_then_removes_it(one, capsys, monkeypatch):
    synced(one)
    monkeypatch.setattr(cli_sync, "RETRY", QUICK)
    one.profile.close()
    try:
        assert main(["evidence", "free-space", "--data-dir", str(one.root), "--dry-run"]) == 0
        dry = capsys.readouterr().out
        assert main(["evidence", "free-space", "--data-dir", str(one.root)]) == 0
        done = capsys.readouterr().out
        assert main(["evidence", "verify", "--data-dir", str(one.root)]) == 0
        verified = capsys.readouterr().out
        assert main(["status", "--data-dir", str(one.root)]) == 0
        status = capsys.readouterr().out
    finally:
        one.profile = Profile.open(one.root)
    count = len(oq.offloaded(one.profile.db))
    assert f"would remove {count} photo originals" in dry
    assert f"removed {count} photo originals" in done
    assert f"{count} kept on the server only" in verified and "on server evidence" in verified
    assert f"photo originals kept on the server only (removed here to free space): {count}, " in status


def test_the_next_sync_leaves_offloaded_photos_on_the_server(one):
    synced(one)
    with client(one) as c:
        removed = {sha for sha, _ in free_space(one.profile, c).removed}
    assert removed
    seen = Faults()
    again = sync(one.profile, one.session, retry=QUICK, transport=seen)
    assert again.complete, again.message
    assert again.blobs_fetched == 0 and again.bytes_fetched == 0
    assert not [path for method, path, _ in seen.seen if method == "GET" and "/blobs/" in path]
    assert not any(here(one, sha) for sha in removed)


def test_the_setting_removes_after_each_sync(one):
    set_setting(one.profile, "photos_after_sync", "remove")
    result = synced(one)
    assert result.photos_offloaded == len(oq.offloaded(one.profile.db)) > 0
    assert result.bytes_offloaded == sum(oq.offloaded(one.profile.db).values())


def test_opening_an_offloaded_photo_fetches_it_back_checked(one):
    synced(one)
    with client(one) as c:
        sha, _ = free_space(one.profile, c).removed[0]
    evidence_id = fetch_all(one.profile.db, "SELECT id FROM evidence WHERE sha256 = ?", (sha,))[0]["id"]
    path = display_path(one.profile, evidence_id)  # the viewer's call, as its worker makes it
    assert path.is_file() and hash_file(path) == sha
    assert not oq.is_offloaded(one.profile.db, sha)
    assert verify_media(one.profile).on_server == tuple(p for p in verify_media(one.profile).on_server
                                                        if p.sha256 != sha)


class Tampered(httpx.BaseTransport):
    """The live server's answers, with one byte of every blob download changed."""

    def __init__(self) -> None:
        self.real = httpx.HTTPTransport()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        answer = self.real.handle_request(request)
        if request.method != "GET" or "/blobs/" not in request.url.path:
            return answer
        body = bytearray(answer.read())
        answer.close()
        body[len(body) // 2] ^= 0xFF
        return httpx.Response(answer.status_code, headers=answer.headers, content=bytes(body))


def test_a_tampered_download_is_refused_and_nothing_kept(one):
    synced(one)
    with client(one) as c:
        sha, _ = free_space(one.profile, c).removed[0]
    with client(one, Tampered()) as bad, pytest.raises(PhotoOnServer, match="other bytes") as refused:
        recall(one.profile, sha, client=bad)
    assert ON_SERVER in str(refused.value)
    target = blob_path(one.profile.media_dir, sha)
    assert not target.exists() and not list(target.parent.glob(".fetch-*"))
    assert oq.is_offloaded(one.profile.db, sha)


def test_not_logged_in_says_the_photo_is_on_the_server(one):
    synced(one)
    with client(one) as c:
        sha, _ = free_space(one.profile, c).removed[0]
    set_setting(one.profile, "server_login", "")
    evidence_id = fetch_all(one.profile.db, "SELECT id FROM evidence WHERE sha256 = ?", (sha,))[0]["id"]
    with pytest.raises(PhotoOnServer, match="kept on the server"):
        display_path(one.profile, evidence_id)
    with pytest.raises(Exception, match="not logged in"):
        client_for(one.profile)
    assert oq.is_offloaded(one.profile.db, sha) and not here(one, sha)


def test_a_report_fetches_its_offloaded_photos_back(one):
    from app.reports.data import load_report_data

    synced(one)
    with client(one) as c:
        removed = {sha for sha, _ in free_space(one.profile, c).removed}
    visit_id = fetch_all(one.profile.db, "SELECT visit_id FROM evidence WHERE sha256 = ?",
                         (sorted(removed)[0],))[0]["visit_id"]
    data = load_report_data(one.profile, visit_id)
    for photo in data.photos:
        assert here(one, photo.sha256)
        assert hashlib.sha256(blob_path(one.profile.media_dir, photo.sha256).read_bytes()).hexdigest() == photo.sha256


def test_a_report_without_the_server_prints_thumbnails_and_says_why(one):
    from app.reports import build_report

    synced(one)
    for row in fetch_all(one.profile.db, "SELECT id FROM evidence"):
        thumbnail_path(one.profile, row["id"])
    with client(one) as c:
        removed = {sha for sha, _ in free_space(one.profile, c).removed}
    photos = fetch_all(one.profile.db, "SELECT visit_id, original_name FROM evidence WHERE sha256 IN "
                                        f"({', '.join('?' * len(removed))})", tuple(removed))
    visit_id = photos[0]["visit_id"]
    names = {p["original_name"] for p in photos if p["visit_id"] == visit_id}
    set_setting(one.profile, "server_login", "")  # logged out: nothing can be fetched
    built = build_report(one.profile, visit_id, kind="full", lang="en")
    assert built.pdf.startswith(b"%PDF")
    thumbs = [w for w in built.warnings if "printed from its thumbnail" in w]
    assert {n for n in names if any(n in w for w in thumbs)} == names
    assert not [w for w in built.warnings if "could not be printed" in w]
    assert all(oq.is_offloaded(one.profile.db, sha) for sha in removed)


def test_a_missing_thumbnail_is_made_before_the_original_goes(one):
    synced(one)
    shutil.rmtree(one.profile.root / "thumbs", ignore_errors=True)
    with client(one) as c:
        removed = free_space(one.profile, c).removed
    assert removed and all(thumb_path(one.profile.root, sha).is_file() for sha, _ in removed)


def test_without_a_place_for_thumbnails_every_original_stays(one):
    synced(one)
    shutil.rmtree(one.profile.root / "thumbs", ignore_errors=True)
    (one.profile.root / "thumbs").write_text("a file where the thumbnails' folder should be")
    before = sorted(p.name for p in one.profile.media_dir.rglob("*") if p.is_file())
    with client(one) as c:
        done = free_space(one.profile, c)
    assert done.held and done.removed == []
    assert len(done.failed) == len(done.held) and all("thumbnail" in line for line in done.failed)
    assert sorted(p.name for p in one.profile.media_dir.rglob("*") if p.is_file()) == before
    assert oq.offloaded(one.profile.db) == {}


def test_a_report_with_the_server_unreachable_prints_thumbnails_without_waiting_for_each(one):
    from app.reports import build_report

    synced(one)
    with client(one) as c:
        removed = {sha for sha, _ in free_space(one.profile, c).removed}
    visit_id = one.profile.db.execute("SELECT visit_id FROM evidence WHERE sha256 = ?",
                                      (sorted(removed)[0],)).fetchone()[0]
    dead_url = f"http://127.0.0.1:{free_port()}"
    set_setting(one.profile, "server_url", dead_url)
    credentials.save_token(dead_url, one.session.login, one.session.token)
    started = time.monotonic()
    built = build_report(one.profile, visit_id, kind="full", lang="en")
    assert time.monotonic() - started < 20
    assert [w for w in built.warnings if "printed from its thumbnail" in w]
    assert not [w for w in built.warnings if "could not be printed" in w]


def test_a_bundle_of_a_visit_with_offloaded_photos_fetches_them_or_says_why(one, tmp_path):
    from app.errors import FieldmarkError
    from app.sync.bundle_export import export_bundle

    synced(one)
    with client(one) as c:
        removed = {sha for sha, _ in free_space(one.profile, c).removed}
    visit_id = one.profile.db.execute("SELECT visit_id FROM evidence WHERE sha256 = ?",
                                      (sorted(removed)[0],)).fetchone()[0]
    held = {r["sha256"] for r in fetch_all(one.profile.db, "SELECT sha256 FROM evidence WHERE visit_id = ?",
                                           (visit_id,))} & removed
    login = one.session.login
    set_setting(one.profile, "server_login", "")
    with pytest.raises(FieldmarkError, match="kept on the server only"):
        export_bundle(one.profile, [visit_id], tmp_path / "a.fmbundle", recipient="team")
    assert not (tmp_path / "a.fmbundle").exists()
    set_setting(one.profile, "server_login", login)
    done = export_bundle(one.profile, [visit_id], tmp_path / "b.fmbundle", recipient="team")
    assert done.path.is_file() and all(here(one, sha) for sha in held)
    assert not any(oq.is_offloaded(one.profile.db, sha) for sha in held)


def test_a_blob_a_signature_names_keeps_its_file(one):
    synced(one)
    final = sorted(photos_by_status(one)["finalized"] - photos_by_status(one)["in_progress"])
    signed = final[0]
    visit_id = one.profile.db.execute("SELECT visit_id FROM evidence WHERE sha256 = ?", (signed,)).fetchone()[0]
    rev, device = one.profile.db.execute("SELECT rev, device_id FROM visits WHERE id = ?", (visit_id,)).fetchone()
    with one.profile.db.atomic():
        # A clean signature row naming the same bytes (a signature is its own image, never a photo
        # in practice; the rule is about the blob, whatever names it).
        one.profile.db.execute(
            "INSERT INTO signatures (id, visit_id, role, signer_name, sha256, signed_at, rev, device_id, dirty) "
            "VALUES ('sig-test', ?, 'unit_head', 'Head', ?, '2026-11-24T10:00:00Z', ?, ?, 0)",
            (visit_id, signed, rev, device))
    with client(one) as c:
        done = free_space(one.profile, c)
    assert signed not in {sha for sha, _ in done.removed} and here(one, signed)
    assert set(final) - {signed} <= {sha for sha, _ in done.removed}


def test_the_sync_command_says_what_the_setting_freed(one, capsys, monkeypatch):
    set_setting(one.profile, "photos_after_sync", "remove")
    monkeypatch.setattr(cli_sync, "RETRY", QUICK)
    one.profile.close()
    try:
        assert main(["sync", "--data-dir", str(one.root)]) == 0
        out = capsys.readouterr().out
    finally:
        one.profile = Profile.open(one.root)
    count = len(oq.offloaded(one.profile.db))
    assert count > 0
    assert f"{count} photo originals the server holds were removed from this laptop" in out
