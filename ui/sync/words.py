"""Sync's reasons and progress in the inspector's words (both languages, through Qt translation).

The engine's ``reason`` codes and its English ``message`` are for logs and the command line; the
status area says what happened and what to do, and keeps the server's own words as detail.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication

if TYPE_CHECKING:
    from app.sync.engine import Progress, SyncResult


def reason_text(reason: str, open_conflicts: int = 0) -> str:
    """One short sentence for the status area: what stopped the sync and what to do."""
    if reason == "offline":
        return QCoreApplication.translate(
            "SyncWords", "Offline: the server cannot be reached. Your work is kept; sync again later.")
    if reason == "authentication":
        return QCoreApplication.translate(
            "SyncWords", "Not logged in, or the login expired: log in again. Nothing is lost.")
    if reason == "conflicts":
        return QCoreApplication.translate(
            "SyncWords", "%n conflict(s) wait for your choice; both versions are kept.", None, open_conflicts)
    if reason == "protocol":
        return QCoreApplication.translate(
            "SyncWords", "The server and this Fieldmark do not speak the same version: please update Fieldmark.")
    if reason == "server_error":
        return QCoreApplication.translate(
            "SyncWords", "The server had an error and did not finish; try again later.")
    if reason in ("not_acknowledged", "refused"):
        return QCoreApplication.translate(
            "SyncWords", "The server did not accept everything; point at this line for its reasons.")
    if reason == "disk_full":
        return QCoreApplication.translate(
            "SyncWords", "This laptop's disk is full: free some space and sync again. Nothing is lost.")
    if reason == "cancelled":
        return QCoreApplication.translate(
            "SyncWords", "Sync cancelled. What was sent is kept; the next sync carries on.")
    return QCoreApplication.translate("SyncWords", "Sync did not finish.")


def _size(n: int) -> str:
    if n >= 1024 * 1024:
        return QCoreApplication.translate("SyncWords", "{n} MB").format(n=f"{n / (1024 * 1024):.1f}")
    if n >= 1024:
        return QCoreApplication.translate("SyncWords", "{n} KB").format(n=f"{n / 1024:.0f}")
    return QCoreApplication.translate("SyncWords", "{n} bytes").format(n=n)


def progress_text(progress: Progress) -> str:
    """The step the sync is at, with its counts: "Sending photos 2 of 5 (1.2 MB of 3.4 MB)"."""
    phase, done, total = progress.phase, progress.items_done, progress.items_total
    if phase == "register":
        return QCoreApplication.translate("SyncWords", "Registering this laptop…")
    if phase == "blobs":
        return QCoreApplication.translate("SyncWords", "Sending photos {done} of {total} ({sent} of {size})").format(
            done=min(done + 1, total), total=total, sent=_size(progress.bytes_done), size=_size(progress.bytes_total))
    if phase == "push":
        rows = done or total
        if not rows:
            return QCoreApplication.translate("SyncWords", "Sending changes…")
        return QCoreApplication.translate("SyncWords", "Sending %n change(s)…", None, rows)
    if phase == "pull":
        return QCoreApplication.translate("SyncWords", "Receiving the team's work: %n item(s)…", None, done)
    if phase == "fetch":
        return QCoreApplication.translate("SyncWords", "Receiving photos {done} of {total} ({size})").format(
            done=done, total=total, size=_size(progress.bytes_done))
    return QCoreApplication.translate("SyncWords", "Syncing…")


def result_details(result: SyncResult) -> list[str]:
    """The lines behind a sync's outcome, for the status area's tooltip."""
    # Plain names for the counts: lupdate finds a plural only when its count is a name.
    rows, photos, items = result.rows_pushed, result.blobs_uploaded, result.items_pulled
    lines = [QCoreApplication.translate("SyncWords", "Sent %n change(s)", None, rows) + ", "
             + QCoreApplication.translate("SyncWords", "%n photo(s)", None, photos) + "; "
             + QCoreApplication.translate("SyncWords", "received %n item(s)", None, items) + "."]
    if result.message and result.reason not in (None, "conflicts", "cancelled"):
        lines.append(QCoreApplication.translate("SyncWords", "The server said: {message}").format(
            message=result.message))
    lines += [QCoreApplication.translate("SyncWords", "Not stored here: {what}").format(what=w)
              for w in result.rows_skipped[:5]]
    unavailable, unsent, local = len(result.blobs_unavailable), len(result.versions_unsent), result.local_only
    if unavailable:
        lines.append(QCoreApplication.translate(
            "SyncWords", "%n photo(s) of the team could not be fetched; the next sync tries again.", None,
            unavailable))
    if unsent:
        lines.append(QCoreApplication.translate(
            "SyncWords", "%n amended visit(s) cannot be sent: the version they replace was never synced.", None,
            unsent))
    if local:
        lines.append(QCoreApplication.translate(
            "SyncWords", "%n row(s) of the office's lists made here stay on this laptop.", None, local))
    freed = result.photos_offloaded
    if freed:
        lines.append(QCoreApplication.translate(
            "SyncWords", "Freed {size}: %n photo original(s) are kept on the server only; thumbnails stay.", None,
            freed).format(size=_size(result.bytes_offloaded)))
    return lines
