"""A rubric's scoring rules in words, in Chinese and English, read from the rubric's data.

The unit that assesses itself reads the rule beside each item ("每缺一类功能教室，扣 5 分（最多 5
次），扣完为止"), the grade bands with the side of each boundary stated ("850 分（含）至 900 分
（不含）"), and each veto with the answer that triggers it. Nothing is worded per rubric.

Two documents say the rules and must say them alike: the self-assessment form
(``app.reports.self_assessment``) and the printed 评分标准 column of the rubric workbook
(``app.rubric.xlsx_standard``). So the wording lives here, beside the model it reads, and the
reports import it. Runs that must not be split across lines ("25 分") are marked with ``keep``:
the form's line breaker honours the marks, a spreadsheet cell takes the text ``unmarked``.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from app.rubric.model import Band, Item, Rubric, Veto

# Private-use characters around a run that no line break may fall inside.
KEEP_OPEN, KEEP_CLOSE = "\ue000", "\ue001"


def keep(text: str) -> str:
    """``text`` marked so that no line break falls inside it (a name, a date, a code)."""
    return f"{KEEP_OPEN}{text}{KEEP_CLOSE}" if text else text


def unmarked(text: str) -> str:
    """``text`` without keep marks, as it prints."""
    return text.replace(KEEP_OPEN, "").replace(KEEP_CLOSE, "")


def trim(number: str) -> str:
    """ "250.0" -> "250", "12.50" -> "12.5"; anything that is not a decimal number unchanged."""
    if "." not in number or not number.replace(".", "", 1).lstrip("-").isdigit():
        return number
    trimmed = number.rstrip("0").rstrip(".")
    return "0" if trimmed in ("-0", "") else trimmed


def plain(value: Decimal | int | float) -> str:
    """A number as written on paper (a count, a numerator, points), without a trailing ".0"."""
    d = Decimal(str(value))
    return trim(format(d, "f"))


_SYMBOL = {">=": "≥", ">": ">", "<=": "≤", "<": "<", "==": "="}


def _say(lang: str, zh: str, en: str) -> str:
    return en if lang == "en" else zh


def pts(value: Decimal, lang: str) -> str:
    """ "5 分" / "5 points" ("1 point"), kept on one line."""
    n = plain(value)
    return keep(f"{n} 分" if lang != "en" else f"{n} point{'' if n == '1' else 's'}")


def item_standard(item: Item, rubric: Rubric, lang: str) -> str:
    """What the form's 评分标准 column says of ``item``: how to check it (the rubric's
    guidance), its ``rule_lines``, and the vetoes it triggers."""
    lines = [item.guidance.text(lang)] if item.guidance and item.guidance.text(lang) else []
    lines.extend(rule_lines(item, rubric.items, lang))
    for veto in rubric.vetoes:
        if veto.item == item.code:
            lines.append(_say(lang, f"否决项 {veto.code}：{trigger_words(rubric, veto, lang)}即触发",
                              f"Veto {veto.code}: triggered when {trigger_words(rubric, veto, lang)}"))
    return "\n".join(lines)


def rule_lines(item: Item, items: Mapping[str, Item], lang: str) -> list[str]:
    """How ``item`` is scored, from its own fields alone: the rule of its kind, its condition,
    N/A and photo. ``items`` (by code) names the answer a condition waits for."""
    lines = []
    rule = _rule(item, lang)
    if rule:
        lines.append(rule)
    if item.when is not None:
        words = answer_words(items, item.when.item, item.when.equals, lang)
        lines.append(_say(lang, f"仅当 {item.when.item} 为“{words}”时评此项",
                          f"Assessed only when {item.when.item} is '{words}'"))
    if item.na_allowed:
        lines.append(_say(lang, "不适用时在说明栏注明，本项不计入应得分",
                          "If it does not apply, say so under Notes: the item leaves the maximum"))
    if item.photo_required:
        lines.append(_say(lang, "须附照片", "A photo is required"))
    return lines


def _rule(item: Item, lang: str) -> str:
    """How the kind of ``item`` turns an answer into points."""
    top = pts(item.maximum, lang)
    if item.kind == "points":
        low = plain(item.min)
        span = keep(f"{low}–{plain(item.max if item.max is not None else item.maximum)}")
        step = "" if item.step == 1 else _say(lang, f"，以 {plain(item.step)} 分为单位", f", in steps of {plain(item.step)}")
        return _say(lang, f"在 {span} 分之间评分{step}", f"Score {span} points{step}")
    if item.kind == "deduction":
        lines = []
        for d in item.deductions:
            most = "" if d.max_count is None else _say(lang, f"（最多 {d.max_count} 次）", f" (at most {d.max_count} times)")
            lines.append(_say(lang, f"{d.label.text(lang)}，扣 {pts(d.points, lang)}{most}",
                              f"{d.label.text(lang)}: −{pts(d.points, lang)}{most}"))
        lines.append(_say(lang, f"满分 {top}，扣完为止", f"From {top}, down to 0 at the lowest"))
        return "\n".join(lines)
    if item.kind == "passfail":
        if item.maximum == 0:
            return _say(lang, "填写“达标”或“不达标”（不计分）", "Write 'meets' or 'does not meet' (no points)")
        return _say(lang, f"达标得 {top}，不达标不得分", f"Meets the standard: {top}; does not: 0")
    if item.kind == "level":
        sep = _say(lang, "；", "; ")
        return sep.join(f"{lv.label.text(lang)} {pts(lv.points, lang)}" for lv in item.levels)
    if item.kind == "indicator" and item.indicator is not None:
        return _indicator(item, lang)
    if item.kind == "count":
        if item.points_each is None:
            return _say(lang, "填写数量（不计分）", "Write the number (no points)")
        return _say(lang, f"每项 {pts(item.points_each, lang)}，最高 {top}",
                    f"{pts(item.points_each, lang)} each, at most {top}")
    if item.kind == "text":
        return _say(lang, "文字说明（不计分）", "A written answer (no points)")
    return ""


def _indicator(item: Item, lang: str) -> str:
    spec = item.indicator
    assert spec is not None
    num = spec.numerator.text(lang)
    if spec.denominator is None:
        measure = num
    elif spec.rate:
        measure = f"{num} ÷ {spec.denominator.text(lang)} × 100%"
    else:
        measure = f"{num} ÷ {spec.denominator.text(lang)}"
    target = keep(f"{_SYMBOL[spec.comparator]} {plain(spec.target)}{'%' if spec.rate else ''}")
    if item.maximum == 0:
        return _say(lang, f"{measure} {target} 为达到（不计分）", f"Met when {measure} {target} (no points)")
    return _say(lang, f"{measure} {target} 得 {pts(item.maximum, lang)}，未达到不得分",
                f"{pts(item.maximum, lang)} when {measure} {target}; otherwise 0")


def answer_words(items: Mapping[str, Item], code: str, value: Any, lang: str) -> str:
    """An answer of item ``code`` as the form's reader says it: 达标, a level's label, a number."""
    item = items.get(code)
    if isinstance(value, bool):
        if value:
            return _say(lang, "达标", "Meets the standard")
        return _say(lang, "不达标", "Does not meet the standard")
    if item is not None and item.kind == "level":
        level = next((lv for lv in item.levels if lv.code == value), None)
        if level is not None:
            return level.label.text(lang)
    if isinstance(value, (int, float, Decimal)):
        return plain(value)
    return str(value)


def trigger_words(rubric: Rubric, veto: Veto, lang: str) -> str:
    """When ``veto`` applies: "X1 评为“不达标”", "X1 未达到目标", "D2 得分低于 10 分"."""
    if veto.condition == "not_met":
        return _say(lang, f"{veto.item} 未达到目标", f"{veto.item} misses its target")
    if veto.condition == "award_below":
        return _say(lang, f"{veto.item} 得分低于 {pts(veto.operand, lang)}",
                    f"{veto.item} scores below {pts(veto.operand, lang)}")
    words = answer_words(rubric.items, veto.item, veto.operand, lang)
    return _say(lang, f"{veto.item} 评为“{words}”", f"{veto.item} is '{words}'")


def veto_lines(rubric: Rubric, lang: str) -> list[str]:
    """Each veto: its reason, what triggers it and what it does to the grade."""
    lines = []
    for v in rubric.vetoes:
        if v.effect == "fail":
            worst = rubric.bands[-1].label.text(lang) if rubric.bands else ""
            effect = (_say(lang, f"一票否决，不论得分多少，等级为“{worst}”",
                           f"the grade is '{worst}' whatever the score (veto)") if worst
                      else _say(lang, "一票否决，本年度不得评为合格", "the unit cannot pass this year whatever the score (veto)"))
        else:
            best = rubric.band(v.cap_band).label.text(lang) if v.cap_band else ""
            effect = _say(lang, f"等级最高为“{best}”", f"the grade is at best '{best}'")
        lines.append(_say(lang, f"{v.code} {v.label.text(lang)}（{trigger_words(rubric, v, lang)}）：{effect}。",
                          f"{v.code} {v.label.text(lang)} ({trigger_words(rubric, v, lang)}): {effect}."))
    return lines


def band_lines(rubric: Rubric, lang: str) -> list[str]:
    """Each grade band with its range, best first, saying which side includes each boundary."""
    percent = rubric.bands_basis == "percent"
    lines = []
    above: Band | None = None
    for band in rubric.bands:
        lines.append(f"{_range(band, above, percent, lang)}{_say(lang, '：', ': ')}{band.label.text(lang)}")
        above = band
    return lines


def _bound(value: Decimal, percent: bool, lang: str) -> str:
    if percent:
        return keep(f"{plain(value)}%")
    return keep(f"{plain(value)} 分" if lang != "en" else plain(value))


def _range(band: Band, above: Band | None, percent: bool, lang: str) -> str:
    """The scores ``band`` takes: from its own minimum up to the minimum of the band above it."""
    what = _say(lang, "得分率 " if percent else "", "Percentage " if percent else "Score ")
    low = None if band.min is None else _bound(band.min, percent, lang)
    # The band above takes its minimum when that is inclusive, so this band then stops below it.
    high = None if above is None or above.min is None else _bound(above.min, percent, lang)
    high_included = above is not None and not above.min_inclusive
    if low is None and high is None:
        return _say(lang, "任何得分", "Any score")
    if high is None:
        assert low is not None
        if band.min_inclusive:
            return _say(lang, f"{what}{low}及以上（含 {low}）", f"{what}{low} or more ({low} included)")
        return _say(lang, f"{what}{low}以上（不含 {low}）", f"{what}more than {low} ({low} excluded)")
    if low is None:
        if high_included:
            return _say(lang, f"{what}{high}及以下（含 {high}）", f"{what}{high} or less ({high} included)")
        return _say(lang, f"{what}{high}以下（不含 {high}）", f"{what}below {high} ({high} excluded)")
    lo_side = _say(lang, "含" if band.min_inclusive else "不含", "included" if band.min_inclusive else "excluded")
    hi_side = _say(lang, "含" if high_included else "不含", "included" if high_included else "excluded")
    return _say(lang, f"{what}{low}（{lo_side}）至 {high}（{hi_side}）",
                f"{what}{low} ({lo_side}) to {high} ({hi_side})")
