"""The child process of tests/resilience/test_full_disk.py's answer test: the profile is open, as
in the desktop, when its disk fills (tests/server/full_disk.py: a tmpfs filled, or this process's
file-size cap); one answer is tried then, and again once there is room, on the same open profile.

Prints one JSON line: what the refused attempt raised, the note the database held after it, and
whether the attempt made once there was room was saved.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from app.errors import WriteFailed
from app.profile import Profile
from app.visits import answer_item, list_responses
from tests.server.full_disk import Disk


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="one answer on a profile whose disk fills (tests only)")
    for name in ("--data-dir", "--disk", "--mode", "--visit", "--rubric", "--item", "--note"):
        parser.add_argument(name, required=True)
    parser.add_argument("--leave", type=int, default=0)
    args = parser.parse_args(argv)
    disk = Disk(Path(args.disk), args.mode)
    with Profile.open(Path(args.data_dir)) as profile:

        def answer() -> None:
            answer_item(profile, args.visit, rubric_hash=args.rubric, item_code=args.item, note=args.note)

        def note() -> str:
            return next(r.note for r in list_responses(profile, args.visit) if r.item_code == args.item)

        # The write-ahead log emptied first: a log reused from its start would need no new room.
        profile.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        disk.fill(args.leave)
        refused: dict[str, object] = {"saved": True}
        try:
            answer()
        except WriteFailed as exc:
            refused = {"saved": False, "message": str(exc), "cause": exc.cause, "transient": exc.transient}
        held = note()
        disk.free()
        answer()
        print(json.dumps({"refused": refused, "held_after_refusal": held, "saved_with_room": note() == args.note}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
