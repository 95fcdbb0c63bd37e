"""A bundle with one byte changed, posted to the server and given to ``fieldmark-server bundle
import``: refused with a bundle error (422), nothing stored, no file left in the incoming folder.

The places are one of each part of the file (tests/app/test_sync_bundle_tamper.py goes through
every byte of a bundle), among them the three that once escaped the bundle checks as a server
error: a deflated manifest whose bytes no longer inflate, an end record whose offsets point
before the start of the file, and a directory naming a zip version no reader has.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable

import pytest

from app.sync.bundle import BLOB_PREFIX, MANIFEST, SIGNATURE
from app.sync.errors_body import ErrorBody
from tests.server.test_bundles import cli, incoming, laptop, post, store_state  # noqa: F401 - cli is a fixture


def _body_start(data: bytes, name: str) -> int:
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        info = zf.getinfo(name)
    header = info.header_offset
    return header + 30 + int.from_bytes(data[header + 26:header + 28], "little") \
        + int.from_bytes(data[header + 28:header + 30], "little")


def _end_record(data: bytes) -> int:
    return data.rindex(b"PK\x05\x06")


def _directory(data: bytes) -> int:
    end = _end_record(data)
    return int.from_bytes(data[end + 16:end + 20], "little")


def _first_blob(data: bytes) -> str:
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        return next(n for n in zf.namelist() if n.startswith(BLOB_PREFIX))


# name: (the byte to change, the mask)
PLACES: dict[str, tuple[Callable[[bytes], int], int]] = {
    "the manifest's deflated bytes": (lambda d: _body_start(d, MANIFEST) + 1, 0x01),
    "the signature's deflated bytes": (lambda d: _body_start(d, SIGNATURE) + 2, 0x10),
    "a blob's bytes": (lambda d: _body_start(d, _first_blob(d)) + 100, 0x01),
    "the name in a local header": (lambda d: 30, 0x01),
    "the directory's zip version": (lambda d: _directory(d) + 6, 0xFF),
    "the end record's directory offset": (lambda d: _end_record(d) + 18, 0x01),
}


@pytest.mark.parametrize("place", list(PLACES))
def test_a_bundle_with_one_byte_changed_is_refused_and_stores_nothing(server, tmp_path, cli, place):  # noqa: F811
    lap = laptop(server, tmp_path)
    change, blobs = lap.day(server)
    good = lap.bundle(tmp_path / "day.fmbundle", change, blobs)
    data = bytearray(good.read_bytes())
    where, mask = PLACES[place]
    data[where(bytes(data))] ^= mask
    damaged = tmp_path / "damaged.fmbundle"
    damaged.write_bytes(bytes(data))
    before = store_state(server)
    answer = post(server, lap.token, bytes(data))
    assert answer.status_code == 422, answer.text
    body = ErrorBody.model_validate(answer.json())
    assert body.code.startswith("bundle_"), body
    status, out, err = cli(damaged)
    assert (status, out) == (1, "") and err.startswith("fieldmark-server: "), err
    assert store_state(server) == before
    assert incoming(server) == []
    # The good bundle still imports: the refusal was the damage's, not the laptop's.
    assert post(server, lap.token, good.read_bytes()).status_code == 200
