"""Every reason a sync can end with has its own sentence in the status area, not the catch-all."""

from __future__ import annotations

import pytest

from app.cli_sync import EXIT_CODES
from ui.sync.words import reason_text

CATCH_ALL = "Sync did not finish."


@pytest.mark.parametrize("reason", sorted(set(EXIT_CODES) - {"failed"}))
def test_each_reason_is_said_in_its_own_words(qapp, reason):
    assert reason_text(reason, 1) != CATCH_ALL


def test_a_full_disk_says_what_to_do(qapp):
    assert reason_text("disk_full") == "This laptop's disk is full: free some space and sync again. Nothing is lost."


def test_photos_freed_after_a_sync_are_said_with_their_size(qapp):
    from app.sync.engine import SyncResult
    from ui.sync.words import result_details

    result = SyncResult()
    result.photos_offloaded, result.bytes_offloaded = 3, 5 * 1024 * 1024
    assert "Freed 5.0 MB: 3 photo original(s) are kept on the server only; thumbnails stay." in result_details(result)
    assert not any("Freed" in line for line in result_details(SyncResult()))
