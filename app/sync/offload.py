"""Freeing space: remove photo originals the server holds, and fetch them back on demand.

Photos stay on the laptop after a sync unless the inspector chooses otherwise: the setting
``photos_after_sync`` = "remove" (run at the end of every sync), or the one-off "Free up space…"
(``fieldmark evidence free-space``). A file goes only when

- every row naming its blob is a photo (signatures keep theirs; the office logo is a setting's
  file outside the media folder and is never touched), of a finalized or amended visit, and
  neither that row nor its visit waits for a server's acknowledgement (``db.queries.offload``);
- the server says it holds the blob (``POST /blobs/missing`` leaves it out), asked just before.

What went is recorded in ``offloaded_blobs`` first, then the file is deleted, so a crash between
the two leaves a row whose file is still there (a present file always wins: nothing is fetched
and verify checks it as usual). Thumbnails and the viewer's previews (``thumbs/``) and the PDF
renditions (``pdfcache/``) stay, so a visit still shows its photos. ``recall`` brings an
original back: downloaded, checked against its SHA-256 before it is kept, then forgotten here.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from app import credentials
from app.evidence.errors import BadPhoto
from app.evidence.store import blob_path
from app.evidence.thumbnails import ensure_thumbnail, thumb_path
from app.profile import Profile, utc_now
from app.settings import get_setting
from app.sync.client import Client, Offline, Retry, SyncError, Unauthenticated
from app.sync.protocol import MAX_HASHES_PER_QUERY
from db.queries import offload as oq

ON_SERVER = "this photo is kept on the server; sync or log in to see it"
# Fetching on demand runs while a person waits (the viewer, a print): one quick retry, and a
# black-holed network gives up in seconds rather than the sync's minutes.
ON_DEMAND = Retry(attempts=2, first_wait=0.5, longest_wait=0.5, timeout=10.0)


class PhotoOnServer(BadPhoto):
    """An offloaded original that could not be fetched back now; its thumbnail still shows."""


class NotLoggedIn(SyncError):
    reason = "authentication"


@dataclass
class FreeSpace:
    """What a free-space run found and did (``removed`` stays empty in a dry run)."""

    candidates: int = 0  # photos the rules allow to go, whose file is here
    held: list[tuple[str, int]] = field(default_factory=list)  # (sha, bytes) the server holds
    server_lacks: list[str] = field(default_factory=list)  # kept: the server does not hold them
    removed: list[tuple[str, int]] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)  # could not be deleted, in words; kept

    @property
    def bytes_held(self) -> int:
        return sum(size for _, size in self.held)

    @property
    def bytes_removed(self) -> int:
        return sum(size for _, size in self.removed)


def wants_removal(profile: Profile) -> bool:
    return get_setting(profile, "photos_after_sync") == "remove"


def client_for(profile: Profile, *, retry: Retry | None = None,
               transport: httpx.BaseTransport | None = None) -> Client:
    """A client of the server this profile is logged in to, its token from the keychain."""
    server = str(get_setting(profile, "server_url") or "").rstrip("/")
    name = str(get_setting(profile, "server_login") or "")
    if not server or not name:
        raise NotLoggedIn("not logged in to a server: log in (Sync → Log in to the server…, or "
                          "`fieldmark login`) first")
    try:
        token = credentials.load_token(server, name)
    except credentials.NoKeychain as exc:
        raise NotLoggedIn(f"{exc}; sync once to use the server") from exc
    if token is None:
        raise NotLoggedIn(f"no login for {name} on {server} in the keychain: log in again")
    return Client(server, token, retry=retry, transport=transport)


def _candidates(profile: Profile) -> list[tuple[str, int]]:
    """Removable blobs whose file is here, with their size (a missing file frees nothing)."""
    found = []
    for row in oq.removable_photos(profile.db):
        try:
            found.append((row["sha256"], blob_path(profile.media_dir, row["sha256"]).stat().st_size))
        except (OSError, ValueError):
            continue
    return found


def plan(profile: Profile, client: Client) -> FreeSpace:
    """What could go now: the candidates the server says it holds. Raises SyncError (offline,
    login) before anything is decided."""
    candidates = _candidates(profile)
    hashes = [sha for sha, _ in candidates]
    lacking: set[str] = set()
    for start in range(0, len(hashes), MAX_HASHES_PER_QUERY):
        lacking.update(client.missing_blobs(hashes[start:start + MAX_HASHES_PER_QUERY]))
    return FreeSpace(candidates=len(candidates),
                     held=[(sha, size) for sha, size in candidates if sha not in lacking],
                     server_lacks=sorted(lacking))


def remove(profile: Profile, found: FreeSpace) -> FreeSpace:
    """Remove the files ``plan`` found held by the server, each re-checked against the rules in
    the transaction that records it (an edit since the plan keeps the photo)."""
    at = utc_now()
    recorded: list[tuple[str, int]] = []
    # The thumbnail stands in for the original from now on: made first, or the original stays.
    shown = [(sha, size) for sha, size in found.held if _thumbnail_kept(profile, sha, found)]
    with profile.db.atomic():
        for sha, size in shown:
            if oq.still_removable(profile.db, sha):
                oq.record(profile.db, sha, size, at)
                recorded.append((sha, size))
    undone: list[str] = []
    for sha, size in recorded:
        path = blob_path(profile.media_dir, sha)
        try:
            os.chmod(path, 0o644)  # stored read-only; Windows refuses to delete such files
            path.unlink()
        except FileNotFoundError:
            found.removed.append((sha, size))
        except OSError as exc:
            undone.append(sha)
            found.failed.append(f"{path}: {exc.strerror or exc}")
        else:
            found.removed.append((sha, size))
    if undone:
        with profile.db.atomic():
            for sha in undone:
                oq.forget(profile.db, sha)
    return found


def _thumbnail_kept(profile: Profile, sha: str, found: FreeSpace) -> bool:
    kept = thumb_path(profile.root, sha)
    try:
        made = ensure_thumbnail(profile.root, profile.media_dir, sha, oq.orientation_of(profile.db, sha))
    except (BadPhoto, OSError) as exc:
        found.failed.append(f"{blob_path(profile.media_dir, sha)}: no thumbnail could be made ({exc})")
        return False
    if made != kept:  # a temporary copy: the thumbs folder cannot be written
        made.unlink(missing_ok=True)
        found.failed.append(f"{blob_path(profile.media_dir, sha)}: its thumbnail cannot be saved in {kept.parent}")
        return False
    return True


def free_space(profile: Profile, client: Client, *, dry_run: bool = False) -> FreeSpace:
    found = plan(profile, client)
    return found if dry_run else remove(profile, found)


def after_sync(profile: Profile, client: Client) -> FreeSpace | None:
    """The ``photos_after_sync`` = "remove" step at the end of a sync; None when the setting keeps
    photos or the server could not be asked (the sync itself is done: nothing is removed)."""
    if not wants_removal(profile):
        return None
    try:
        return free_space(profile, client)
    except SyncError:
        return None


def offloaded_hashes(profile: Profile) -> dict[str, int]:
    """Offloaded blobs whose file is really absent, with their size (a file fetched back or
    restored by hand counts as here)."""
    return {sha: size for sha, size in oq.offloaded(profile.db).items()
            if not blob_path(profile.media_dir, sha).is_file()}


def recall(profile: Profile, sha: str, *, client: Client | None = None) -> Path:
    """The path of a blob's file, fetched back from the server first when it was offloaded.

    Not offloaded: the path as it is (a missing file is reported by the caller as before).
    Offloaded and not fetchable now: PhotoOnServer, saying why; nothing is kept from a download
    whose bytes do not hash to the name.
    """
    path = blob_path(profile.media_dir, sha)
    if not oq.is_offloaded(profile.db, sha):
        return path
    if not path.is_file():
        try:
            own = client is None
            client = client or client_for(profile, retry=ON_DEMAND)
            try:
                from app.sync.engine import _download  # the engine's checked download

                _download(client, profile.media_dir, sha)
            finally:
                if own:
                    client.close()
        except SyncError as exc:
            raise PhotoOnServer(f"{ON_SERVER} ({exc})") from exc
    with profile.db.atomic():
        oq.forget(profile.db, sha)
    return path


def recall_quietly(profile: Profile, hashes: list[str]) -> list[str]:
    """Fetch back what can be of ``hashes`` (a report about to print them); the hashes still on
    the server only are returned. Never raises: the report then prints their thumbnails."""
    wanted = [sha for sha in hashes if oq.is_offloaded(profile.db, sha)]
    if not wanted:
        return []
    left: list[str] = []
    try:
        client = client_for(profile, retry=ON_DEMAND)
    except SyncError:
        return [sha for sha in wanted if not blob_path(profile.media_dir, sha).is_file()]
    with client:
        for n, sha in enumerate(wanted):
            try:
                recall(profile, sha, client=client)
            except PhotoOnServer as exc:
                left.append(sha)
                if isinstance(exc.__cause__, (Offline, Unauthenticated)):
                    # The next photos would wait as long for the same answer.
                    left += [s for s in wanted[n + 1:] if not blob_path(profile.media_dir, s).is_file()]
                    break
    return left
