"""The line breaker: Chinese punctuation rules (禁则), names kept whole, English at spaces."""

from __future__ import annotations

import pytest

from app.findings import add_finding
from app.reports import build_report
from app.reports.linebreak import CANNOT_END, CANNOT_START, break_lines, keep
from tests.app.report_factory import banded_visit, pdf_text


def width(text: str) -> float:
    """One unit per character: the tests count characters per line."""
    return float(len(text))


@pytest.mark.parametrize("text, room, lines", [
    # The comma would start the second line: the character before it comes down with it.
    ("学生饮水安全，卫生达标", 6, ["学生饮水安", "全，卫生达标"]),
    ("厕所蹲位数达标；学生饮水安全", 7, ["厕所蹲位数达", "标；学生饮水安", "全"]),
    # An opening bracket never ends a line: it goes down with what it opens.
    ("标准配置齐全（无食堂的学校不适用）", 6, ["标准配置齐全", "（无食堂的学", "校不适用）"]),
    ("对照《评分细则》逐项评估", 5, ["对照《评分", "细则》逐项", "评估"]),
    # Numbers and Latin words are never cut; a number stays with its measure word.
    ("督导日期2026-11-24，共24项", 12, ["督导日期", "2026-11-24，共", "24项"]),
    # English breaks at spaces.
    ("the canteen staff health certificates", 12, ["the canteen", "staff health", "certificates"]),
    # A hard break is kept; an indent of ideographic spaces prints as written.
    ("第一行\n\u3000\u3000第二行", 10, ["第一行", "\u3000\u3000第二行"]),
])
def test_lines(text, room, lines):
    assert break_lines(text, width, room) == lines


def test_a_name_is_never_split():
    team = "、".join(keep(n) for n in ("张建华", "李秀梅", "王德明"))
    text = f"2026年11月21日，{team}对均州路中心小学开展初评"
    for room in range(6, 30):
        for line in break_lines(text, width, room):
            for name in ("张建华", "李秀梅", "王德明"):
                assert not any(line.endswith(name[:k]) for k in range(1, 3)), (room, line)


def test_a_run_wider_than_the_line_is_cut_by_the_rules():
    lines = break_lines("Supercalifragilisticexpialidocious", width, 10)
    assert "".join(lines) == "Supercalifragilisticexpialidocious" and all(len(x) <= 10 for x in lines)
    assert break_lines(keep("一二三四五六七八九，十"), width, 9) == ["一二三四五六七八", "九，十"]


@pytest.mark.parametrize("room", range(3, 25))
def test_no_line_starts_with_closing_or_ends_with_opening_punctuation(room):
    text = ("校园四周有围墙，大门、门卫室齐全；校名校牌规范（小学不超过45人，初中不超过50人）。"
            "“双减”工作落实到位！是否达标？《国家学生体质健康标准》测试合格率：90.5%。")
    lines = break_lines(text, width, room)
    assert "".join(lines) == text
    for line in lines:
        assert line[0] not in CANNOT_START and line[-1] not in CANNOT_END, (room, lines)


@pytest.mark.parametrize("kind", ["feedback", "rectification", "full"])
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_names_in_a_narrow_column_are_not_split(seeded, kind, lang):
    """The responsible column holds five or six characters a line: two names must break between them."""
    vid, _ = banded_visit(seeded, photos=0)
    add_finding(seeded.profile, vid, description="食堂留样记录不全。", requirement="完善留样制度。",
                deadline="2027-01-31", responsible="张建华、欧阳秀梅")
    lines = [x.strip() for x in pdf_text(build_report(seeded.profile, vid, kind=kind, lang=lang).pdf).splitlines()]
    assert any("欧阳秀梅" in x for x in lines)
    for above, below in zip(lines, lines[1:], strict=False):
        for name in ("张建华", "欧阳秀梅"):
            assert not any(above.endswith(name[:k]) and below.startswith(name[k:]) for k in range(1, len(name)))
