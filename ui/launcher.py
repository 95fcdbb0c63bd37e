"""The ``fieldmark`` console command: the desktop with no arguments (or only ``--data-dir``), else the CLI.

Qt is imported only on the desktop path, so CLI subcommands start fast and work on a machine
without Qt's system libraries.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence


def _desktop_args(args: list[str]) -> bool:
    """No arguments, or only ``--data-dir DIR``: the desktop, on that profile."""
    return not args or (len(args) == 2 and args[0] == "--data-dir") or (
        len(args) == 1 and args[0].startswith("--data-dir="))


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if not _desktop_args(args):
        from app.cli import main as cli_main

        return cli_main(args)
    from ui.app import main as desktop_main

    return desktop_main(args)


if __name__ == "__main__":
    raise SystemExit(main())
