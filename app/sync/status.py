"""What the desktop shows of sync, and the connection a background sync runs on.

The sync engine reads and writes the profile between network waits (``app.sync.engine``), so it
cannot run on the desktop's database thread without holding every save behind the network. It
runs on a second connection to the same database instead (WAL: the inspector's saves and the
engine's short transactions take turns), opened by ``open_for_sync``; the engine's guarantees
hold across connections, since a row is acknowledged only at the revision the receipt names.
"""

from __future__ import annotations

from dataclasses import dataclass

from app.hlc import Stamp, StampTooFarAhead
from app.profile import Profile
from app.settings import get_setting
from app.sync.release import Release, newer_release
from db.queries import meta
from db.queries import sync as sq


@dataclass(frozen=True)
class SyncOverview:
    pending_changes: int
    # The latest receipt: when the server took a push, and its sequence number there.
    last_receipt_at: str | None
    last_server_seq: int | None
    open_conflicts: int
    server_url: str
    login: str
    # The release the office offers, when newer than this Fieldmark (kept from the last sync).
    newer_release: Release | None = None


def sync_overview(profile: Profile) -> SyncOverview:
    receipt = sq.last_receipt(profile.db)
    return SyncOverview(
        pending_changes=sum(sq.pending_counts(profile.db).values()),
        last_receipt_at=receipt["pushed_at"] if receipt else None,
        last_server_seq=receipt["server_seq"] if receipt else None,
        open_conflicts=len(sq.open_conflicts(profile.db)),
        server_url=str(get_setting(profile, "server_url") or "").rstrip("/"),
        login=str(get_setting(profile, "server_login") or ""),
        newer_release=newer_release(profile))


def open_for_sync(profile: Profile) -> Profile:
    """A second handle on ``profile``'s database for a sync on another thread; close it after.

    Opened without the folder's lock (this process holds it already) and without migrating (the
    first open did): the same device id, the same files. Writes through it are the engine's.
    """
    return Profile.open(profile.root, read_only=True)


def follow_clock(profile: Profile) -> None:
    """Let ``profile``'s clock follow the revisions a sync on the other handle received, so the
    inspector's next edit sorts after them (the engine moved only that handle's clock)."""
    last = meta.get(profile.db, "hlc_last")
    if not last:
        return
    try:
        profile.clock.observe(Stamp.parse(last))
    except (StampTooFarAhead, ValueError):
        return
