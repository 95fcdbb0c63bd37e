"""CLI commands about photo evidence: import, verify, list, the reduced-size setting, and freeing
space by removing the originals the server holds (``free-space``, app/sync/offload.py)."""

from __future__ import annotations

import argparse
import sys

from app.paths import resolve_data_dir
from app.profile import Profile


def register(sub, add_data_dir, command) -> None:  # noqa: ANN001 - argparse internals
    ev = sub.add_parser("evidence", help="photo evidence: import, verify, list")
    ev_sub = ev.add_subparsers(dest="evidence_command", metavar="SUBCOMMAND", required=True)

    imp = ev_sub.add_parser("import", help="import photos (files or folders) into a visit")
    add_data_dir(imp)
    imp.add_argument("paths", nargs="+", metavar="PATH", help="photo files, or folders such as a card's DCIM")
    imp.add_argument("--visit", required=True, metavar="ID", help="the visit the photos belong to")
    imp.add_argument("--item", metavar="CODE", help="rubric item code to attach the photos to")
    imp.add_argument("--rubric", metavar="HASH", help="the rubric of --item, when the code is ambiguous")
    imp.add_argument("--finding", metavar="ID", help="finding to attach the photos to")
    imp.set_defaults(handler=cmd_import)

    ver = ev_sub.add_parser("verify", help="re-hash every media file; exit 1 when any is missing or corrupt")
    add_data_dir(ver)
    ver.set_defaults(handler=cmd_verify)

    lst = ev_sub.add_parser("list", help="list the photos of a visit")
    add_data_dir(lst)
    lst.add_argument("--visit", required=True, metavar="ID")
    lst.add_argument("--item", metavar="CODE")
    lst.set_defaults(handler=cmd_list)

    red = ev_sub.add_parser("reduce", help="store reduced 2048-pixel copies instead of originals (on/off)")
    add_data_dir(red)
    red.add_argument("state", choices=["on", "off"])
    red.set_defaults(handler=cmd_reduce)

    free = ev_sub.add_parser("free-space", help="remove the originals of finalized visits' photos that the "
                                                 "server holds (thumbnails stay; each comes back on demand)")
    add_data_dir(free)
    free.add_argument("--dry-run", action="store_true", help="only say how many photos and MB would go")
    free.set_defaults(handler=cmd_free_space)


def cmd_import(args: argparse.Namespace) -> int:
    from app.evidence import ImportProgress, import_files

    def progress(p: ImportProgress) -> None:
        if sys.stderr.isatty():
            print(f"\r{p.done}/{p.total}", end="", file=sys.stderr, flush=True)

    with Profile.open(resolve_data_dir(args.data_dir)) as profile:
        summary = import_files(profile, args.paths, visit_id=args.visit, item_code=args.item,
                               rubric_hash=args.rubric, finding_id=args.finding, progress=progress)
    if sys.stderr.isatty():
        print(file=sys.stderr)
    for r in summary.results:
        detail = r.evidence_id if r.status in ("imported", "duplicate") and r.evidence_id else r.message
        print(f"{r.status:<9} {r.source}  {detail}".rstrip())
    print(f"{len(summary.imported)} imported, {len(summary.duplicates)} already there, "
          f"{len(summary.failed)} failed")
    return 1 if summary.failed else 0


def cmd_verify(args: argparse.Namespace) -> int:
    from app.evidence import verify_media

    with Profile.open(resolve_data_dir(args.data_dir), read_only=True) as profile:
        report = verify_media(profile)
    for p in report.problems:
        print(f"{p.kind:<8} {p.table} {p.row_id} (visit {p.visit_id}, {p.name or 'no name'}): "
              f"{p.detail} [{p.path}]")
    for p in report.on_server:
        print(f"on server {p.table} {p.row_id} (visit {p.visit_id}, {p.name or 'no name'}): {p.detail}")
    for path in report.unreferenced:
        print(f"unreferenced file (no row needs it; left in place): {path}")
    print(f"checked {report.files_checked} files for {report.rows_checked} rows: "
          + ("ok" if report.ok else f"{len(report.missing)} missing, {len(report.corrupt)} corrupt")
          + (f"; {len({p.sha256 for p in report.on_server})} kept on the server only" if report.on_server else ""))
    return 0 if report.ok else 1


def cmd_list(args: argparse.Namespace) -> int:
    from app.evidence import list_photos

    with Profile.open(resolve_data_dir(args.data_dir), read_only=True) as profile:
        photos = list_photos(profile, args.visit, item_code=args.item)
    if not photos:
        print("no photos")
    for p in photos:
        where = p.item_code or "-"
        print(f"{p.id}  {where:<6} {p.taken_at or '?':<25} {p.original_name}  {p.caption}".rstrip())
    return 0


def cmd_reduce(args: argparse.Namespace) -> int:
    from app.evidence import set_reduce_photos

    with Profile.open(resolve_data_dir(args.data_dir)) as profile:
        set_reduce_photos(profile, args.state == "on")
    print("photos imported from now on are stored "
          + ("as reduced 2048-pixel copies" if args.state == "on" else "as originals"))
    return 0


def _mb(size: int) -> str:
    return f"{size / 1_000_000:.1f} MB"


def cmd_free_space(args: argparse.Namespace) -> int:
    from app.cli_sync import EXIT_CODES, RETRY
    from app.sync.client import SyncError
    from app.sync.offload import client_for, free_space

    with Profile.open(resolve_data_dir(args.data_dir)) as profile:
        try:
            with client_for(profile, retry=RETRY) as client:
                found = free_space(profile, client, dry_run=args.dry_run)
        except SyncError as exc:
            print(f"fieldmark: {exc}; nothing was removed", file=sys.stderr)
            return EXIT_CODES.get(exc.reason, 1)
    if found.server_lacks:
        print(f"{len(found.server_lacks)} photos stay: the server does not hold them yet (sync first)")
    if args.dry_run:
        print(f"would remove {len(found.held)} photo originals ({_mb(found.bytes_held)}) that the server holds; "
              "thumbnails stay")
        return 0
    for line in found.failed:
        print(f"fieldmark: could not remove {line}; it stays", file=sys.stderr)
    print(f"removed {len(found.removed)} photo originals ({_mb(found.bytes_removed)} freed); "
          "each comes back from the server when it is opened")
    return 1 if found.failed else 0
