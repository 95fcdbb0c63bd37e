"""Spreadsheet authoring of rubrics: read and write the .xlsx layout, open a rubric file.

Offices write rubrics in Excel; this module turns a workbook into a ``fieldmark.rubric/1``
document and back. The layout is documented in docs/rubrics.md ("Spreadsheet layout") and
defined in ``xlsx_columns``; reading lives in ``xlsx_read``, writing in ``xlsx_write``.

Run as a script to convert files or regenerate the example workbook::

    python -m app.rubric.xlsx to-xlsx rubric.json rubric.xlsx
    python -m app.rubric.xlsx to-json rubric.xlsx [rubric.json]
    python -m app.rubric.xlsx example
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from app.canonical import dumps_exact, loads_exact
from app.errors import RubricError
from app.rubric.validate import validate_document
from app.rubric.xlsx_read import Locator, read_xlsx, read_xlsx_located
from app.rubric.xlsx_write import write_xlsx

__all__ = ["read_xlsx", "read_xlsx_located", "write_xlsx", "validate_xlsx", "read_rubric_file",
           "read_json", "Locator", "EXAMPLE_SOURCE", "EXAMPLE_WORKBOOK"]

_ROOT = Path(__file__).resolve().parents[2]
EXAMPLE_SOURCE = _ROOT / "resources" / "rubrics" / "civilized-unit.json"
EXAMPLE_WORKBOOK = _ROOT / "resources" / "rubrics" / "examples" / "civilized-unit-example.xlsx"


def _no_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    # json.loads keeps the last of two equal keys silently; an authoring mistake, so refuse.
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise ValueError(f"duplicate key {key!r} in one object")
        result[key] = value
    return result


def read_json(path: str | Path) -> dict[str, Any]:
    """A rubric JSON file as a dict; syntax errors name the line and column."""
    path = Path(path)
    name = path.name
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise RubricError(f"{name}: file not found", problems=[f"{path}: file not found"]) from None
    except OSError as exc:
        raise RubricError(f"{name}: cannot be read ({exc.strerror or exc})") from None
    try:
        # utf-8-sig: Notepad on Windows saves UTF-8 with a byte-order mark.
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        message = f"{name}: not UTF-8 text (byte {exc.start}); save the file as UTF-8"
        raise RubricError(message, problems=[message]) from None
    try:
        # Exact numbers: 10.0000000000000000000001 must not become the float 10.0.
        doc = loads_exact(text, object_pairs_hook=_no_duplicate_keys)
    except json.JSONDecodeError as exc:
        message = f"{name} line {exc.lineno}, column {exc.colno}: {exc.msg}"
        raise RubricError(message, problems=[message]) from None
    except ValueError as exc:
        message = f"{name}: {exc}"
        raise RubricError(message, problems=[message]) from None
    if not isinstance(doc, dict):
        message = f"{name}: a rubric is a JSON object, not {type(doc).__name__}"
        raise RubricError(message, problems=[message])
    return doc


def read_rubric_file(path: str | Path) -> dict[str, Any]:
    """Read a rubric document from a .json or .xlsx file (chosen by suffix).

    Returns the document dict unvalidated; raises RubricError for an unreadable file.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix == ".json":
        return read_json(path)
    if suffix in (".xlsx", ".xlsm"):
        return read_xlsx(path)
    if suffix == ".xls":
        message = (f"{path.name}: old Excel 97-2003 (.xls) files are not supported; "
                   "save it as 'Excel Workbook (*.xlsx)'")
    else:
        message = f"{path.name}: unsupported file type '{suffix or '(none)'}'; use .json or .xlsx"
    raise RubricError(message, problems=[message])


def validate_xlsx(path: str | Path) -> list[str]:
    """Every problem of a workbook, each naming its sheet, row and column; empty when valid.

    Reading problems come first (the document cannot be built past them); otherwise the
    engine's ``validate_document`` runs and its JSON places are turned into sheet rows, so an
    office author never has to count ``sections[2].items[0]`` by hand.
    """
    try:
        doc, locator = read_xlsx_located(path)
    except RubricError as exc:
        return list(exc.problems) or [str(exc)]
    return [locator.locate(problem) for problem in validate_document(doc)]


def write_example(source: Path = EXAMPLE_SOURCE, target: Path = EXAMPLE_WORKBOOK,
                  *, force: bool = False) -> Path:
    """Regenerate the example workbook shipped in resources/rubrics/examples/.

    An up-to-date workbook is left alone unless ``force``: every save stamps new times into the
    package, and a committed binary should change only when its content does.
    """
    doc = read_json(source)
    if not force and target.is_file():
        try:
            if read_xlsx(target) == doc:
                return target
        except RubricError:
            pass  # unreadable or outdated layout: rewrite it
    target.parent.mkdir(parents=True, exist_ok=True)
    write_xlsx(doc, target)
    if read_xlsx(target) != doc:  # the example must be a faithful copy of its source
        raise RubricError(f"{target.name}: does not read back equal to {source.name}")
    return target


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m app.rubric.xlsx", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)
    to_xlsx = commands.add_parser("to-xlsx", help="write a rubric (.json or .xlsx) as a workbook")
    to_xlsx.add_argument("source", type=Path)
    to_xlsx.add_argument("target", type=Path)
    to_json = commands.add_parser("to-json", help="read a workbook and print or save its JSON")
    to_json.add_argument("source", type=Path)
    to_json.add_argument("target", type=Path, nargs="?")
    example = commands.add_parser("example", help="regenerate the example workbook")
    example.add_argument("--source", type=Path, default=EXAMPLE_SOURCE)
    example.add_argument("--target", type=Path, default=EXAMPLE_WORKBOOK)
    example.add_argument("--force", action="store_true",
                         help="rewrite even when the workbook already matches its source")
    args = parser.parse_args(argv)
    try:
        if args.command == "to-xlsx":
            write_xlsx(read_rubric_file(args.source), args.target)
        elif args.command == "to-json":
            text = dumps_exact(read_rubric_file(args.source), indent=2) + "\n"
            if args.target is None:
                sys.stdout.write(text)
            else:
                args.target.write_text(text, encoding="utf-8")
        else:
            print(write_example(args.source, args.target, force=args.force))
    except RubricError as exc:
        print(f"error: {exc}", file=sys.stderr)
        for problem in exc.problems:
            print(f"  {problem}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
