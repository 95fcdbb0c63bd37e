"""`fieldmark-server visit show ID --json`: a visit as the server holds it."""

from __future__ import annotations

import argparse
import json
from typing import Any

from server.cli_support import open_store, store_options
from server.sync.visit_view import describe_visit


def register(sub: Any) -> None:
    visit = sub.add_parser("visit", help="visits as the server holds them").add_subparsers(
        dest="action", required=True)
    p = visit.add_parser("show", help="status, content hash, re-score, finalized versions, open conflicts")
    store_options(p)
    p.add_argument("visit_id")
    p.add_argument("--json", action="store_true", help="print JSON (the only format for now)")
    p.set_defaults(func=cmd_visit_show)


def cmd_visit_show(args: argparse.Namespace) -> int:
    """Print the visit as JSON; an unknown visit is NotFound (exit 1 with the message)."""
    with open_store(args).connect() as conn:
        view = describe_visit(conn, args.visit_id.strip().lower())
    print(json.dumps(view, ensure_ascii=False, indent=2))
    return 0
