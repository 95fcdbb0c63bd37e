"""The SVG charts (server.web.charts): text is escaped, every value is written, gaps stay gaps."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from server.web.charts import Series, bar_chart, line_chart

SVG = "{http://www.w3.org/2000/svg}"


def test_a_bar_chart_escapes_its_words_and_writes_each_value():
    chart = bar_chart("<script>x</script>", ["A & B", "<i>C</i>"],
                      [Series("计划", [4, 6]), Series("<b>done</b>", [3, None])])
    assert "<script>" not in chart and "<i>" not in chart and "<b>" not in chart
    root = ET.fromstring(str(chart))  # well-formed XML: nothing broke out of its element
    assert root.get("role") == "img" and root.find(f"{SVG}title").text == "<script>x</script>"
    texts = [t.text for t in root.iter(f"{SVG}text")]
    assert {"A & B", "<i>C</i>", "4", "6", "3", "–"} <= set(texts)
    # Bars are as long as their values (6 is the longest), a missing value has none.
    widths = [float(r.get("width")) for r in root.iter(f"{SVG}rect") if r.find(f"{SVG}title") is not None]
    assert widths[2] == max(widths) and widths[3] == 0.0 and abs(widths[0] - widths[2] * 4 / 6) < 0.1


def test_a_line_chart_leaves_a_gap_for_a_missing_point():
    chart = line_chart("趋势", ["2026-01", "2026-02", "2026-03", "2026-04"],
                       [Series("得分", [8, 9, None, 7.5])], top=10)
    root = ET.fromstring(str(chart))
    assert len(list(root.iter(f"{SVG}circle"))) == 3
    lines = list(root.iter(f"{SVG}polyline"))
    assert len(lines) == 1 and len(lines[0].get("points").split()) == 2
    assert [c.find(f"{SVG}title").text for c in root.iter(f"{SVG}circle")] == \
        ["2026-01 · 得分: 8", "2026-02 · 得分: 9", "2026-04 · 得分: 7.5"]
