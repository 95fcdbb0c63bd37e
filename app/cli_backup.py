"""CLI commands for backups of the profile database.

    fieldmark backup                    # a backup now, in <data dir>/backups
    fieldmark restore FILE              # FILE becomes the database; the current one is kept as a backup
    fieldmark diagnostics --out F.zip   # logs, versions, integrity check for support (no secret, no photo)
"""

from __future__ import annotations

import argparse
from pathlib import Path

from app.paths import resolve_data_dir


def register(sub, add_data_dir, command) -> None:  # noqa: ANN001 - argparse internals
    command("backup", cmd_backup, "back up the profile database (the last N backups are kept)")
    restore = command("restore", cmd_restore,
                      "replace the profile database with a backup; the current one is kept as a backup first")
    restore.add_argument("file", metavar="FILE", help="a Fieldmark backup (.sqlite3)")
    diag = command("diagnostics", cmd_diagnostics,
                   "save a zip for support staff: logs, versions, settings, integrity check (no secret, no photo)")
    diag.add_argument("--out", metavar="FILE", required=True, help="the zip to write")


def cmd_backup(args: argparse.Namespace) -> int:
    from app.backups import make_backup
    from app.profile import Profile

    root = resolve_data_dir(args.data_dir)
    # Read-only open: the checks that the folder holds a Fieldmark database, without the lock
    # (a backup may be made while the desktop has the profile open; the backup API is safe then).
    with Profile.open(root, create=False, read_only=True) as profile:
        path = make_backup(root, profile.db.conn)
    print(f"backed up to {path}")
    return 0


def cmd_restore(args: argparse.Namespace) -> int:
    from app.backups import restore

    root = resolve_data_dir(args.data_dir)
    kept = restore(root, Path(args.file))
    print(f"restored {args.file} into {root}")
    if kept is not None:
        print(f"the previous database is kept as {kept}")
    return 0


def cmd_diagnostics(args: argparse.Namespace) -> int:
    from app.diagnostics import write_diagnostics
    from app.profile import Profile

    root = resolve_data_dir(args.data_dir)
    with Profile.open(root, create=False, read_only=True) as profile:
        out = write_diagnostics(profile, Path(args.out))
    print(f"diagnostics saved to {out}")
    return 0
