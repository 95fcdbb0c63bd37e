"""CLI commands about the profile: status, demo, db check, visits list."""

from __future__ import annotations

import argparse
import json
import os
from datetime import date
from pathlib import Path

from app.errors import ProfileError
from app.paths import DB_NAME, resolve_data_dir
from app.profile import Profile


def register(sub, add_data_dir, command) -> None:  # noqa: ANN001 - argparse internals
    demo = command("demo", cmd_demo, "create a demo profile with real-looking units, rubrics and visits")
    demo.add_argument("--if-missing", action="store_true",
                      help="do nothing when the profile already has a database")
    demo.add_argument("--today", metavar="YYYY-MM-DD", help="date the demo is built around (default: today)")

    db = sub.add_parser("db", help="database maintenance")
    db_sub = db.add_subparsers(dest="db_command", metavar="SUBCOMMAND", required=True)
    check = db_sub.add_parser("check", help="run an integrity check and print the migration status")
    add_data_dir(check)
    check.set_defaults(handler=cmd_db_check)

    visits = sub.add_parser("visits", help="visits in this profile")
    v_sub = visits.add_subparsers(dest="visits_command", metavar="SUBCOMMAND", required=True)
    vlist = v_sub.add_parser("list", help="list visits, newest first")
    add_data_dir(vlist)
    vlist.add_argument("--status", choices=["in_progress", "finalized", "amended", "cancelled"])
    vlist.add_argument("--limit", type=int, default=50)
    vlist.add_argument("--offset", type=int, default=0)
    vlist.add_argument("--json", action="store_true", help="print JSON instead of a table")
    vlist.set_defaults(handler=cmd_visits_list)

    command("status", cmd_status, "summarise the profile: units, visits by status, pending changes")


def cmd_demo(args: argparse.Namespace) -> int:
    from app.demo import build_demo

    root = resolve_data_dir(args.data_dir)
    if (root / DB_NAME).exists():
        if args.if_missing:
            return 0
        raise ProfileError(f"{root} already holds a profile; the demo only fills a new folder")
    today = date.fromisoformat(args.today) if args.today else date.today()
    with Profile.open(root) as profile:
        summary = build_demo(profile, today=today)
    print(f"demo profile created in {root}")
    for key, value in summary.items():
        print(f"  {key}: {value}")
    return 0


def cmd_db_check(args: argparse.Namespace) -> int:
    from db.connection import integrity_problems
    from db.migrations import MIGRATIONS

    root = resolve_data_dir(args.data_dir)
    with Profile.open(root, read_only=True) as profile:
        applied = {m.name: m.applied_at for m in MIGRATIONS.applied(profile.db)}
        pending = [m.name for m in MIGRATIONS.pending(profile.db)]
        problems = integrity_problems(profile.db)
    print(f"database: {root / DB_NAME}")
    for name, at in applied.items():
        print(f"  applied  {name}  ({at})")
    for name in pending:
        print(f"  pending  {name}")
    if problems:
        print("integrity: FAILED")
        for p in problems:
            print(f"  - {p}")
        return 1
    print("integrity: ok")
    return 0


def cmd_visits_list(args: argparse.Namespace) -> int:
    from app.visits import VisitFilter, list_visits

    root = resolve_data_dir(args.data_dir)
    with Profile.open(root, read_only=True) as profile:
        visits = list_visits(profile, VisitFilter(status=args.status), limit=args.limit, offset=args.offset)
    if args.json:
        print(json.dumps([{
            "id": v.id, "unit_code": v.unit_code, "unit_name": v.unit_name, "visit_type": v.visit_type,
            "status": v.status, "starts_on": v.starts_on, "ends_on": v.ends_on,
            "content_hash": v.content_hash,
        } for v in visits], ensure_ascii=False, indent=2))
        return 0
    if not visits:
        print("no visits")
        return 0
    for v in visits:
        print(f"{v.starts_on}  {v.status:<11} {v.visit_type:<18} {v.unit_code:<10} {v.unit_name}  {v.id}")
    return 0


def cmd_status(args: argparse.Namespace) -> int:
    from db.queries import areas, offload, sync, visits

    root = resolve_data_dir(args.data_dir)
    if not (root / DB_NAME).exists():
        raise _no_profile(root)
    with Profile.open(root, read_only=True) as profile:
        counts = visits.status_counts(profile.db)
        units = areas.count_units(profile.db)
        pending = sum(sync.pending_counts(profile.db).values())
        receipt = sync.last_receipt(profile.db)
        on_server = offload.offloaded(profile.db)
    print(f"Fieldmark profile {root}")
    print(f"  units: {units}")
    print("  visits: " + (", ".join(f"{k} {v}" for k, v in sorted(counts.items())) or "none"))
    print(f"  changes waiting to sync: {pending}")
    print(f"  last sync: {receipt['pushed_at'] if receipt else 'never'}")
    if on_server:
        print(f"  photo originals kept on the server only (removed here to free space): {len(on_server)}, "
              f"{sum(on_server.values()) / 1_000_000:.1f} MB")
    return 0


def _writable(folder: Path) -> bool:
    """Whether this user may make files in ``folder`` (a read-only disk refuses even root)."""
    return os.access(folder, os.W_OK | os.X_OK)


def _no_profile(root: Path) -> ProfileError:
    """Why there is no profile at ``root``, advising `demo` only where it could make one."""
    if root.exists() and not root.is_dir():
        return ProfileError(f"{root} is a file, not a Fieldmark data folder; choose a folder with --data-dir")
    folder = root
    while not folder.exists() and folder != folder.parent:
        folder = folder.parent  # the folder `demo` would create the data folder in
    if not folder.is_dir():
        return ProfileError(f"no profile at {root}, and none can be made there: {folder} is a file")
    if not _writable(folder):
        return ProfileError(f"no profile at {root}, and none can be made there: {folder} cannot be written; "
                            "choose a writable folder with --data-dir")
    return ProfileError(f"no profile at {root}; create one with `fieldmark demo --data-dir {root}`")
