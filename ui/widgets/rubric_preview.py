"""The rich-text pane of the rubric preview: a rubric's overview, a section, or one item."""

from __future__ import annotations

from decimal import Decimal
from html import escape

from PySide6.QtCore import QT_TRANSLATE_NOOP
from PySide6.QtWidgets import QTextBrowser, QWidget

from app.labels import EVIDENCE_METHOD_LABELS, ITEM_KIND_LABELS, label_of
from app.rubric import Item, Label, Rubric, Section
from ui.widgets.i18n import both_of, format_number, text_of

# How a veto is triggered; translated where shown ({value} is the operand).
CONDITION_TEXT = {
    "equals": QT_TRANSLATE_NOOP("RubricPreviewWidget", "answered {value}"),
    "not_met": QT_TRANSLATE_NOOP("RubricPreviewWidget", "target not met"),
    "award_below": QT_TRANSLATE_NOOP("RubricPreviewWidget", "award below {value}"),
}


def _label(label: Label | None) -> str:
    return escape(both_of(label))


def _row(name: str, value_html: str) -> str:
    return f"<tr><td style='padding-right:14px'><b>{escape(name)}</b></td><td>{value_html}</td></tr>"


def _table(rows: list[str]) -> str:
    return "<table cellspacing='3'>" + "".join(rows) + "</table>"


def _points(value: Decimal | None) -> str:
    return "—" if value is None else escape(format_number(value))


class RubricPreviewWidget(QTextBrowser):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setOpenLinks(False)
        self.setAccessibleName(self.tr("Rubric details"))

    def show_rubric(self, rubric: Rubric, maximum: Decimal) -> None:
        """Name, version, the grade bands with their boundaries, the vetoes and the bonus items."""
        parts = [f"<h3>{_label(rubric.name)}</h3>", _table([
            _row(self.tr("Rubric id"), escape(rubric.id)),
            _row(self.tr("Version"), escape(rubric.version)),
            _row(self.tr("Content hash"), f"<code>{escape(rubric.content_hash[:16])}</code>"),
            _row(self.tr("Maximum"), _points(maximum)),
            *([_row(self.tr("Source"), escape(rubric.source))] if rubric.source else []),
        ])]
        if rubric.description:
            parts.append(f"<p>{_label(rubric.description)}</p>")
        if rubric.bands_basis.startswith("percent"):
            parts.append("<h4>" + escape(self.tr("Grade bands, by percentage")) + "</h4>")
        else:
            parts.append("<h4>" + escape(self.tr("Grade bands, by total")) + "</h4>")
        bands = []
        for band in rubric.bands:
            if band.min is None:
                bound = self.tr("otherwise")
            else:
                bound = ("≥ " if band.min_inclusive else "> ") + format_number(band.min)
            bands.append(_row(bound, _label(band.label)))
        parts.append(_table(bands) if bands else "<p>" + escape(self.tr("No grade bands.")) + "</p>")

        parts.append("<h4>" + escape(self.tr("Veto items")) + "</h4>")
        vetoes = []
        for veto in rubric.vetoes:
            operand = veto.operand
            if isinstance(operand, bool):  # a pass/fail item: say "fail", not "False"
                operand = self.tr("pass") if operand else self.tr("fail")
            condition = self.tr(CONDITION_TEXT.get(veto.condition, veto.condition)).format(value=operand)
            if veto.effect == "fail":
                effect = self.tr("the unit fails")
            else:
                effect = self.tr("grade capped at {band}").format(band=veto.cap_band or "")
            vetoes.append(f"<li><span style='color:#b00020'>{_label(veto.label)}</span><br>"
                          f"<small>{escape(veto.item)}: {escape(condition)} → {escape(effect)}</small></li>")
        parts.append("<ul>" + "".join(vetoes) + "</ul>" if vetoes else "<p>" + escape(self.tr("None.")) + "</p>")

        if rubric.bonus_items:
            if rubric.bonus_cap is not None:
                title = self.tr("Bonus items, at most {points} points").format(points=format_number(rubric.bonus_cap))
            else:
                title = self.tr("Bonus items")
            parts.append(f"<h4>{escape(title)}</h4><ul>" + "".join(
                f"<li>{escape(it.code)} {_label(it.text)} ({_points(it.maximum)})</li>" for it in rubric.bonus_items)
                + "</ul>")
        self.setHtml("".join(parts))

    def show_section(self, section: Section, maximum: Decimal | None) -> None:
        rows = [_row(self.tr("Code"), escape(section.code)), _row(self.tr("Maximum"), _points(maximum))]
        if section.cap is not None:
            rows.append(_row(self.tr("Cap"), _points(section.cap)))
        rows.append(_row(self.tr("Items"), str(len(section.items))))
        if section.sections:
            rows.append(_row(self.tr("Sub-sections"), str(len(section.sections))))
        self.setHtml(f"<h3>{escape(section.code)} {_label(section.name)}</h3>" + _table(rows))

    def show_item(self, item: Item) -> None:
        """Everything an inspector reads before answering: text, guidance, kind, scale, evidence."""
        parts = [f"<h3>{escape(item.code)} {_label(item.text)}</h3>"]
        if item.guidance:
            parts.append("<p><b>" + escape(self.tr("Guidance")) + f"</b><br>{_label(item.guidance)}</p>")
        rows = [_row(self.tr("Kind"), escape(text_of(label_of(ITEM_KIND_LABELS, item.kind)))),
                _row(self.tr("Maximum"), _points(item.maximum))]
        if item.kind == "points":
            top = item.max if item.max is not None else item.maximum
            rows.append(_row(self.tr("Range"), escape(self.tr("{low} to {high}, in steps of {step}").format(
                low=format_number(item.min), high=format_number(top), step=format_number(item.step)))))
        if item.evidence:
            methods = self.tr(", ").join(text_of(label_of(EVIDENCE_METHOD_LABELS, e)) for e in item.evidence)
            rows.append(_row(self.tr("Evidence"), escape(methods)))
        rules = [text for flag, text in (
            (item.required, self.tr("required")), (item.na_allowed, self.tr("N/A allowed")),
            (item.photo_required, self.tr("photo required")),
            (item.reason_below_max, self.tr("reason needed below the maximum")), (item.bonus, self.tr("bonus")),
        ) if flag]
        if rules:
            rows.append(_row(self.tr("Rules"), escape(self.tr(", ").join(rules))))
        if item.when is not None:
            rows.append(_row(self.tr("Applies when"), escape(f"{item.when.item} = {item.when.equals}")))
        parts.append(_table(rows))
        if item.levels:
            parts.append("<h4>" + escape(self.tr("Levels")) + "</h4>" + _table(
                [_row(format_number(level.points), _label(level.label)) for level in item.levels]))
        if item.deductions:
            deductions = []
            for d in item.deductions:
                limit = self.tr(" (at most {count} times)").format(count=d.max_count) if d.max_count else ""
                deductions.append(_row(f"−{format_number(d.points)}", _label(d.label) + escape(limit)))
            parts.append("<h4>" + escape(self.tr("Deductions")) + "</h4>" + _table(deductions))
        if item.indicator is not None:
            spec = item.indicator
            rows = [_row(self.tr("Numerator"), _label(spec.numerator))]
            if spec.denominator is not None:
                rows.append(_row(self.tr("Denominator"), _label(spec.denominator)))
            target = f"{spec.comparator} {format_number(spec.target)}{'%' if spec.rate else ''}"
            rows.append(_row(self.tr("Target"), escape(target)))
            parts.append("<h4>" + escape(self.tr("Indicator")) + "</h4>" + _table(rows))
        self.setHtml("".join(parts))
