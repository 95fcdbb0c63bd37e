"""The laptop's sync engine (app/sync/engine.py) against the live server, on SQLite with files and
on PostgreSQL with SeaweedFS: real demo profiles, real HTTP, faults cut into real requests."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from app.sync.engine import sync
from db.queries import sync as sq
from server.store.schema import sync_changesets, sync_rows
from tests.server.sync_support import QUICK, Faults, MemoryKeyring, laptop, use_keyring


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
    first = sync(one.profile, one.session, retry=QUICK)
    assert first.complete, (first.reason, first.message, first.rows_refused[:3], first.versions_refused[:3])
    assert first.blobs_uploaded > 0
    second = sync(one.profile, one.session, retry=QUICK)
    assert second.complete, second.message
    assert (second.rows_pushed, second.blobs_uploaded, second.bytes_uploaded) == (0, 0, 0)
    with server.engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(sync_changesets)).scalar_one() == len(first.receipts)
        assert conn.execute(select(func.count()).select_from(sync_rows)).scalar_one() == first.rows_acknowledged
