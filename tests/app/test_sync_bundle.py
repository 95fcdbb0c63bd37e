"""Offline bundles: a round trip, and a refusal (naming the entry) for every hostile zip."""

from __future__ import annotations

import base64
import hashlib
import io
import json
import stat
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from app.canonical import canonical_json
from app.sync import keys
from app.sync.bundle import (
    BLOB_PREFIX,
    MANIFEST,
    SIGNATURE,
    BundleSignature,
    read_bundle,
    write_bundle,
)
from app.sync.errors import (
    BlobMismatch,
    BundleError,
    BundleTooLarge,
    EntriesMismatch,
    InvalidManifest,
    NotABundle,
    SignatureInvalid,
    UnknownFormat,
    UnsafeEntry,
)
from app.sync.ids import response_key
from app.sync.protocol import Changeset
from app.sync.zipcheck import BundleLimits

DEVICE = "1c9e6a52-8f0b-4d3e-a1b7-2c5d9e8f0a13"
VISIT = "5b0c8f3e-2d7a-4c61-9a0e-7f1d2c3b4a51"
RUBRIC = "9f2c4e1a7b3d5e6f8a0b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c0d1e2f"
REV = f"001764000000000-000003-{DEVICE}"
PHOTO = b"\xff\xd8 a photo \xff\xd9" * 1000  # bigger than the manifest
SIGNATURE_IMAGE = b"PNG a signature"
KEY = keys.load_private_key(bytes(range(32)))


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def make_changeset(blobs: list[bytes]) -> Changeset:
    rows: list[dict[str, Any]] = [{
        "table": "responses", "key": response_key(VISIT, RUBRIC, "A.1.2"), "rev": REV, "base_rev": None,
        "values": {"visit_id": VISIT, "rubric_hash": RUBRIC, "item_code": "A.1.2", "value": "yes",
                   "note": "消毒记录齐全", "weight": 0.5},
    }]
    for n, data in enumerate(blobs):
        rows.append({"table": "evidence", "key": f"8d7c6b5a-4f3e-4d2c-9b1a-0f9e8d7c6b5{n}", "rev": REV,
                     "base_rev": None, "values": {"sha256": sha(data), "visit_id": VISIT, "size": len(data)}})
    return Changeset.model_validate({
        "changeset_id": "c4a1e2b3-5d6f-4a7b-8c9d-0e1f2a3b4c5d", "device_id": DEVICE, "device_seq": 3,
        "created_at": "2026-11-24T17:45:12.004+08:00", "rows": rows, "blobs": [sha(d) for d in blobs],
    })


def registered(device: str) -> keys.PublicKeyLike | None:
    return keys.public_key_text(KEY) if device == DEVICE else None


@pytest.fixture
def media(tmp_path: Path) -> dict[str, Path]:
    folder = tmp_path / "media"
    folder.mkdir()
    paths = {}
    for data in (PHOTO, SIGNATURE_IMAGE):
        path = folder / sha(data)
        path.write_bytes(data)
        paths[sha(data)] = path
    return paths


@pytest.fixture
def good(tmp_path: Path, media: dict[str, Path]) -> Path:
    out = tmp_path / "day.fmbundle"
    write_bundle(out, changeset=make_changeset([PHOTO, SIGNATURE_IMAGE]), blob_paths=media, private_key=KEY,
                 created_at="2026-11-24T17:50:00.000+08:00")
    return out


def entries(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as zf:
        return {name: zf.read(name) for name in zf.namelist()}


def rezip(path: Path, contents: dict[str, bytes], *, extra: Callable[[zipfile.ZipFile], None] | None = None) -> Path:
    """Write ``contents`` as a new zip at ``path`` (a hand-made hostile bundle)."""
    with zipfile.ZipFile(path, "w") as zf:
        for name, data in contents.items():
            zf.writestr(zipfile.ZipInfo(name), data)
        if extra:
            extra(zf)
    return path


def resign(contents: dict[str, bytes], manifest: dict[str, Any], key: Any = KEY) -> dict[str, bytes]:
    """Replace the manifest and sign it properly: the refusal must come from the later check."""
    body = canonical_json(manifest).encode()
    signature = BundleSignature(key_id=keys.key_id(key), signature=_b64(keys.sign(key, body)))
    return {**contents, MANIFEST: body, SIGNATURE: signature.model_dump_json().encode()}


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode()


def refused(path: Path | io.BytesIO, error: type[BundleError], *, entry: str | None = None,
            limits: BundleLimits | None = None) -> BundleError:
    with pytest.raises(error) as caught:
        read_bundle(path, public_key_for=registered, **({"limits": limits} if limits else {}))
    if entry is not None:
        assert caught.value.entry == entry
        assert entry in str(caught.value)
    return caught.value


# --- round trip ----------------------------------------------------------------------------------


def test_a_bundle_round_trips_with_every_blob(good: Path):
    changeset = make_changeset([PHOTO, SIGNATURE_IMAGE])
    with read_bundle(good, public_key_for=registered) as bundle:
        assert bundle.changeset == changeset
        assert bundle.manifest.device_id == DEVICE
        assert {b.sha256: b.size for b in bundle.manifest.blobs} == {sha(PHOTO): len(PHOTO),
                                                                       sha(SIGNATURE_IMAGE): len(SIGNATURE_IMAGE)}
        with bundle.open_blob(sha(PHOTO)) as stream:
            assert stream.read() == PHOTO
        with bundle.open_blob(sha(SIGNATURE_IMAGE)) as stream:
            chunks = iter(lambda: stream.read(4), b"")
            assert b"".join(chunks) == SIGNATURE_IMAGE
    assert sorted(entries(good)) == sorted([MANIFEST, SIGNATURE, BLOB_PREFIX + sha(PHOTO),
                                            BLOB_PREFIX + sha(SIGNATURE_IMAGE)])


def test_reading_twice_gives_the_same_changeset_and_the_same_digest(good: Path):
    # An import is idempotent through the changeset id and digest; both must be stable.
    digests = []
    for _ in range(2):
        with read_bundle(good.open("rb"), public_key_for=registered) as bundle:
            digests.append((bundle.changeset.changeset_id, bundle.changeset.digest()))
    assert digests[0] == digests[1]


def test_a_bundle_without_blobs_round_trips(tmp_path: Path):
    out = tmp_path / "empty.fmbundle"
    write_bundle(out, changeset=make_changeset([]), blob_paths={}, private_key=bytes(range(32)))
    with read_bundle(out, public_key_for=registered) as bundle:
        assert bundle.manifest.blobs == []


def test_the_manifest_is_canonical_json(good: Path):
    body = entries(good)[MANIFEST]
    assert canonical_json(json.loads(body)).encode() == body
    assert json.loads(body)["format"] == 1


def test_writing_refuses_a_damaged_media_file_and_leaves_no_file(tmp_path: Path, media: dict[str, Path]):
    media[sha(PHOTO)].write_bytes(b"X" * len(PHOTO))  # same size, other bytes
    out = tmp_path / "day.fmbundle"
    with pytest.raises(BlobMismatch):
        write_bundle(out, changeset=make_changeset([PHOTO]), blob_paths=media, private_key=KEY)
    assert list(tmp_path.glob("day.fmbundle*")) == []


def test_writing_refuses_a_blob_without_a_file(tmp_path: Path):
    with pytest.raises(BlobMismatch, match=sha(PHOTO)):
        write_bundle(tmp_path / "x.fmbundle", changeset=make_changeset([PHOTO]), blob_paths={}, private_key=KEY)


# --- the zip itself ------------------------------------------------------------------------------


def test_not_a_zip(tmp_path: Path):
    path = tmp_path / "x.fmbundle"
    path.write_bytes(b"PK this is not really a zip")
    refused(path, NotABundle)


@pytest.mark.parametrize(
    "name",
    ["../evil", "blobs/../../evil", "/etc/passwd", "\\windows\\evil", "C:/evil", "blobs\\..\\evil", "blobs//x", "./x"],
)
def test_unsafe_names_are_refused(good: Path, name: str):
    path = rezip(good, {**entries(good), name: b"x"})
    refused(path, UnsafeEntry, entry=name)


def test_a_symlink_is_refused(good: Path):
    contents = entries(good)
    target = BLOB_PREFIX + sha(PHOTO)
    link_bytes = contents.pop(target)
    assert link_bytes

    def add_link(zf: zipfile.ZipFile) -> None:
        info = zipfile.ZipInfo(target)
        info.create_system = 3
        info.external_attr = (stat.S_IFLNK | 0o777) << 16
        zf.writestr(info, "/etc/passwd")

    error = refused(rezip(good, contents, extra=add_link), UnsafeEntry, entry=target)
    assert "symbolic link" in str(error)


def test_a_directory_entry_is_refused(good: Path):
    refused(rezip(good, {**entries(good), "blobs/": b""}), UnsafeEntry, entry="blobs/")


def test_a_duplicate_name_is_refused(good: Path):
    contents = entries(good)

    def add_twin(zf: zipfile.ZipFile) -> None:
        with pytest.warns(UserWarning, match="Duplicate"):
            zf.writestr(zipfile.ZipInfo(MANIFEST), b"{}")

    refused(rezip(good, contents, extra=add_twin), UnsafeEntry, entry=MANIFEST)


def test_an_unknown_compression_is_refused(good: Path):
    contents = entries(good)
    name = BLOB_PREFIX + sha(PHOTO)
    data = contents.pop(name)

    def add_bzip2(zf: zipfile.ZipFile) -> None:
        info = zipfile.ZipInfo(name)
        info.compress_type = zipfile.ZIP_BZIP2
        zf.writestr(info, data)

    refused(rezip(good, contents, extra=add_bzip2), UnsafeEntry, entry=name)


# --- zip bombs -------------------------------------------------------------------------------


def deflated(path: Path, contents: dict[str, bytes], name: str, data: bytes) -> Path:
    def add(zf: zipfile.ZipFile) -> None:
        info = zipfile.ZipInfo(name)
        info.compress_type = zipfile.ZIP_DEFLATED
        zf.writestr(info, data)

    return rezip(path, contents, extra=add)


def test_a_zip_bomb_is_refused_by_its_compression_ratio(good: Path):
    path = deflated(good, entries(good), "blobs/bomb", bytes(4 * 1024 * 1024))
    error = refused(path, BundleTooLarge, entry="blobs/bomb")
    assert "to 1" in str(error)


def test_an_entry_over_the_size_limit_is_refused(good: Path):
    refused(good, BundleTooLarge, entry=BLOB_PREFIX + sha(PHOTO), limits=BundleLimits(max_entry_bytes=len(PHOTO) - 1))


def test_a_bundle_over_the_total_limit_is_refused(good: Path):
    total = sum(len(data) for data in entries(good).values())
    error = refused(good, BundleTooLarge, limits=BundleLimits(max_total_bytes=total - 1))
    assert "in all" in str(error)


def test_too_many_entries_are_refused(good: Path):
    refused(good, BundleTooLarge, limits=BundleLimits(max_entries=3))


def test_a_manifest_longer_than_its_cap_is_refused(good: Path):
    refused(good, BundleTooLarge, entry=MANIFEST, limits=BundleLimits(max_manifest_bytes=100))


def test_a_small_repetitive_entry_is_not_taken_for_a_bomb(good: Path):
    # A manifest of spaces compresses a thousandfold and is harmless under the ratio floor;
    # it is refused for what it is (not canonical), not as a bomb.
    contents = entries(good)
    contents.pop(MANIFEST)
    path = deflated(good, contents, MANIFEST, b"{" + b" " * 50_000 + b'"format": 1}')
    refused(path, InvalidManifest, entry=MANIFEST)


# --- manifest and entries --------------------------------------------------------------------------


def manifest_of(path: Path) -> dict[str, Any]:
    return json.loads(entries(path)[MANIFEST])


def test_a_missing_manifest_is_refused(good: Path):
    contents = entries(good)
    del contents[MANIFEST]
    refused(rezip(good, contents), EntriesMismatch, entry=MANIFEST)


def test_a_missing_blob_is_refused(good: Path):
    contents = entries(good)
    del contents[BLOB_PREFIX + sha(PHOTO)]
    refused(rezip(good, contents), EntriesMismatch, entry=BLOB_PREFIX + sha(PHOTO))


def test_an_extra_entry_is_refused(good: Path):
    contents = entries(good)
    stowaway = good.with_name("stowaway.fmbundle")
    refused(rezip(stowaway, {**contents, "blobs/" + "0" * 64: b"stowaway"}), EntriesMismatch,
            entry="blobs/" + "0" * 64)
    refused(rezip(good, {**contents, "readme.txt": b"hi"}), EntriesMismatch, entry="readme.txt")


@pytest.mark.parametrize("version", [2, 0, "1", None])
def test_an_unknown_format_is_refused(good: Path, version: Any):
    manifest = manifest_of(good)
    manifest["format"] = version
    refused(rezip(good, resign(entries(good), manifest)), UnknownFormat, entry=MANIFEST)


def test_a_manifest_that_is_not_json_is_refused(good: Path):
    refused(rezip(good, {**entries(good), MANIFEST: b"{not json"}), InvalidManifest, entry=MANIFEST)
    refused(rezip(good, {**entries(good), MANIFEST: b"[1]"}), InvalidManifest, entry=MANIFEST)


def test_a_manifest_not_in_canonical_form_is_refused(good: Path):
    pretty = json.dumps(manifest_of(good), indent=2).encode()
    refused(rezip(good, {**entries(good), MANIFEST: pretty}), InvalidManifest, entry=MANIFEST)


@pytest.mark.parametrize(
    ("change", "words"),
    [
        (lambda m: m["changeset"]["rows"][0].update(table="sync_receipts"), "rows.0.table"),
        (lambda m: m["changeset"].update(surprise=True), "Extra inputs"),
        (lambda m: m["changeset"]["rows"][0]["values"].update(item_code="Z.9"), "not the one its columns give"),
        (lambda m: m["changeset"].update(device_id="6a7b8c9d-0e1f-4a2b-9c3d-4e5f6a7b8c9d"), "another device"),
        (lambda m: m["blobs"].pop(), "not the ones the changeset refers to"),
    ],
)
def test_a_signed_manifest_whose_changeset_does_not_validate_is_refused(good: Path, change: Any, words: str):
    manifest = manifest_of(good)
    change(manifest)
    error = refused(rezip(good, resign(entries(good), manifest)), InvalidManifest, entry=MANIFEST)
    assert words in str(error)


# --- signatures ---------------------------------------------------------------------------------


def test_an_unsigned_bundle_is_refused(good: Path):
    contents = entries(good)
    del contents[SIGNATURE]
    refused(rezip(good, contents), SignatureInvalid, entry=SIGNATURE)


def test_a_tampered_manifest_fails_its_signature(good: Path):
    manifest = manifest_of(good)
    manifest["changeset"]["rows"][0]["values"]["value"] = "no"
    contents = {**entries(good), MANIFEST: canonical_json(manifest).encode()}
    error = refused(rezip(good, contents), SignatureInvalid, entry=SIGNATURE)
    assert "changed" in str(error)


def test_a_bundle_signed_by_another_key_is_refused(good: Path):
    contents = resign(entries(good), manifest_of(good), key=keys.generate_device_key())
    error = refused(rezip(good, contents), SignatureInvalid, entry=SIGNATURE)
    assert "not device" in str(error)


def test_a_key_id_that_lies_is_caught_by_the_signature(good: Path):
    # Someone else's signature filed under the registered key's id.
    body = entries(good)[MANIFEST]
    forged = BundleSignature(key_id=keys.key_id(KEY), signature=_b64(keys.sign(keys.generate_device_key(), body)))
    contents = {**entries(good), SIGNATURE: forged.model_dump_json().encode()}
    refused(rezip(good, contents), SignatureInvalid, entry=SIGNATURE)


def test_a_device_without_a_registered_key_is_refused(good: Path):
    with pytest.raises(SignatureInvalid, match="no registered key"):
        read_bundle(good, public_key_for=lambda device: None)


@pytest.mark.parametrize("body", [b"", b"{}", b'{"algorithm": "ed25519", "key_id": "x", "signature": "y"}',
                                  b'{"algorithm": "rsa", "key_id": "' + b"0" * 64 + b'", "signature": "'
                                  + b"A" * 86 + b'=="}'])
def test_a_malformed_signature_is_refused(good: Path, body: bytes):
    refused(rezip(good, {**entries(good), SIGNATURE: body}), SignatureInvalid, entry=SIGNATURE)


# --- blobs -----------------------------------------------------------------------------------


def test_a_blob_with_other_bytes_is_refused(good: Path):
    name = BLOB_PREFIX + sha(PHOTO)
    contents = {**entries(good), name: b"Y" * len(PHOTO)}
    error = refused(rezip(good, contents), BlobMismatch, entry=name)
    assert "SHA-256" in str(error)


def test_a_blob_of_another_size_is_refused(good: Path):
    name = BLOB_PREFIX + sha(PHOTO)
    error = refused(rezip(good, {**entries(good), name: PHOTO + b"!"}), BlobMismatch, entry=name)
    assert "the manifest says" in str(error)


def test_a_blob_changed_after_the_check_is_caught_while_streaming(good: Path):
    with read_bundle(good, public_key_for=registered) as bundle:
        name = BLOB_PREFIX + sha(PHOTO)
        # The file on the USB stick changes between the check and the import's read.
        stream = bundle.open_blob(sha(PHOTO))
        stream._stream = io.BytesIO(b"Z" * len(PHOTO))
        with pytest.raises(BlobMismatch) as caught, stream:
            while stream.read(1000):
                pass
        assert caught.value.entry == name


def test_every_refusal_is_a_fieldmark_error_with_a_code(good: Path):
    contents = entries(good)
    del contents[SIGNATURE]
    error = refused(rezip(good, contents), SignatureInvalid)
    assert error.code == "bundle_signature_invalid"
