"""`fieldmark-server release set|show|clear`: the newest desktop release the office offers, which
every laptop names with its download link at its next sync (server.releases)."""

from __future__ import annotations

import argparse
import json
from dataclasses import asdict
from typing import Any

from server import releases
from server.cli_support import Parser, open_store, store_options


def register(sub: Any) -> None:
    release = sub.add_parser("release", help="the desktop release the laptops are told about").add_subparsers(
        dest="action", required=True, parser_class=Parser)
    p = release.add_parser("set", help="offer a release: its version and the office's download link")
    store_options(p)
    p.add_argument("version", help="such as 1.4.2 (or 2.0rc1)")
    p.add_argument("download_url", help="an http(s) link the inspectors can open")
    p.add_argument("--notes-zh", default="", help="one line on what is new, in Chinese")
    p.add_argument("--notes-en", default="", help="the same in English")
    p.set_defaults(func=cmd_release_set)
    p = release.add_parser("show", help="the release offered now")
    store_options(p)
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_release_show)
    p = release.add_parser("clear", help="offer no release any more")
    store_options(p)
    p.set_defaults(func=cmd_release_clear)


def cmd_release_set(args: argparse.Namespace) -> int:
    with open_store(args).begin() as conn:
        release = releases.set_release(conn, version=args.version, download_url=args.download_url,
                                       notes_zh=args.notes_zh, notes_en=args.notes_en)
    print(f"offering Fieldmark {release.version}: {release.download_url}")
    return 0


def cmd_release_show(args: argparse.Namespace) -> int:
    with open_store(args).connect() as conn:
        release = releases.get_release(conn)
    if args.json:
        print(json.dumps(asdict(release) if release else None, ensure_ascii=False, indent=2))
    elif release is None:
        print("no release offered; set one with `fieldmark-server release set VERSION URL`")
    else:
        print(f"Fieldmark {release.version}: {release.download_url}")
    return 0


def cmd_release_clear(args: argparse.Namespace) -> int:
    with open_store(args).begin() as conn:
        cleared = releases.clear_release(conn)
    print("no release offered any more" if cleared else "no release was offered")
    return 0
