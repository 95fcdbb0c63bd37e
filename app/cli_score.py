"""``fieldmark score``: score one answers file, or several checks combined, against a rubric.

The text output says everything the ``--json`` output says, so an office reading the terminal
sees what the band was decided on, every indicator mismatch and every gap, not a summary of them.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable, Sequence
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from app.errors import FieldmarkError, InvalidAnswer, RubricError
from app.paths import resolve_data_dir
from app.profile import Profile

if TYPE_CHECKING:
    from app.rubric import CombinedResult, Rubric, ScoreResult, Section


def register(command: Callable[..., argparse.ArgumentParser]) -> None:
    score = command("score", cmd_score, "score answers files against a rubric and print the result; "
                    "several files are checks combined by the rubric's combine rule")
    score.add_argument("rubric", help="a rubric file (.json/.xlsx) or a stored rubric id / hash prefix")
    score.add_argument("answers", type=Path, nargs="+", metavar="ANSWERS.json",
                       help="one answers file, or one per check (e.g. 8 monthly checks) to combine")
    score.add_argument("--profile", type=Path, metavar="PROFILE.json", dest="unit_profile",
                       help="the unit's type and profile numbers, for prorating")
    score.add_argument("--json", action="store_true", help="print the full result as JSON")


def cmd_score(args: argparse.Namespace) -> int:
    from app.cli_rubric import read_json
    from app.rubric import combine_results, score
    from app.rubric.answers import load_profile

    rubric = _load_rubric_arg(args)
    unit = load_profile(read_json(args.unit_profile, "profile file")) if args.unit_profile else None
    results = [score(rubric, _answers(path, rubric), unit) for path in args.answers]
    if len(results) == 1:
        print(json.dumps(results[0].to_json(), ensure_ascii=False, indent=2) if args.json else summary(results[0]))
        return 0
    try:
        combined = combine_results(rubric, results)
    except ValueError as exc:  # more checks than the rubric combines
        raise FieldmarkError(str(exc)) from exc
    if args.json:
        print(json.dumps(combined_json(rubric, combined, args.answers, results), ensure_ascii=False, indent=2))
    else:
        print(combined_summary(combined, args.answers, results))
    return 0


def _answers(path: Path, rubric: Rubric) -> dict[str, Any]:
    from app.cli_rubric import read_json
    from app.rubric.answers import load_answers

    try:
        return load_answers(read_json(path, "answers file"), rubric)
    except InvalidAnswer as exc:
        # With several checks the file must be named; the problems stay as they are.
        raise _with_problems(InvalidAnswer(f"{path}: {exc}"), getattr(exc, "problems", [])) from exc


def _with_problems(exc: InvalidAnswer, problems: list[str]) -> InvalidAnswer:
    exc.problems = problems  # type: ignore[attr-defined]
    return exc


def _load_rubric_arg(args: argparse.Namespace) -> Rubric:
    from app.cli_rubric import read_rubric

    path = Path(args.rubric)
    if path.suffix.lower() in (".json", ".xlsx") or path.exists():
        return read_rubric(path)[1]
    from app.rubric_store import get_rubric, resolve

    try:
        with Profile.open(resolve_data_dir(args.data_dir), read_only=True) as profile:
            return get_rubric(profile, resolve(profile, args.rubric).hash)
    except FieldmarkError as exc:
        raise RubricError(f"{args.rubric!r} is neither a rubric file nor a stored rubric: {exc}") from exc


# --- text -------------------------------------------------------------------------------------


def _exact(value: Decimal) -> str:
    return format(value.normalize(), "f")


def _shown(rubric: Rubric, value: Decimal | None, *, exact: bool = False, unit: str = "") -> str:
    """``value`` at the rubric's display places (half up); with ``exact``, the exact figure too
    when rounding changed it, for figures a band is decided on (899.96 must not read as 900)."""
    if value is None:
        return "—"
    shown = format(value.quantize(Decimal(1).scaleb(-rubric.rounding_places), rounding=ROUND_HALF_UP), "f")
    if exact and Decimal(shown) != value:
        return f"{shown}{unit} (= {_exact(value)}{unit})"
    return shown + unit


def _label(label: Any) -> str:
    return f"{label.zh} / {label.en}"


def summary(result: ScoreResult) -> str:
    """Everything ``ScoreResult.to_json()`` holds, for a terminal (Chinese first)."""
    rubric = result.rubric

    def shown(value: Decimal | None, exact: bool = False) -> str:
        return _shown(rubric, value, exact=exact)

    lines = [f"{_label(rubric.name)}  ({rubric.version})",
             f"  细则 rubric  {rubric.id} {rubric.version}, hash {rubric.content_hash}"]
    for sec in rubric.sections:
        lines += _section_lines(result, sec, 1)
    if rubric.bonus_items:
        lines.append("  加分项 bonus items")
        lines += [_item_line(result, it.code, 2) for it in rubric.bonus_items]
    total = f"  总分 total   {shown(result.awarded)} / {shown(result.maximum)}"
    if result.nominal_maximum != result.maximum:
        total += f"  (满分 nominal maximum {shown(result.nominal_maximum)})"
    lines.append(total)
    if rubric.bonus_items:
        bonus = f"  加分 bonus   {shown(result.bonus)}"
        if result.bonus_raw != result.bonus:
            bonus += f"  (earned {shown(result.bonus_raw)}, capped at {shown(rubric.bonus_cap)})"
        lines.append(bonus)
        lines.append(f"  含加分 total with bonus   {shown(result.total_with_bonus)}")
    if result.percentage is not None:
        lines.append(f"  得分率 percentage   {_shown(rubric, result.percentage, exact=True, unit='%')}")
    if result.prorated:
        lines.append(f"  折算 prorated: normalised total {shown(result.normalised_total, True)} "
                     f"of {shown(result.nominal_maximum)}")
    basis = "percentage" if rubric.bands_basis == "percent" else (
        ("normalised total" if result.prorated else "total") + (" with bonus" if rubric.bonus_items else ""))
    percent = "%" if rubric.bands_basis == "percent" else ""
    lines.append(f"  定级依据 band decided on   {_shown(rubric, result.band_value, exact=True, unit=percent)} ({basis})")
    if result.band is not None:
        lines.append(f"  等级 band   {_label(result.band.label)}" + ("  (一票否决 failed by a veto)" if result.failed else ""))
    for veto in result.vetoes:
        effect = "fail" if veto.effect == "fail" else f"band capped at {veto.cap_band}"
        lines.append(f"  一票否决 veto  {_label(veto.label)}  (item {veto.item}: {effect})")
    if result.indicators:
        lines.append("  指标 indicators")
        lines += [_indicator_line(result, ind) for ind in result.indicators]
    lines.append(f"  缺漏 gaps   {result.gap_count}")
    lines += [f"    {gap.message}" for gap in result.gaps]
    if result.notes:
        lines.append("  注 notes")
        lines += [f"    {note}" for note in result.notes]
    return "\n".join(lines)


def _section_lines(result: ScoreResult, sec: Section, depth: int) -> list[str]:
    res = result.sections[sec.code]
    pad = "  " * depth
    line = (f"{pad}{sec.code:<8} {sec.name.zh}  {_shown(result.rubric, res.awarded)} / "
            f"{_shown(result.rubric, res.maximum)}  ({res.answered_count}/{res.total_count} answered)")
    if res.share is not None:
        line += f"  share {_exact(res.share)}"
    if sec.cap is not None:
        line += f"  cap {_exact(sec.cap)}"
    lines = [line]
    lines += [_item_line(result, it.code, depth + 1) for it in sec.items]
    for sub in sec.sections:
        lines += _section_lines(result, sub, depth + 1)
    return lines


def _item_line(result: ScoreResult, code: str, depth: int) -> str:
    item = result.items[code]
    line = f"{'  ' * depth}{code:<8} {_shown(result.rubric, item.awarded)} / {_shown(result.rubric, item.maximum)}"
    if not item.applicable:
        line += "  不适用 N/A (its condition does not hold)"
    elif item.na:
        line += "  不适用 N/A"
    gaps = [g.replace("_", " ") for g in item.gaps]
    if gaps:
        line += "  缺漏 " + ", ".join(gaps)
    return line


def _indicator_line(result: ScoreResult, ind: Any) -> str:
    spec = result.rubric.items[ind.code].indicator
    unit = "%" if spec is not None and spec.rate and spec.denominator is not None else ""
    target = "" if spec is None else f" (target {spec.comparator} {_exact(spec.target)}{unit})"
    line = f"    {ind.code:<8} {_shown(result.rubric, ind.value, exact=True, unit=unit)}{target}  " + (
        "met" if ind.met else "not met")
    if ind.mismatch and ind.value is not None and ind.reported is not None:
        line += f"; MISMATCH: reported {_exact(ind.reported)}{unit}, computed {_exact(ind.value)}{unit}"
    elif ind.reported is not None:
        line += f"; reported {_exact(ind.reported)}{unit}"
    if ind.note:
        line += f"  ({ind.note})"
    return line


# --- several checks ---------------------------------------------------------------------------


def combined_summary(combined: CombinedResult, paths: Sequence[Path], results: Sequence[ScoreResult]) -> str:
    """One line per check, then the combined figures the band is decided on."""
    rubric = results[0].rubric

    def shown(value: Decimal | None, exact: bool = False) -> str:
        return _shown(rubric, value, exact=exact)

    lines = [f"{_label(rubric.name)}  ({rubric.version})",
             f"  细则 rubric  {rubric.id} {rubric.version}, hash {rubric.content_hash}"]
    for n, (path, res) in enumerate(zip(paths, results, strict=True), 1):
        band = "" if res.band is None else f"  {_label(res.band.label)}"
        vetoes = f"  一票否决 veto {', '.join(v.code for v in res.vetoes)}" if res.vetoes else ""
        lines.append(f"  检查 check {n}  {path}  {shown(res.total_with_bonus)} / {shown(res.maximum)}"
                     f"{band}{vetoes}  缺漏 gaps {res.gap_count}")
    expected = "" if combined.expected is None else f" of the {combined.expected} the rubric combines"
    lines.append(f"  合成 combined: {combined.method} of {combined.checks} checks{expected}"
                 + ("" if combined.complete else "  (不完整 incomplete)"))
    lines.append(f"  总分 total   {shown(combined.awarded, True)} / {shown(combined.maximum, True)}")
    if combined.bonus:
        lines.append(f"  加分 bonus   {shown(combined.bonus, True)}")
        lines.append(f"  含加分 total with bonus   {shown(combined.total_with_bonus, True)}")
    percent = "%" if rubric.bands_basis == "percent" else ""
    lines.append(f"  定级依据 band decided on   {_shown(rubric, combined.band_value, exact=True, unit=percent)}")
    if combined.band is not None:
        lines.append(f"  等级 band   {_label(combined.band.label)}"
                     + ("  (一票否决 failed by a veto)" if combined.failed else ""))
    for veto in combined.vetoes:
        lines.append(f"  一票否决 veto  {_label(veto.label)}  (item {veto.item})")
    return "\n".join(lines)


def combined_json(rubric: Rubric, combined: CombinedResult, paths: Sequence[Path],
                  results: Sequence[ScoreResult]) -> dict[str, Any]:
    return {
        "rubric": {"id": rubric.id, "version": rubric.version, "content_hash": rubric.content_hash},
        "combined": combined.to_json(),
        "checks": [{"file": str(path), "result": res.to_json()} for path, res in zip(paths, results, strict=True)],
    }

