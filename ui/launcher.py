"""The ``fieldmark`` console command: the desktop with no arguments (or only ``--data-dir``), else the CLI.

Qt is imported only on the desktop path, so CLI subcommands start fast and work on a machine
without Qt's system libraries.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence

# Set to 1 to quit as soon as the main window is shown and the event loop idle, printing the
# time (the frozen build's smoke test and cold-start benchmark, which cannot pass a hidden flag
# through a desktop shortcut).
EXIT_WHEN_READY = "FIELDMARK_EXIT_WHEN_READY"


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

    if os.environ.get(EXIT_WHEN_READY) == "1":
        args.append("--exit-when-ready")
    return desktop_main(args)


if __name__ == "__main__":
    raise SystemExit(main())
