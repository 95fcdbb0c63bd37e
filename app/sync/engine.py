"""One sync run (docs/sync-protocol.md, section 12 "The sync engine"): register, blobs, push, pull.

1. The device is registered to the account (once per server, login and device id).
2. A changeset left unacknowledged by an earlier run (kept in ``meta`` with its id and
   ``device_seq`` before it was sent) is sent again, byte for byte: if the server applied it, it
   answers the stored receipt and nothing is applied twice; if not, it applies it now.
3. The dirty rows are cut into changesets of at most MAX_ROWS_PER_CHANGESET rows and about 8 MB,
   each with its blob list, the rubric templates its rows name, and (in the last) the finalized
   versions not yet recorded. Each is kept before it is sent, with the next ``device_seq``.
4. Blobs first: the server names the ones it lacks, and only those are uploaded, one at a time,
   streamed from the file, so a cut costs at most one photo.
5. The push's receipt is applied (a row is clean only at the revision the server acknowledged).
6. Pull pages from the stored cursor, each applied with its cursor in one local transaction,
   then the photos of live evidence and signatures the laptop lacks are fetched and verified.

Any refusal or fault stops the run with a ``reason``; what was done before it is kept, and the
next run carries on from there. Office tables (areas, units, teams, campaigns, assignments) are
only pulled: the server refuses them in a push from every role, so rows of them made on the
laptop are never sent (``SyncResult.local_only`` counts them). Inspectors are pushed: the server
keeps the people who answered and signed, so a replacement laptop can hold those rows.
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import tempfile
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx

from app.canonical import canonical_json, content_hash, loads_exact
from app.evidence.store import blob_path
from app.profile import Profile, utc_now
from app.scores import visit_summaries
from app.sync import offload, release
from app.sync.client import Client, Refused, Retry, ServerFault, SyncError
from app.sync.device import Session, is_registered, register
from app.sync.errors import write_failure
from app.sync.local import apply_pulled_row, apply_receipt, row_change, store_conflict
from app.sync.office import remember_office_settings
from app.sync.protocol import (
    MAX_HASHES_PER_QUERY,
    MAX_ROWS_PER_CHANGESET,
    Changeset,
    FinalizedVersion,
    Receipt,
    RowChange,
    RubricTemplate,
    StatedScore,
)
from app.sync.pull import PullItem, RowItem
from app.sync.resolve import resolves_for
from db.codes import SYNCED_TABLES
from db.queries import meta
from db.queries import rubrics as rq
from db.queries import sync as sq

OFFICE_TABLES = ("admin_areas", "units", "teams", "team_members", "campaigns", "assignments")
PUSHED_TABLES = tuple(t for t in SYNCED_TABLES if t not in OFFICE_TABLES)
# Well under the server's 16 MiB request limit, with room for templates and finalized versions.
MAX_CHANGESET_BYTES = 8 * 1024 * 1024

SEQ_KEY = "sync.device_seq"
PENDING_KEY = "sync.pending_changeset"
CURSOR_KEY = "sync.cursor"
CURSOR_SERVER_KEY = "sync.cursor_server"
# Pulled rows waiting for a row they name (JSON list of pull row items), tried again each page.
WAITING_KEY = "sync.waiting_rows"
# Where the first engine kept the hashes of recorded versions; migration 0006 moved them into the
# profile's finalized_versions table.
VERSIONS_KEY = "sync.finalized_versions"


@dataclass(frozen=True)
class Progress:
    phase: str  # "register", "blobs", "push", "pull", "fetch"
    items_done: int
    items_total: int
    bytes_done: int = 0
    bytes_total: int = 0


ProgressFn = Callable[[Progress], None]


@dataclass
class SyncResult:
    receipts: list[Receipt] = field(default_factory=list)
    rows_pushed: int = 0
    rows_acknowledged: int = 0
    # What the server did not take (conflict, error, unpermitted), in its words.
    rows_refused: list[str] = field(default_factory=list)
    versions_recorded: int = 0
    versions_refused: list[str] = field(default_factory=list)
    # Amended, before 0006, from a version whose hash was never kept: cannot be stated (_versions).
    versions_unsent: list[str] = field(default_factory=list)
    blobs_uploaded: int = 0
    bytes_uploaded: int = 0
    items_pulled: int = 0
    rows_pulled: int = 0
    # Pulled rows this laptop's database could not hold (a clash with a row made here), in words.
    rows_skipped: list[str] = field(default_factory=list)
    blobs_fetched: int = 0
    # Photos of pulled rows the server did not serve (GET /blobs/{sha} answered 404 or 405).
    blobs_unavailable: list[str] = field(default_factory=list)
    bytes_fetched: int = 0
    # Photo originals removed after the sync by the photos_after_sync setting (app/sync/offload.py).
    photos_offloaded: int = 0
    bytes_offloaded: int = 0
    local_only: int = 0
    open_conflicts: int = 0
    # The release the office offers when it is newer than this Fieldmark (app/sync/release.py).
    newer_release: release.Release | None = None
    reason: str | None = None
    message: str = ""

    @property
    def complete(self) -> bool:
        return self.reason is None


@dataclass
class _Run:
    profile: Profile
    session: Session
    client: Client
    progress: ProgressFn
    result: SyncResult


def sync(profile: Profile, session: Session, progress: ProgressFn | None = None, *,
         transport: httpx.BaseTransport | None = None, retry: Retry | None = None) -> SyncResult:
    """Run one sync; never raises for what the network or the server did: see ``reason``.

    ``progress`` is called between steps and while photos stream; raising ``Cancelled`` from it
    stops the run there (reason "cancelled"), and the next sync carries on.
    """
    result = SyncResult()
    try:
        with Client(session.server_url, session.token, retry=retry, transport=transport) as client:
            run = _Run(profile, session, client, progress or (lambda p: None), result)
            try:
                if not is_registered(profile, session):
                    run.progress(Progress("register", 0, 1))
                    register(client, profile, session)
                _push_all(run)
                _pull_all(run)
                _fetch_blobs(run)
            except SyncError as exc:
                result.reason, result.message = exc.reason, str(exc)
            # Asked after the work, even when the server refused this protocol: the notice is
            # how a laptop too old to sync learns where to get the new Fieldmark.
            if result.reason not in ("offline", "cancelled", "disk_full"):
                result.newer_release = release.learn(client.http, session.server_url, profile)
    except (OSError, sqlite3.OperationalError) as exc:
        # A write the pull and fetch did not name themselves (the push's receipt, a changeset
        # kept before its push): each is one transaction, so what was written before is whole.
        failure = write_failure(exc, "the sync's bookkeeping (a push's receipt, or a changeset "
                                     "kept before it is sent)", profile.root)
        if failure is None:
            raise
        result.reason, result.message = failure.reason, str(failure)
    result.local_only = sum(n for t, n in sq.pending_counts(profile.db).items() if t in OFFICE_TABLES)
    result.open_conflicts = len(sq.open_conflicts(profile.db))
    if result.reason is None and result.open_conflicts:
        result.reason = "conflicts"
        result.message = (f"{result.open_conflicts} conflict(s) wait for a person to choose a version; "
                          "both versions are kept")
    elif result.reason is None and (result.rows_refused or result.versions_refused):
        result.reason = "not_acknowledged"
        result.message = "the server did not take everything: " + "; ".join(
            (result.rows_refused + result.versions_refused)[:5])
    return result


# --- push --------------------------------------------------------------------------------------


def _push_all(run: _Run) -> None:
    db = run.profile.db
    pending = meta.get(db, PENDING_KEY)
    if pending:
        _send(run, Changeset.model_validate_json(pending))
    changes = [_with_resolves(run.profile, t, r) for t in PUSHED_TABLES for r in sq.dirty_rows(db, t)]
    versions = _versions(run)
    batches = list(_batches(changes))
    if versions and not batches:
        batches = [[]]
    for n, rows in enumerate(batches):
        last = n == len(batches) - 1
        _send(run, _build(run.profile, rows, versions if last else []))


def _with_resolves(profile: Profile, table: str, row: dict) -> RowChange:
    """The row as pushed, naming the conflicts a person settled by choosing it, so the server
    marks them resolved and every laptop of the visit hears so."""
    change = row_change(table, row)
    settled = resolves_for(profile, table, row)
    return change.model_copy(update={"resolves": settled}) if settled else change


def _batches(changes: list[RowChange]) -> Iterator[list[RowChange]]:
    batch: list[RowChange] = []
    size = 0
    for change in changes:
        weight = len(change.model_dump_json())
        if batch and (len(batch) == MAX_ROWS_PER_CHANGESET or size + weight > MAX_CHANGESET_BYTES):
            yield batch
            batch, size = [], 0
        batch.append(change)
        size += weight
    if batch:
        yield batch


def _known_versions(profile: Profile) -> dict[str, dict[str, str]]:
    """{visit id: {amendment_no: content hash}} of the versions a server has recorded."""
    held: dict[str, dict[str, str]] = {}
    for visit_id, number, digest in profile.db.execute(
            "SELECT visit_id, amendment_no, content_hash FROM finalized_versions WHERE status = 'recorded'"):
        held.setdefault(visit_id, {})[str(number)] = digest
    return held


def _remember_versions(profile: Profile, versions: list[tuple[str, int, str]]) -> None:
    """Record versions a server holds (from a receipt or a pull) in the profile's table."""
    for visit_id, number, digest in versions:
        sq.held_version(profile.db, visit_id, number, digest,
                        None if number == 0 else sq.version_hash(profile.db, visit_id, number - 1), None)


def _versions(run: _Run) -> list[FinalizedVersion]:
    """Every version no server has recorded, each visit's in order (finalize and every amendment
    keep theirs, migration 0006 the present one of a visit finalized before it). One kept before
    0006 that amends a version whose hash was never kept cannot name what it replaces: it is
    reported in ``versions_unsent`` rather than sent to be refused."""
    profile = run.profile
    due = sq.pending_versions(profile.db)
    unscored = sorted({v["visit_id"] for v in due if v["score_total"] is None})
    # Only a version kept before 0006 lacks its stated score, and it is its visit's present one.
    summaries = visit_summaries(profile, unscored) if unscored else {}
    found = []
    for v in due:
        if v["amendment_no"] and v["replaces"] is None:
            run.result.versions_unsent.append(v["visit_id"])
            continue
        if v["score_total"] is None:
            summary = summaries[v["visit_id"]]
            score = StatedScore(total=summary.awarded, maximum=summary.maximum,
                                band=None if summary.band is None else summary.band.zh)
        else:
            score = StatedScore(total=v["score_total"], maximum=v["score_maximum"], band=v["score_band"])
        found.append(FinalizedVersion(
            visit_id=v["visit_id"], amendment_no=v["amendment_no"], content_hash=v["content_hash"],
            replaces=v["replaces"], finalized_at=v["finalized_at"] or utc_now(), score=score))
    return found


def _templates(profile: Profile, rows: list[RowChange], versions: list[FinalizedVersion]) -> list[RubricTemplate]:
    """The templates the rows (and the finalized visits) name: the server may not hold a rubric
    imported on this laptop, and cannot check or score a visit without it."""
    hashes = {str(r.values["rubric_hash"]) for r in rows if isinstance(r.values.get("rubric_hash"), str)}
    for version in versions:
        hashes.update(sq.visit_rubric_hashes(profile.db, version.visit_id))
    found = []
    for digest in sorted(hashes):
        row = rq.get_template(profile.db, str(digest))
        if row is not None:
            found.append(RubricTemplate(hash=row["hash"], rubric_id=row["rubric_id"], version=row["version"],
                                        name_zh=row["name_zh"], name_en=row["name_en"],
                                        document=json.loads(row["document"])))
    return found


def _build(profile: Profile, rows: list[RowChange], versions: list[FinalizedVersion]) -> Changeset:
    """A new changeset with the next device_seq (taken when it is kept, just before its push)."""
    blobs = sorted(set().union(*(r.blob_hashes() for r in rows))) if rows else []
    seq = int(meta.get(profile.db, SEQ_KEY) or 0) + 1
    return Changeset(changeset_id=str(uuid.uuid4()), device_id=profile.device_id, device_seq=seq,
                     created_at=utc_now(), rows=rows, blobs=blobs,
                     rubric_templates=_templates(profile, rows, versions), finalizations=versions)


def _keep(profile: Profile, changeset: Changeset) -> None:
    """Keep the changeset and its number before it is sent: a run cut after the push and before
    the receipt sends this very changeset again (same id, same number, same content) and gets the
    stored receipt, so nothing is applied twice and nothing is lost. A new id with a higher number
    would also be safe for the rows, but the finalized versions and the receipt kept here would
    then belong to a changeset the laptop never heard of."""
    with profile.db.atomic():
        meta.put(profile.db, SEQ_KEY, str(max(changeset.device_seq, int(meta.get(profile.db, SEQ_KEY) or 0))))
        meta.put(profile.db, PENDING_KEY, changeset.model_dump_json())


def _send(run: _Run, changeset: Changeset) -> None:
    _upload(run, changeset.blobs)
    _keep(run.profile, changeset)
    run.progress(Progress("push", 0, len(changeset.rows)))
    receipt = None
    renumbered = False
    for _ in range(4):
        try:
            receipt = run.client.push(changeset)
            break
        except Refused as exc:
            if exc.code == "blobs_missing":
                # The server's own list, not asked again: it just said it lacks these.
                _put_blobs(run, list(exc.body.missing_blobs))
            elif exc.code == "device_not_registered":
                register(run.client, run.profile, run.session)
            elif exc.code == "stale_changeset" and exc.body.latest_device_seq is not None and not renumbered:
                changeset = _renumbered(run.profile, changeset, exc.body.latest_device_seq)
                renumbered = True
            else:
                if exc.code in ("stale_changeset", "changeset_reused"):
                    # The server will never take this one, so it is not kept for a replay; its
                    # rows are still dirty, and the next run builds a new changeset for them.
                    with run.profile.db.atomic():
                        meta.put(run.profile.db, PENDING_KEY, "")
                raise
    if receipt is None:
        raise ServerFault("the server still named missing photos or an unregistered device after they were "
                          "sent and registered; sync again later")
    _record(run, changeset, receipt)
    run.progress(Progress("push", len(changeset.rows), len(changeset.rows)))


def _renumbered(profile: Profile, changeset: Changeset, latest: int) -> Changeset:
    """The same content under a new id, numbered above the server's ``latest`` from this device,
    kept before it is sent: the counter fell behind (a profile restored from a backup keeps its
    device id).

    Sending it again cannot apply anything twice. The server checks a changeset's id before its
    number (section 7), so a stale refusal says this id was never applied (an applied one would
    have been answered with its stored receipt); and the higher numbers it holds came from this
    device's later changesets, which carried every row still dirty here at their revision or a
    later one, so the server keeps whichever revision is newer as it does for any push."""
    fresh = changeset.model_copy(update={"changeset_id": str(uuid.uuid4()),
                                         "device_seq": max(latest, changeset.device_seq) + 1})
    _keep(profile, fresh)
    return fresh


def _record(run: _Run, changeset: Changeset, receipt: Receipt) -> None:
    profile, result = run.profile, run.result
    applied = apply_receipt(profile, receipt)
    # The receipt answers the changeset's versions in its order.
    answered = list(zip(changeset.finalizations, receipt.finalizations, strict=True))
    # The latest version of each visit the server holds: recorded by this receipt or before it.
    latest: dict[str, int] = {}
    for version, status in answered:
        if status.status == "recorded":
            latest[version.visit_id] = max(latest.get(version.visit_id, -1), version.amendment_no)
        else:
            held = _known_versions(profile).get(version.visit_id, {})
            if held:
                latest[version.visit_id] = max(latest.get(version.visit_id, -1), *map(int, held))
    refused = []
    with profile.db.atomic():
        for version, status in answered:
            if status.status == "recorded":
                sq.set_version_status(profile.db, version.visit_id, version.amendment_no, version.content_hash,
                                      "recorded", status.reason)
            elif latest.get(version.visit_id, -1) > version.amendment_no:
                # Amended before it was synced: the rows of this state are gone on both sides, so
                # the server could not check it, and it holds the amendment that replaced it.
                sq.set_version_status(profile.db, version.visit_id, version.amendment_no, version.content_hash,
                                      "superseded", status.reason)
            else:
                refused.append(status)
        meta.put(profile.db, PENDING_KEY, "")
    result.receipts.append(receipt)
    result.rows_pushed += len(changeset.rows)
    result.rows_acknowledged += applied.acknowledged
    result.rows_refused += [f"{s.table} {s.key}: {s.status}, {s.reason}" for s in receipt.rows
                            if s.status in ("error", "unpermitted")]
    result.versions_recorded += sum(1 for _, status in answered if status.status == "recorded")
    result.versions_refused += [f"finalized visit {f.visit_id}: {f.status}, {f.reason}" for f in refused]


def _upload(run: _Run, hashes: list[str]) -> None:
    """Upload the listed blobs the server lacks, one by one, streamed from the media folder."""
    missing: list[str] = []
    for start in range(0, len(hashes), MAX_HASHES_PER_QUERY):
        missing += run.client.missing_blobs(hashes[start:start + MAX_HASHES_PER_QUERY])
    _put_blobs(run, missing)


def _put_blobs(run: _Run, missing: list[str]) -> None:
    paths = {sha: blob_path(run.profile.media_dir, sha) for sha in missing}
    for sha, path in paths.items():
        if not path.is_file():
            raise SyncError(f"the photo {sha} is not in the data folder's media; run `fieldmark verify` "
                            "to see what is missing")
    total = sum(p.stat().st_size for p in paths.values())
    done = 0
    for n, (sha, path) in enumerate(paths.items()):
        base, size = done, path.stat().st_size
        streamed = [0]

        def sent(chunk: int, base: int = base, size: int = size, n: int = n, streamed: list[int] = streamed) -> None:
            # A retried upload streams the file again from its start: count it once.
            streamed[0] += chunk
            run.progress(Progress("blobs", n, len(paths), base + min(streamed[0], size), total))

        stored = run.client.upload_blob(sha, path, sent)
        done = base + stored.size
        run.result.blobs_uploaded += 1
        run.result.bytes_uploaded += stored.size
        run.progress(Progress("blobs", n + 1, len(paths), done, total))


# --- pull --------------------------------------------------------------------------------------


def _pull_all(run: _Run) -> None:
    db = run.profile.db
    server = run.session.server_url
    # A cursor is one server's: another server starts from the beginning.
    same_server = meta.get(db, CURSOR_SERVER_KEY) == server
    cursor = meta.get(db, CURSOR_KEY) if same_server else None
    waiting = _waiting(run.profile) if same_server else {}
    while True:
        page = run.client.pull(cursor)
        try:
            with db.atomic():
                for item in sorted(page.items, key=_apply_order):
                    if item.kind == "row":
                        # A later revision of a row replaces one still waiting for its parent.
                        waiting.pop((item.table, item.key), None)
                    _apply(run, item, waiting)
                _retry_waiting(run, waiting)
                meta.put(db, CURSOR_KEY, page.next_cursor)
                meta.put(db, CURSOR_SERVER_KEY, server)
                meta.put(db, WAITING_KEY, json.dumps([i.model_dump(mode="json") for i in waiting.values()]))
        except sqlite3.OperationalError as exc:
            # The page and its cursor rolled back together: the next sync pulls this page again.
            failure = write_failure(exc, f"a pulled page of {len(page.items)} items", run.profile.root)
            if failure is None:
                raise
            raise failure from exc
        cursor = page.next_cursor
        run.result.items_pulled += len(page.items)
        run.progress(Progress("pull", run.result.items_pulled, 0))
        if not page.more:
            break
    run.result.rows_skipped += [f"{i.table} {i.key}: waits for a row it names that the server has not sent"
                                for i in waiting.values()]


# Templates first, then rows parents first (SYNCED_TABLES order), then conflicts and versions.
_TABLE_ORDER = {table: n for n, table in enumerate(SYNCED_TABLES)}


def _apply_order(item: PullItem) -> tuple[int, int]:
    if item.kind == "rubric_template":
        return (0, 0)
    if item.kind == "row":
        return (1, _TABLE_ORDER.get(item.table, len(_TABLE_ORDER)))
    return (2, 0)


def _waiting(profile: Profile) -> dict[tuple[str, str], RowItem]:
    """Pulled rows kept for later because a row they name had not arrived (a fresh profile pulls
    a visit before a unit that was written again after it, so it comes at a later number)."""
    items = [RowItem.model_validate(i) for i in json.loads(meta.get(profile.db, WAITING_KEY) or "[]")]
    return {(i.table, i.key): i for i in items}


def _retry_waiting(run: _Run, waiting: dict[tuple[str, str], RowItem]) -> None:
    # Until a round places nothing: a row may wait for another that was waiting too.
    while waiting:
        before = len(waiting)
        for item in sorted(waiting.values(), key=_apply_order):
            del waiting[(item.table, item.key)]
            _apply(run, item, waiting)
        if len(waiting) == before:
            return


def _apply(run: _Run, item: PullItem, waiting: dict[tuple[str, str], RowItem] | None = None) -> None:
    profile, result = run.profile, run.result
    if item.kind == "rubric_template":
        template = item.template
        # Re-hashed with exact numbers, as the server checks it: a template is its hash.
        document = loads_exact(json.dumps(template.document))
        if content_hash(document) != template.hash:
            result.rows_skipped.append(f"rubric template {template.hash}: its document does not hash to its name")
            return
        rq.insert_template(profile.db, hash=template.hash, rubric_id=template.rubric_id, version=template.version,
                           name_zh=template.name_zh, name_en=template.name_en, document=canonical_json(document),
                           imported_at=utc_now())
    elif item.kind == "row":
        try:
            if apply_pulled_row(profile, item.table, item.key, item.row) is None:
                return
        except sqlite3.IntegrityError as exc:
            # The savepoint of apply_pulled_row undid the row alone: the rest of the page is kept.
            if "FOREIGN KEY" in str(exc) and waiting is not None:
                # It names a row not here yet: kept, tried again as later rows arrive.
                waiting[(item.table, item.key)] = item
                return
            # Such a row clashes with one made on this laptop (a unit code).
            result.rows_skipped.append(f"{item.table} {item.key}: {exc}")
            return
        except ValueError as exc:
            result.rows_skipped.append(f"{item.table} {item.key}: {exc}")
            return
        result.rows_pulled += 1
    elif item.kind == "conflict":
        store_conflict(profile, item.conflict)
    elif item.kind == "finalized_version":
        # Kept as recorded, so an amendment made here can name the version it replaces, whoever
        # finalized it, and a fresh profile holds the versions of the visits it receives.
        version = item.version
        sq.held_version(profile.db, version.visit_id, version.amendment_no, version.content_hash,
                        version.replaces, version.finalized_at)
    else:
        # Of the office's settings only the key for sealed bundles is kept: whether the name and
        # logo replace what the user typed for the printed sheets' 落款 is the settings' decision.
        remember_office_settings(profile, item.settings)


def _fetch_blobs(run: _Run) -> None:
    """Fetch the photos and signatures of live rows whose bytes the laptop lacks (pulled from a
    team-mate), checking each against its name before it is stored. Originals this laptop removed
    because the server holds them (app/sync/offload.py) are not fetched back: they come on
    demand. Last, the ``photos_after_sync`` = "remove" setting frees what this sync allows."""
    media = run.profile.media_dir
    offloaded = offload.offloaded_hashes(run.profile)
    wanted = [sha for sha in sq.live_blob_hashes(run.profile.db)
              if sha not in offloaded and not blob_path(media, sha).is_file()]
    for n, sha in enumerate(wanted):
        run.progress(Progress("fetch", n, len(wanted), run.result.bytes_fetched))
        try:
            run.result.bytes_fetched += _download(run.client, media, sha)
        except Refused as exc:
            if exc.status not in (404, 405):
                raise
            # Not served (yet): the row is kept and shows the photo as missing; a later sync
            # tries again. The rows were acknowledged all the same, so the sync is not failed.
            run.result.blobs_unavailable.append(sha)
            continue
        run.result.blobs_fetched += 1
    if wanted:
        run.progress(Progress("fetch", len(wanted), len(wanted), run.result.bytes_fetched))
    freed = offload.after_sync(run.profile, run.client)
    if freed is not None:
        run.result.photos_offloaded = len(freed.removed)
        run.result.bytes_offloaded = freed.bytes_removed


def _download(client: Client, media: Any, sha: str) -> int:
    target = blob_path(media, sha)
    size = 0

    def write(chunks: Iterator[bytes]) -> None:
        nonlocal size
        digest = hashlib.sha256()
        size = 0
        fd, temp = tempfile.mkstemp(dir=target.parent, prefix=".fetch-")
        try:
            with os.fdopen(fd, "wb") as fh:
                for chunk in chunks:
                    digest.update(chunk)
                    size += len(chunk)
                    fh.write(chunk)
                fh.flush()
                os.fsync(fh.fileno())
            if digest.hexdigest() != sha:
                raise ServerFault(f"the server sent other bytes for the photo {sha}; nothing was kept")
            os.chmod(temp, 0o444)
            os.replace(temp, target)
        finally:
            if os.path.exists(temp):
                os.unlink(temp)

    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        client.download_blob(sha, write)
    except OSError as exc:
        # The temp file is gone (``write``'s finally): no part of the photo is left, and its row
        # shows it missing until a sync with room to spare fetches it.
        failure = write_failure(exc, f"the photo {sha}", media)
        if failure is None:
            raise
        raise failure from exc
    return size
