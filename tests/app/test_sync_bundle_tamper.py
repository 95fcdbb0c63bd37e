"""A tampered bundle is always detected: one byte changed anywhere in the file, in any of its
parts (the zip's local headers, the manifest, the signature, a blob's bytes, the central
directory, the end record), and reading it either fails with a bundle error (a FieldmarkError
with a code that names what is wrong) or gives exactly the changeset and bytes that were
signed, never anything else. In a blob's bytes every change is refused. A bundle sealed for
the office is refused for a change at any byte.

Reading is the first thing every import does (the laptop's and the server's), so a refusal
here means nothing is imported; tests/server/test_bundles.py and test_sync_bundle_laptop.py
check that the stores are unchanged after such refusals.
"""

from __future__ import annotations

import collections
import io
import zipfile
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey

from app.errors import FieldmarkError
from app.sync import sealed
from app.sync.bundle import BLOB_PREFIX, MANIFEST, SIGNATURE, read_bundle, write_bundle
from app.sync.errors import BundleError
from tests.app.test_sync_bundle import KEY, PHOTO, SIGNATURE_IMAGE, make_changeset, registered, sha

# Every byte of headers and small members; a blob's bytes at this stride (and its first and last).
BLOB_STRIDE = 61


def _bundle(tmp_path: Path) -> bytes:
    media = tmp_path / "media"
    media.mkdir()
    paths = {}
    for data in (PHOTO, SIGNATURE_IMAGE):
        paths[sha(data)] = media / sha(data)
        paths[sha(data)].write_bytes(data)
    out = tmp_path / "day.fmbundle"
    write_bundle(out, changeset=make_changeset([PHOTO, SIGNATURE_IMAGE]), blob_paths=paths, private_key=KEY,
                 created_at="2026-11-24T17:50:00.000+08:00")
    return out.read_bytes()


def _parts(data: bytes) -> dict[int, str]:
    """The part of the bundle each byte belongs to."""
    where: dict[int, str] = {}
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        for info in zf.infolist():
            name_length = len(info.filename.encode())
            extra_length = int.from_bytes(data[info.header_offset + 28:info.header_offset + 30], "little")
            body = info.header_offset + 30 + name_length + extra_length
            kind = ("manifest" if info.filename == MANIFEST else "signature" if info.filename == SIGNATURE
                    else "blob" if info.filename.startswith(BLOB_PREFIX) else "other")
            where.update(dict.fromkeys(range(info.header_offset, body), "local header"))
            where.update(dict.fromkeys(range(body, body + info.compress_size), kind))
        directory = zf.start_dir  # type: ignore[attr-defined]
    end = data.rindex(b"PK\x05\x06")
    where.update(dict.fromkeys(range(directory, end), "central directory"))
    where.update(dict.fromkeys(range(end, len(data)), "end record"))
    return where


def _read(data: bytes) -> tuple[str, bytes, bytes]:
    with read_bundle(io.BytesIO(data), public_key_for=registered) as bundle:
        with bundle.open_blob(sha(PHOTO)) as photo, bundle.open_blob(sha(SIGNATURE_IMAGE)) as image:
            return bundle.changeset.model_dump_json(), photo.read(), image.read()


def _positions(parts: dict[int, str]) -> list[int]:
    blob = sorted(p for p, kind in parts.items() if kind == "blob")
    sampled = set(blob[::BLOB_STRIDE]) | {blob[0], blob[-1]}
    return sorted(p for p, kind in parts.items() if kind != "blob" or p in sampled)


# A blob is stored as it is: any change to its bytes is a change to what was signed. The manifest
# and the signature are deflated, and a few bits of a deflate stream do not change what it
# inflates to (the data read is then the very bytes signed, which is what matters).
STORED = ("blob",)


@pytest.mark.parametrize("mask", [0x01, 0xFF], ids=["one bit", "whole byte"])
def test_one_byte_changed_anywhere_is_refused_or_changes_nothing(tmp_path, mask):
    data = _bundle(tmp_path)
    parts = _parts(data)
    assert set(parts.values()) == {"local header", "manifest", "signature", "blob", "central directory",
                                   "end record"}
    assert len(parts) == len(data)
    original = _read(data)
    outcome: collections.Counter[tuple[str, str]] = collections.Counter()
    wrong = []
    for position in _positions(parts):
        changed = bytearray(data)
        changed[position] ^= mask
        kind = parts[position]
        try:
            got = _read(bytes(changed))
        except BundleError as exc:
            assert isinstance(exc, FieldmarkError) and exc.code.startswith("bundle_"), exc
            outcome[kind, exc.code] += 1
            continue
        except Exception as exc:  # noqa: BLE001 - any other exception is what this test looks for
            wrong.append(f"byte {position} ({kind}): {type(exc).__name__}: {exc}")
            continue
        if got != original or kind in STORED:
            wrong.append(f"byte {position} ({kind}): read as {'other' if got != original else 'the same'} data")
        outcome[kind, "same data"] += 1
    print(f"\n{sum(outcome.values())} bundles of {len(data)} bytes, one byte changed (mask {mask:#04x}):")
    for (kind, result), count in sorted(outcome.items()):
        print(f"  {kind:<18} {result:<28} {count}")
    assert wrong == [], "\n".join(wrong[:20])
    assert all(outcome[kind, "same data"] == 0 for kind in STORED)


def test_one_byte_changed_anywhere_in_a_sealed_bundle_is_refused_and_leaves_nothing(tmp_path):
    office = X25519PrivateKey.generate()
    plain = tmp_path / "day.fmbundle"
    plain.write_bytes(_bundle(tmp_path))
    sealed_path = tmp_path / "day.sealed"
    sealed.seal(plain, sealed_path, office.public_key())
    data = sealed_path.read_bytes()
    out = tmp_path / "opened.fmbundle"
    sealed.open_sealed(sealed_path, out, office)
    assert out.read_bytes() == plain.read_bytes()
    out.unlink()
    refused: collections.Counter[str] = collections.Counter()
    for position in range(0, len(data), 7):
        changed = bytearray(data)
        changed[position] ^= 0x01
        damaged = tmp_path / "damaged.sealed"
        damaged.write_bytes(bytes(changed))
        with pytest.raises(sealed.SealInvalid):
            sealed.open_sealed(damaged, out, office)
        assert not out.exists(), position
        refused["header" if position < sealed.HEADER_BYTES else "chunk"] += 1
    assert list(tmp_path.glob("opened*")) == []
    print(f"\nsealed bundle of {len(data)} bytes: one bit changed at {sum(refused.values())} places, "
          f"all refused: {dict(refused)}")
