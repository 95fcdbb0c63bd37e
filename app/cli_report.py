"""CLI commands for printed documents: ``report``, ``verify`` and ``report-layout``.

    fieldmark report VISIT_ID --kind feedback --out sheet.pdf [--lang en] [--paper letter]
    fieldmark verify FM1-...          # exit 0 when the paper matches the record, 1 when not
    fieldmark report-layout CAMPAIGN_ID [--set layout.json | --reset]
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from app.errors import InvalidAnswer
from app.paths import resolve_data_dir
from app.profile import Profile


def register(sub, add_data_dir, command) -> None:  # noqa: ANN001 - argparse internals
    rep = command("report", cmd_report, "print a visit's feedback sheet, rectification notice or full report as PDF")
    rep.add_argument("visit_id", metavar="VISIT_ID")
    rep.add_argument("--kind", choices=["feedback", "rectification", "full"], default="feedback")
    rep.add_argument("--out", required=True, metavar="FILE.pdf", help="where to write the PDF")
    rep.add_argument("--lang", choices=["zh", "en"], default="zh", help="document language (default zh)")
    rep.add_argument("--paper", choices=["a4", "letter"], help="paper size (default: the paper_size setting, A4)")

    ver = command("verify", cmd_verify, "check a printed verification code against the visit's record")
    ver.add_argument("code", metavar="CODE", help="the QR payload (FM1-...) or the short code XXXX-XXXX-XXXX-XXXX")

    lay = command("report-layout", cmd_layout, "show or set the document layout of a campaign (JSON)")
    lay.add_argument("campaign", metavar="CAMPAIGN_ID", help="a campaign id, or 'default'")
    group = lay.add_mutually_exclusive_group()
    group.add_argument("--set", metavar="FILE.json", help="store this layout for the campaign")
    group.add_argument("--reset", action="store_true", help="forget the campaign's layout")


def cmd_report(args: argparse.Namespace) -> int:
    from app.reports import write_report

    with Profile.open(resolve_data_dir(args.data_dir), create=False) as profile:
        options = {"kind": args.kind, "lang": args.lang}
        if args.paper:
            options["paper"] = args.paper
        # A target that cannot take the file (missing folder, a file in the way) is refused
        # with its reason before the document is built: OutputError, exit 1.
        built = write_report(profile, args.visit_id, Path(args.out), **options)
    for warning in built.warnings:
        print(f"fieldmark: warning: {warning}", file=sys.stderr)
    print(f"{args.out}: {built.pages} page(s), {len(built.pdf) // 1024} KB")
    return 0


def cmd_verify(args: argparse.Namespace) -> int:
    from app.reports import verify_code

    with Profile.open(resolve_data_dir(args.data_dir), create=False, read_only=True) as profile:
        result = verify_code(profile, args.code)
    print(("OK: " if result.ok else "NOT VERIFIED: ") + result.message)
    return 0 if result.ok else 1


def cmd_layout(args: argparse.Namespace) -> int:
    from app.reports import load_layout, reset_layout, save_layout

    campaign = None if args.campaign == "default" else args.campaign
    with Profile.open(resolve_data_dir(args.data_dir), create=False) as profile:
        if args.set:
            try:
                doc = json.loads(Path(args.set).read_text(encoding="utf-8"))
            except OSError as exc:
                raise InvalidAnswer(f"cannot read {args.set}: {exc.strerror}") from exc
            except json.JSONDecodeError as exc:
                raise InvalidAnswer(f"{args.set} is not JSON: {exc}") from exc
            save_layout(profile, doc, campaign)
        elif args.reset:
            reset_layout(profile, campaign)
        layout = load_layout(profile, campaign)
    print(json.dumps(layout.to_json(), ensure_ascii=False, indent=2))
    return 0
