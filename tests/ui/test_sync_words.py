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
