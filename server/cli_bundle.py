"""`fieldmark-server bundle import FILE`: an offline bundle (*.fmbundle) applied as a push."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from server.cli_support import store_options
from server.errors import ServerError


def register(sub: Any) -> None:
    bundle = sub.add_parser("bundle", help="offline bundles").add_subparsers(dest="action", required=True)
    p = bundle.add_parser("import", help="apply a *.fmbundle with the same checks as a push")
    store_options(p)
    p.add_argument("--blobs", default=None)
    p.add_argument("file", type=Path)
    p.set_defaults(func=cmd_bundle_import)


def cmd_bundle_import(args: argparse.Namespace) -> int:
    raise ServerError("bundle import is not available in this build")
