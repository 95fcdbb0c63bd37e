"""A photo changed at rest in the server's store: its download (GET /blobs/{sha}) stops short of
its Content-Length, a team-mate's laptop that fetches it keeps nothing (no file, no temporary
file) and its sync is not complete; once the store holds the original again, the next sync
fetches it whole. On files (SQLite runs) and on S3 (PostgreSQL runs)."""

from __future__ import annotations

import hashlib
from pathlib import Path

import httpx
import pytest

from app.evidence.store import blob_path
from app.sync.engine import sync
from db.queries import sync as sq
from server.store.blobs import FileBlobStore, S3BlobStore
from tests.server.conftest import blob_store_of
from tests.server.sync_support import QUICK, MemoryKeyring, add_photos, laptop, use_keyring
from tests.server.test_blobs_at_rest import damage
from tests.server.test_blobs_store import LIMIT


@pytest.fixture
def keychain():
    yield from use_keyring(MemoryKeyring())


def _store_of(server):
    store = blob_store_of(server.config)
    assert isinstance(store, FileBlobStore | S3BlobStore)
    return store


def test_a_download_of_a_blob_changed_at_rest_is_cut_and_the_laptop_keeps_nothing(
        server, demo_template: Path, tmp_path: Path, keychain) -> None:
    a = laptop(server, demo_template, tmp_path / "a", mirror=True)
    b = laptop(server, demo_template, tmp_path / "b")
    try:
        for machine in (a, b):
            assert sync(machine.profile, machine.session, retry=QUICK).complete
        [sha] = add_photos(a, 1)
        assert sync(a.profile, a.session, retry=QUICK).complete
        data = blob_path(a.profile.media_dir, sha).read_bytes()
        store = _store_of(server)
        try:
            damage(store, sha, data, len(data) // 3)
        finally:
            store.close()
        # The API: the download stops short of its Content-Length.
        with server.client(a.session.token) as client, pytest.raises(httpx.RemoteProtocolError):
            client.get(f"/api/v1/blobs/{sha}")
        # The team-mate's laptop pulls the photo's row and fetches its bytes: refused, nothing kept.
        fetched = sync(b.profile, b.session, retry=QUICK)
        assert not fetched.complete and fetched.blobs_fetched == 0, fetched
        assert sha in sq.live_blob_hashes(b.profile.db)
        target = blob_path(b.profile.media_dir, sha)
        assert not target.exists() and list(target.parent.glob(".fetch-*")) == []
        # The store holds the original again (the laptop that took it still has it): the
        # team-mate's next sync fetches it whole.
        store = _store_of(server)
        try:
            if isinstance(store, FileBlobStore):
                store.path(sha).unlink()
            else:
                store.client.delete_object(Bucket=store.bucket, Key=store.key(sha))
            store.put(sha, iter([data]), limit=LIMIT)
            assert hashlib.sha256(b"".join(store.iter_chunks(sha))).hexdigest() == sha
        finally:
            store.close()
        again = sync(b.profile, b.session, retry=QUICK)
        assert again.complete, (again.reason, again.message)
        assert target.read_bytes() == data
    finally:
        a.profile.close()
        b.profile.close()


def test_the_office_page_does_not_show_a_photo_changed_at_rest(server, demo_template: Path, tmp_path: Path,
                                                                keychain) -> None:
    a = laptop(server, demo_template, tmp_path / "a", mirror=True)
    try:
        [sha] = add_photos(a, 1)
        assert sync(a.profile, a.session, retry=QUICK).complete
        data = blob_path(a.profile.media_dir, sha).read_bytes()
        visit, evidence = a.profile.db.execute("SELECT visit_id, id FROM evidence WHERE sha256 = ?",
                                               (sha,)).fetchone()
    finally:
        a.profile.close()
    store = _store_of(server)
    try:
        # A byte in the middle of the picture: the file still decodes as a JPEG of the same size.
        damage(store, sha, data, len(data) - 100)
    finally:
        store.close()
    office = server.make_account("admin", None)
    with httpx.Client(base_url=server.url, cookies={"fm_session": office.token}) as client:
        answer = client.get(f"/visits/{visit}/photos/{evidence}.jpg?size=large")
    assert answer.status_code == 404, answer.status_code
    assert answer.headers["content-type"].startswith("text/html")


def test_a_sheet_made_on_the_server_leaves_out_a_photo_changed_at_rest(server, demo_template: Path, tmp_path: Path,
                                                                       keychain) -> None:
    """The server's sheets take photos from a copy of the visit as a laptop holds it (a hard link
    to a file store's file where it can): a file changed at rest is counted missing, not drawn."""
    from server.reports.held_profile import held_profile

    a = laptop(server, demo_template, tmp_path / "a", mirror=True)
    try:
        [sha] = add_photos(a, 1)
        assert sync(a.profile, a.session, retry=QUICK).complete
        data = blob_path(a.profile.media_dir, sha).read_bytes()
        visit = a.profile.db.execute("SELECT visit_id FROM evidence WHERE sha256 = ?", (sha,)).fetchone()[0]
    finally:
        a.profile.close()
    store = _store_of(server)
    try:
        with held_profile(server.engine, store, visit, folder=tmp_path / "held") as whole:
            assert sha not in whole.missing_blobs
        damage(store, sha, data, len(data) - 100)
        with held_profile(server.engine, store, visit, folder=tmp_path / "held") as held:
            assert sha in held.missing_blobs
            assert not blob_path(held.profile.media_dir, sha).exists()
    finally:
        store.close()


def test_the_bulletin_leaves_out_a_logo_changed_at_rest(server) -> None:
    from server.dashboard.bulletin import _logo

    logo = b"\x89PNG\r\n\x1a\n" + b"a logo's bytes " * 100
    sha = hashlib.sha256(logo).hexdigest()
    store = _store_of(server)
    try:
        store.put(sha, [logo], limit=LIMIT)
        assert _logo(store, sha) == logo
        damage(store, sha, logo, 40)
        assert _logo(store, sha) is None
    finally:
        store.close()
