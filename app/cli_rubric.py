"""CLI commands about rubrics: list, validate, import, export, and scoring an answers file."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from app.canonical import dumps_exact, loads_exact
from app.errors import FieldmarkError, RubricError
from app.paths import resolve_data_dir
from app.profile import Profile


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

    score = command("score", cmd_score, "score an answers file against a rubric and print the result")
    score.add_argument("rubric", help="a rubric file (.json/.xlsx) or a stored rubric id / hash prefix")
    score.add_argument("answers", type=Path, metavar="ANSWERS.json")
    score.add_argument("--profile", type=Path, metavar="PROFILE.json", dest="unit_profile",
                       help="the unit's type and profile numbers, for prorating")
    score.add_argument("--json", action="store_true", help="print the full result as JSON")


def _read_json(path: Path, what: str) -> dict:
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


def cmd_validate(args: argparse.Namespace) -> int:
    from app.rubric import load_rubric
    from app.rubric.xlsx import read_rubric_file

    rubric = load_rubric(read_rubric_file(args.file))
    print(f"{args.file}: valid ({rubric.id} {rubric.version}, {len(rubric.items)} items, hash {rubric.content_hash[:12]})")
    return 0


def cmd_import(args: argparse.Namespace) -> int:
    from app.rubric.xlsx import read_rubric_file
    from app.rubric_store import import_document

    doc = read_rubric_file(args.file)
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


def _load_rubric_arg(args: argparse.Namespace):  # noqa: ANN202
    from app.rubric import load_rubric
    from app.rubric.xlsx import read_rubric_file

    path = Path(args.rubric)
    if path.suffix.lower() in (".json", ".xlsx") or path.exists():
        return load_rubric(read_rubric_file(path))
    from app.rubric_store import get_rubric, resolve

    try:
        with Profile.open(resolve_data_dir(args.data_dir), read_only=True) as profile:
            return get_rubric(profile, resolve(profile, args.rubric).hash)
    except FieldmarkError as exc:
        raise RubricError(f"{args.rubric!r} is neither a rubric file nor a stored rubric: {exc}") from exc


def cmd_score(args: argparse.Namespace) -> int:
    from app.rubric import score
    from app.rubric.answers import load_answers, load_profile

    rubric = _load_rubric_arg(args)
    answers = load_answers(_read_json(args.answers, "answers file"), rubric)
    unit = load_profile(_read_json(args.unit_profile, "profile file")) if args.unit_profile else None
    result = score(rubric, answers, unit)
    if args.json:
        print(json.dumps(result.to_json(), ensure_ascii=False, indent=2))
        return 0
    print(summary(result))
    return 0


def summary(result) -> str:  # noqa: ANN001 - a ScoreResult
    """A short human-readable score: sections, total, band, vetoes and gaps (Chinese first)."""
    rubric = result.rubric
    lines = [f"{rubric.name.zh} / {rubric.name.en}  ({rubric.version})"]
    for code, sec in result.sections.items():
        name = rubric.sections_by_code[code].name
        lines.append(f"  {code:<8} {name.zh:<16} {result.display(sec.awarded):>8} / {result.display(sec.maximum)}")
    lines.append(f"  总分 total   {result.display(result.awarded)} / {result.display(result.maximum)}"
                 + (f"  + 加分 bonus {result.display(result.bonus)}" if result.bonus else ""))
    if result.percentage is not None:
        lines.append(f"  得分率 percentage  {result.display(result.percentage)}%")
    if result.band is not None:
        lines.append(f"  等级 band   {result.band.label.zh} / {result.band.label.en}")
    for veto in result.vetoes:
        lines.append(f"  一票否决 veto  {veto.label.zh} / {veto.label.en}")
    lines.append(f"  缺漏 gaps   {result.gap_count}")
    return "\n".join(lines)
