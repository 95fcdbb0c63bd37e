"""CLI commands about photo evidence: import, verify, list, and the reduced-size setting."""

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
    for path in report.unreferenced:
        print(f"unreferenced file (no row needs it; left in place): {path}")
    print(f"checked {report.files_checked} files for {report.rows_checked} rows: "
          + ("ok" if report.ok else f"{len(report.missing)} missing, {len(report.corrupt)} corrupt"))
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
