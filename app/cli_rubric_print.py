"""``fieldmark rubric print``: a rubric's self-assessment form (自评表) as a PDF.

    fieldmark rubric print standardized-school --out 自评表.pdf [--lang en] [--paper letter]
    fieldmark rubric print my-rubric.xlsx --out form.pdf     # a rubric file, not yet imported

RUBRIC is a stored rubric (its id for the newest version, or a hash prefix), as ``fieldmark
rubric export`` takes it, or the path of a rubric file (.json or .xlsx). A stored rubric's
form carries the profile's office name (the ``office_name`` setting) at the head of each page.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from app.paths import resolve_data_dir
from app.profile import Profile

FILE_SUFFIXES = (".json", ".xlsx", ".xlsm")


def register(rcommand) -> None:  # noqa: ANN001 - cli_rubric's sub-command factory
    form = rcommand("print", cmd_print, "print a rubric as a self-assessment form (自评表) to fill in by hand, as PDF")
    form.add_argument("rubric", metavar="RUBRIC",
                      help="a stored rubric's id (newest version) or hash prefix, or a rubric file (.json/.xlsx)")
    form.add_argument("--out", required=True, type=Path, metavar="FILE.pdf", help="where to write the PDF")
    form.add_argument("--lang", choices=["zh", "en"], default="zh", help="form language (default zh)")
    form.add_argument("--paper", choices=["a4", "letter"], help="paper size, landscape (default: the paper_size setting, A4)")


def cmd_print(args: argparse.Namespace) -> int:
    from app.cli_rubric import read_rubric
    from app.reports.output import check_output
    from app.reports.self_assessment import write_self_assessment

    # A target that cannot take the file is refused with its reason before anything is read.
    check_output(args.out)
    path = Path(args.rubric)
    options = {"lang": args.lang}
    if path.suffix.lower() in FILE_SUFFIXES:
        _, rubric = read_rubric(path)
    else:
        from app.rubric_store import get_rubric, resolve
        from app.settings import get_setting

        with Profile.open(resolve_data_dir(args.data_dir), read_only=True) as profile:
            rubric = get_rubric(profile, resolve(profile, args.rubric).hash)
            options["office"] = str(get_setting(profile, "office_name") or "").strip()
            options["paper"] = str(get_setting(profile, "paper_size") or "a4")
    if args.paper:
        options["paper"] = args.paper
    built = write_self_assessment(rubric, args.out, **options)
    print(f"{args.out}: {built.pages} page(s), {len(built.pdf) // 1024} KB ({rubric.id} {rubric.version})")
    return 0
