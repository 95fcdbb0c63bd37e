"""CLI commands about rubrics: list, validate, import and export (``fieldmark score`` is in
``cli_score``)."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from app.canonical import dumps_exact, loads_exact
from app.errors import FieldmarkError, RubricError
from app.paths import resolve_data_dir
from app.profile import Profile

if TYPE_CHECKING:
    from app.rubric import Rubric


def register(sub, add_data_dir, command) -> None:  # noqa: ANN001 - argparse internals
    rubric = sub.add_parser("rubric", help="rubric templates")
    r_sub = rubric.add_subparsers(dest="rubric_command", metavar="SUBCOMMAND", required=True)

    def rcommand(name: str, handler, help: str) -> argparse.ArgumentParser:  # noqa: ANN001
        p = r_sub.add_parser(name, help=help, description=help)
        add_data_dir(p)
        p.set_defaults(handler=handler)
        return p

    rlist = rcommand("list", cmd_list, "list the rubric versions stored in the profile")
    rlist.add_argument("--json", action="store_true")
    validate = rcommand("validate", cmd_validate, "check a rubric file (.json or .xlsx); exit 1 listing every problem")
    validate.add_argument("file", type=Path)
    imp = rcommand("import", cmd_import, "validate a rubric file and store it as a new version")
    imp.add_argument("file", type=Path)
    export = rcommand("export", cmd_export, "write a stored rubric to a file")
    export.add_argument("ref", metavar="ID", help="rubric id (newest version) or hash prefix")
    export.add_argument("--xlsx", type=Path, metavar="OUT", help="write a spreadsheet")
    export.add_argument("--json", type=Path, metavar="OUT", dest="json_out", help="write the JSON document")
    template = rcommand("template", cmd_template,
                        "write an empty rubric workbook to fill in (one example row per item kind)")
    template.add_argument("--xlsx", type=Path, metavar="OUT", required=True, help="the workbook to write")
    from app import cli_rubric_print

    cli_rubric_print.register(rcommand)

    from app import cli_score

    cli_score.register(command)


def read_json(path: Path, what: str) -> dict:
    """A JSON object file (answers, profile) with exact numbers; problems as FieldmarkError."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise FieldmarkError(f"cannot read the {what} {path}: {exc.strerror}") from exc
    except UnicodeDecodeError as exc:
        raise FieldmarkError(f"the {what} {path} is not UTF-8 text") from exc
    try:
        # Exact numbers: an answer of 10.0000000000000000000001 is above 10, not the float 10.0.
        doc = loads_exact(text)
    except json.JSONDecodeError as exc:
        raise FieldmarkError(f"{path} line {exc.lineno}, column {exc.colno}: {exc.msg}") from exc
    if not isinstance(doc, dict):
        raise FieldmarkError(f"the {what} {path} must hold a JSON object")
    return doc


def cmd_list(args: argparse.Namespace) -> int:
    from app.rubric_store import list_rubrics

    with Profile.open(resolve_data_dir(args.data_dir), read_only=True) as profile:
        refs = list_rubrics(profile)
    if args.json:
        print(json.dumps([r.__dict__ for r in refs], ensure_ascii=False, indent=2))
        return 0
    if not refs:
        print("no rubrics stored; import one with `fieldmark rubric import FILE`")
    for r in refs:
        print(f"{r.rubric_id:<28} {r.version:<10} {r.hash[:12]}  {r.name_zh} / {r.name_en}")
    return 0


def read_rubric(path: Path) -> tuple[dict, Rubric]:
    """A rubric file (.json or .xlsx) validated: its document and the rubric. A workbook's
    problems name their sheet, row and column, not a JSON path the author never sees."""
    from app.rubric import load_rubric
    from app.rubric.validate import build_rubric, validate_document
    from app.rubric.xlsx import read_rubric_file, read_xlsx_located

    if path.suffix.lower() not in (".xlsx", ".xlsm"):
        doc = read_rubric_file(path)
        return doc, load_rubric(doc)
    doc, locator = read_xlsx_located(path)
    # What the reader accepted but changed ("10分" read as 10): said, so the author can tidy it.
    for note in locator.notes:
        print(f"note: {note}", file=sys.stderr)
    problems = validate_document(doc)
    if problems:
        raise RubricError(f"{path.name}: rubric {doc.get('id')} is invalid",
                          problems=[locator.locate(p) for p in problems])
    return doc, build_rubric(doc)


def cmd_validate(args: argparse.Namespace) -> int:
    _, rubric = read_rubric(args.file)
    print(f"{args.file}: valid ({rubric.id} {rubric.version}, {len(rubric.items)} items, hash {rubric.content_hash[:12]})")
    return 0


def cmd_import(args: argparse.Namespace) -> int:
    from app.rubric_store import import_document

    doc, _ = read_rubric(args.file)
    with Profile.open(resolve_data_dir(args.data_dir)) as profile:
        ref, new = import_document(profile, doc)
    state = "imported" if new else "already stored"
    print(f"{state}: {ref.rubric_id} {ref.version} ({ref.hash[:12]})")
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    from app.rubric.xlsx import write_xlsx
    from app.rubric_store import get_document, resolve

    if not args.xlsx and not args.json_out:
        raise FieldmarkError("say where to write: --xlsx OUT and/or --json OUT")
    with Profile.open(resolve_data_dir(args.data_dir), read_only=True) as profile:
        ref = resolve(profile, args.ref)
        doc = get_document(profile, ref.hash)
    try:
        if args.xlsx:
            write_xlsx(doc, args.xlsx)
            print(f"wrote {args.xlsx}")
        if args.json_out:
            args.json_out.write_text(dumps_exact(doc, indent=2) + "\n", encoding="utf-8")
            print(f"wrote {args.json_out}")
    except OSError as exc:
        raise FieldmarkError(f"cannot write the export: {exc.strerror} ({exc.filename})") from exc
    return 0


def cmd_template(args: argparse.Namespace) -> int:
    from app.rubric.xlsx_template import write_template

    write_template(args.xlsx)
    print(f"wrote {args.xlsx}")
    return 0
