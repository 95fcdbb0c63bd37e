"""The ``fieldmark`` console command: the desktop with no arguments, the CLI with any.

Qt is imported only on the desktop path, so CLI subcommands start fast and work on a machine
without Qt's system libraries.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if args:
        from app.cli import main as cli_main

        return cli_main(args)
    from ui.app import main as desktop_main

    return desktop_main([])


if __name__ == "__main__":
    raise SystemExit(main())
