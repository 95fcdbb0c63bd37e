"""Offline bundles between laptops (app.sync.bundle_export, app.sync.bundle_import, fieldmark bundle):
real profiles, copies of the demo profile, as if both had synced with the office before the day
without network. A bundle is signed with the device key from the keychain, its sender's key is
trusted on first use once the person accepts it, and every refusal names its entry and stores
nothing."""

from __future__ import annotations

import json
import random
import zipfile
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey

from app import credentials
from app.cli import main
from app.demo import sample_value
from app.demo_photos import PHONE, demo_jpeg
from app.evidence import import_bytes
from app.evidence.store import blob_path
from app.profile import Profile
from app.rubric_store import get_rubric
from app.sync import keys, sealed
from app.sync.bundle import BLOB_PREFIX, MANIFEST, SIGNATURE
from app.sync.bundle_export import KEY_COMMENT, NoDeviceKey, export_bundle, fingerprint
from app.sync.bundle_import import SealedForOffice, UntrustedDevice, import_bundle
from app.sync.errors import BlobMismatch, BundleError, SignatureInvalid
from app.visits import answer_item, get_visit
from db.codes import SYNCED_TABLES
from db.rows import fetch_all
from tests.app.test_sync_bundle import entries, resign
from tests.server.finalized_support import build_demo_profile, copy_profile, in_progress_visit
from tests.server.sync_support import MemoryKeyring, use_keyring


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_demo_profile(tmp_path_factory.mktemp("demo") / "profile")


@pytest.fixture
def keychain() -> Iterator[MemoryKeyring]:
    yield from use_keyring(MemoryKeyring())  # type: ignore[misc]


def synced_copy(template: Path, root: Path) -> Profile:
    """A copy of the demo laptop as it stands after a sync: every row clean at its revision."""
    profile = copy_profile(template, root)
    with profile.db.atomic():
        for table in SYNCED_TABLES:
            profile.db.execute(f"UPDATE {table} SET dirty = 0, base_rev = rev")
    return profile


@pytest.fixture
def pair(template: Path, tmp_path: Path, keychain: MemoryKeyring) -> Iterator[tuple[Profile, Profile, Ed25519PrivateKey]]:
    a = synced_copy(template, tmp_path / "a")
    b = synced_copy(template, tmp_path / "b")
    key = Ed25519PrivateKey.generate()
    credentials.save_device_key(a.device_id, keys.private_key_bytes(key))
    try:
        yield a, b, key
    finally:
        a.close()
        b.close()


def edit_answer(profile: Profile, visit_id: str, avoid: Any = None) -> str:
    """Answer the visit's first item with a value other than the one it holds and ``avoid``;
    the response row's id."""
    rubric_hash = get_visit(profile, visit_id).rubric_hashes[0]
    item = next(iter(get_rubric(profile, rubric_hash).items.values()))
    held = profile.db.execute("SELECT id, value FROM responses WHERE visit_id = ? AND rubric_hash = ? AND "
                              "item_code = ?", (visit_id, rubric_hash, item.code)).fetchone()
    rnd = random.Random(5)
    value = sample_value(item, rnd, 0.5)
    while json.dumps(value) in (held[1] if held else None, json.dumps(avoid)) or value == avoid:
        value = sample_value(item, rnd, 0.5)
    answer_item(profile, visit_id, rubric_hash=rubric_hash, item_code=item.code, value=value,
                evidence_methods=list(item.evidence) or ["site"], reason="现场复查后更正。")
    return str(profile.db.execute("SELECT id FROM responses WHERE visit_id = ? AND rubric_hash = ? AND "
                                  "item_code = ?", (visit_id, rubric_hash, item.code)).fetchone()[0])


def day_of_work(profile: Profile) -> tuple[str, str]:
    """An answer changed and a photo taken on the laptop's first visit in progress."""
    visit_id = in_progress_visit(profile)
    edit_answer(profile, visit_id)
    data = demo_jpeg("gate", random.Random(11), taken=datetime(2026, 11, 24, 10, 5), camera=PHONE,
                     place=(32.54, 111.51))
    summary = import_bytes(profile, data, "IMG_0042.jpg", visit_id=visit_id)
    sha = profile.db.execute("SELECT sha256 FROM evidence WHERE id = ?",
                             (summary.imported[0].evidence_id,)).fetchone()[0]
    return visit_id, sha


def state(profile: Profile) -> dict[str, Any]:
    """Everything an import could change: the synced rows, conflicts, templates, meta, media."""
    found: dict[str, Any] = {t: fetch_all(profile.db, f"SELECT * FROM {t} ORDER BY id") for t in SYNCED_TABLES}
    found["sync_conflicts"] = fetch_all(profile.db, "SELECT * FROM sync_conflicts ORDER BY id")
    found["rubric_templates"] = fetch_all(profile.db, "SELECT hash FROM rubric_templates ORDER BY hash")
    found["meta"] = fetch_all(profile.db, "SELECT * FROM meta ORDER BY key")
    found["media"] = sorted(p.name for p in profile.media_dir.rglob("*") if p.is_file())
    return found


def dirty(profile: Profile) -> dict[str, int]:
    return {t: profile.db.execute(f"SELECT count(*) FROM {t} WHERE dirty = 1").fetchone()[0] for t in SYNCED_TABLES}


# --- round trip ----------------------------------------------------------------------------------


def test_a_team_bundle_carries_a_visit_to_a_team_mate_once(pair, tmp_path):
    a, b, key = pair
    visit_id, sha = day_of_work(a)
    dirty_before = dirty(a)
    out = tmp_path / "day.fmbundle"
    done = export_bundle(a, [visit_id], out, recipient="team")
    assert done.blobs >= 1 and done.rows > 0
    assert dirty(a) == dirty_before  # only a receipt clears a dirty flag
    with zipfile.ZipFile(out) as zf:
        assert zf.comment == KEY_COMMENT + keys.public_key_text(key).encode()

    before = state(b)
    with pytest.raises(UntrustedDevice) as caught:
        import_bundle(b, out)
    assert a.device_id in str(caught.value) and fingerprint(keys.key_id(key)) in str(caught.value)
    assert caught.value.entry == SIGNATURE
    assert state(b) == before

    imported = import_bundle(b, out, trust=True)
    assert imported.new and imported.trusted_now and imported.conflicts == 0 and not imported.rows_skipped
    assert imported.rows_applied >= 2 and imported.blobs_stored >= 1
    assert blob_path(b.media_dir, sha).read_bytes() == blob_path(a.media_dir, sha).read_bytes()
    for table in ("responses", "evidence", "evidence_captions"):
        mine = fetch_all(a.db, f"SELECT * FROM {table} WHERE visit_id = ? ORDER BY id", (visit_id,))
        theirs = fetch_all(b.db, f"SELECT * FROM {table} WHERE visit_id = ? ORDER BY id", (visit_id,))
        strip = ("dirty", "base_rev")
        assert [{k: v for k, v in r.items() if k not in strip} for r in theirs] == \
            [{k: v for k, v in r.items() if k not in strip} for r in mine]
    # Received, not B's to push: A (or the office's import of A's bundle) brings it to the server.
    assert sum(dirty(b).values()) == 0

    after = state(b)
    again = import_bundle(b, out)
    assert not again.new and state(b) == after


def test_a_local_edit_meeting_the_bundle_is_kept_as_a_conflict(pair, tmp_path):
    a, b, _ = pair
    visit_id, _ = day_of_work(a)
    out = export_bundle(a, [visit_id], tmp_path / "day.fmbundle", recipient="team").path
    row = fetch_all(a.db, "SELECT * FROM responses WHERE visit_id = ? AND dirty = 1", (visit_id,))[0]
    edit_answer(b, visit_id, avoid=json.loads(row["value"]) if row["value"] else None)
    mine = fetch_all(b.db, "SELECT * FROM responses WHERE id = ?", (row["id"],))[0]
    imported = import_bundle(b, out, trust=True)
    assert imported.conflicts == 1
    assert fetch_all(b.db, "SELECT * FROM responses WHERE id = ?", (row["id"],))[0] == mine
    conflict = fetch_all(b.db, "SELECT * FROM sync_conflicts WHERE row_key = ?", (row["id"],))
    assert len(conflict) == 1 and json.loads(conflict[0]["incoming"])["rev"] == row["rev"]


def test_a_trusted_device_signing_with_another_key_is_refused(pair, tmp_path, keychain):
    a, b, _ = pair
    visit_id, _ = day_of_work(a)
    first = export_bundle(a, [visit_id], tmp_path / "one.fmbundle", recipient="team").path
    import_bundle(b, first, trust=True)
    credentials.save_device_key(a.device_id, keys.private_key_bytes(Ed25519PrivateKey.generate()))
    second = export_bundle(a, [visit_id], tmp_path / "two.fmbundle", recipient="team").path
    before = state(b)
    with pytest.raises(SignatureInvalid) as caught:
        import_bundle(b, second, trust=True)
    assert caught.value.entry == SIGNATURE and "not device" in str(caught.value)
    assert state(b) == before


# --- refusals -------------------------------------------------------------------------------------


def rewritten(source: Path, target: Path, contents: dict[str, bytes]) -> Path:
    """``contents`` zipped at ``target`` with the comment (the sender's key) of ``source``."""
    with zipfile.ZipFile(source) as zf:
        comment = zf.comment
    with zipfile.ZipFile(target, "w") as zf:
        for name, data in contents.items():
            zf.writestr(zipfile.ZipInfo(name), data)
        zf.comment = comment
    return target


def _unsigned(contents: dict[str, bytes], _key: Any, _sha: str) -> dict[str, bytes]:
    return {k: v for k, v in contents.items() if k != SIGNATURE}


def _manifest_changed(contents: dict[str, bytes], _key: Any, _sha: str) -> dict[str, bytes]:
    return {**contents, MANIFEST: contents[MANIFEST].replace(b'"format":1', b'"format":1 ', 1)}


def _manifest_resigned_elsewhere(contents: dict[str, bytes], _key: Any, _sha: str) -> dict[str, bytes]:
    manifest = json.loads(contents[MANIFEST])
    manifest["created_at"] = "2026-11-25T08:00:00.000+08:00"
    return resign(contents, manifest, Ed25519PrivateKey.generate())


def _blob_changed(contents: dict[str, bytes], _key: Any, sha: str) -> dict[str, bytes]:
    name = BLOB_PREFIX + sha
    data = bytearray(contents[name])
    data[-1] ^= 0x01
    return {**contents, name: bytes(data)}


@pytest.mark.parametrize(("change", "error", "entry"), [
    (_unsigned, SignatureInvalid, SIGNATURE),
    (_manifest_changed, BundleError, MANIFEST),
    (_manifest_resigned_elsewhere, SignatureInvalid, SIGNATURE),
    (_blob_changed, BlobMismatch, "blob"),
])
def test_a_damaged_bundle_is_refused_naming_the_entry_and_nothing_is_stored(pair, tmp_path, change, error, entry):
    a, b, key = pair
    visit_id, sha = day_of_work(a)
    good = export_bundle(a, [visit_id], tmp_path / "good.fmbundle", recipient="team").path
    bad = rewritten(good, tmp_path / "bad.fmbundle", change(entries(good), key, sha))
    before = state(b)
    with pytest.raises(error) as caught:
        import_bundle(b, bad, trust=True)
    assert caught.value.entry == (BLOB_PREFIX + sha if entry == "blob" else entry)
    assert str(caught.value.entry) in str(caught.value)
    assert state(b) == before


def test_a_bundle_sealed_for_the_office_is_refused_on_a_laptop(pair, tmp_path):
    a, b, _ = pair
    visit_id, _ = day_of_work(a)
    office = X25519PrivateKey.generate().public_key()
    out = export_bundle(a, [visit_id], tmp_path / "office.fmbundle", office_key=office).path
    before = state(b)
    with pytest.raises(SealedForOffice) as caught:
        import_bundle(b, out, trust=True)
    assert "sealed for the office" in str(caught.value)
    assert state(b) == before


def test_without_a_device_key_export_says_to_log_in_once(pair, tmp_path, keychain):
    a, _, _ = pair
    keychain.secrets.clear()
    with pytest.raises(NoDeviceKey, match="log in once"):
        export_bundle(a, [in_progress_visit(a)], tmp_path / "x.fmbundle", recipient="team")
    assert not (tmp_path / "x.fmbundle").exists()


# --- the command line ------------------------------------------------------------------------------


def test_the_command_line_exports_and_imports(pair, tmp_path, capsys):
    a, b, key = pair
    visit_id, _ = day_of_work(a)
    a_root, b_root = a.root, b.root
    a.close()
    b.close()
    out = tmp_path / "day.fmbundle"
    assert main(["bundle", "export", visit_id, "--out", str(out), "--for", "team", "--data-dir", str(a_root)]) == 0
    assert "for the team" in capsys.readouterr().out
    assert main(["bundle", "key", "--data-dir", str(a_root)]) == 0
    assert fingerprint(keys.key_id(key)) in capsys.readouterr().out
    assert main(["bundle", "import", str(out), "--data-dir", str(b_root)]) == 1
    assert "--trust" in capsys.readouterr().err
    assert main(["bundle", "import", str(out), "--trust", "--data-dir", str(b_root)]) == 0
    assert "imported changeset" in capsys.readouterr().out
    assert main(["bundle", "import", str(out), "--data-dir", str(b_root)]) == 0
    assert "already imported" in capsys.readouterr().out


# --- the seal -------------------------------------------------------------------------------------


def _chunks(path: Path) -> tuple[bytes, list[bytes]]:
    data = path.read_bytes()
    header, body = data[:sealed.HEADER_BYTES], data[sealed.HEADER_BYTES:]
    size = sealed.CHUNK + sealed.TAG_BYTES
    return header, [body[i:i + size] for i in range(0, len(body), size)]


@pytest.mark.parametrize("damage", ["swapped", "last dropped", "first repeated"])
def test_a_seal_of_several_chunks_opens_only_whole_and_in_order(tmp_path, damage):
    office = X25519PrivateKey.generate()
    plain = tmp_path / "plain"
    plain.write_bytes(bytes(range(256)) * (sealed.CHUNK // 256 * 2 + 100))  # three chunks
    box = tmp_path / "sealed"
    sealed.seal(plain, box, office.public_key())
    opened = tmp_path / "opened"
    sealed.open_sealed(box, opened, office)
    assert opened.read_bytes() == plain.read_bytes()

    header, chunks = _chunks(box)
    assert len(chunks) == 3
    changed = {"swapped": [chunks[1], chunks[0], chunks[2]], "last dropped": chunks[:2],
               "first repeated": [chunks[0], *chunks]}[damage]
    box.write_bytes(header + b"".join(changed))
    with pytest.raises(sealed.SealInvalid) as caught:
        sealed.open_sealed(box, opened, office)
    assert caught.value.entry is not None and caught.value.entry.startswith("(sealed chunk")
    assert not opened.exists()
    with pytest.raises(sealed.SealInvalid, match="another key") as other:
        sealed.open_sealed(box, opened, X25519PrivateKey.generate())
    assert other.value.entry == sealed.HEADER_ENTRY
