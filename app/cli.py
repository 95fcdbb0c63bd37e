"""The ``fieldmark`` command line. Every subcommand takes ``--data-dir``.

Errors the user can act on (FieldmarkError) print as one clear line and exit 1; argument
mistakes exit 2, as argparse does.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Sequence
from typing import NoReturn

from app import __version__
from app.errors import FieldmarkError


class _Parser(argparse.ArgumentParser):
    """argparse, with its error line starting ``fieldmark:`` like every other error of the CLI."""

    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        command = self.prog.removeprefix("fieldmark").strip()  # "visits list" for a subcommand
        self.exit(2, f"fieldmark: {command + ': ' if command else ''}{message}\n")


def _add_data_dir(parser: argparse.ArgumentParser, *, top: bool = False) -> None:
    # Subcommands accept --data-dir too; SUPPRESS keeps their unset option from overwriting
    # one given before the subcommand (`fieldmark --data-dir X status`).
    parser.add_argument(
        "--data-dir", metavar="DIR", default=None if top else argparse.SUPPRESS,
        help="profile folder (default: $FIELDMARK_DATA_DIR, else the platform's user data folder)",
    )


def build_parser() -> argparse.ArgumentParser:
    from app import (
        cli_backup,
        cli_bundle,
        cli_evidence,
        cli_print,
        cli_profile,
        cli_report,
        cli_rubric,
        cli_settings,
        cli_sync,
    )

    parser = _Parser(
        prog="fieldmark", description="Fieldmark: offline-first inspection checklists, scoring and feedback."
    )
    parser.add_argument("--version", action="version", version=f"fieldmark {__version__}")
    _add_data_dir(parser, top=True)
    parser.set_defaults(handler=cli_profile.cmd_status)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    def command(name: str, handler: Callable[[argparse.Namespace], int], help: str) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=help, description=help)
        _add_data_dir(p)
        p.set_defaults(handler=handler)
        return p

    cli_profile.register(sub, _add_data_dir, command)
    cli_rubric.register(sub, _add_data_dir, command)
    cli_evidence.register(sub, _add_data_dir, command)
    cli_report.register(sub, _add_data_dir, command)
    cli_print.register(sub, _add_data_dir, command)
    cli_settings.register(sub, _add_data_dir, command)
    cli_sync.register(sub, _add_data_dir, command)
    cli_bundle.register(sub, _add_data_dir, command)
    cli_backup.register(sub, _add_data_dir, command)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        code = int(args.handler(args))
        sys.stdout.flush()  # here, not at exit, so a closed pipe is caught below
        return code
    except BrokenPipeError:
        # The reader stopped early (`fieldmark visits list --json | head -1`): the rest of the
        # output has nowhere to go. Send it to devnull so the flush at exit does not raise again.
        _discard_stdout()
        return 1
    except FieldmarkError as exc:
        message = str(exc)
        print(f"fieldmark: {message}", file=sys.stderr)
        for problem in getattr(exc, "problems", []) or []:
            if problem != message:  # a lone problem is often the message itself: say it once
                print(f"  - {problem}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


def _discard_stdout() -> None:
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):  # stdout is not a file (captured, or already closed)
        pass


if __name__ == "__main__":
    raise SystemExit(main())
