"""The Simplified Chinese translation: complete, in step with the code, and loaded by the real widgets.

When a test here fails after a UI change, run ``make translations``, translate what it added to
resources/translations/fieldmark_zh_CN.ts and remove the ``type="unfinished"`` marks.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QCoreApplication, QTranslator  # noqa: E402

from tests.conftest import pyside_tool  # noqa: E402
from tests.ui import shell_support  # noqa: E402
from tests.ui.shell_support import TODAY  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
TS = ROOT / "resources" / "translations" / "fieldmark_zh_CN.ts"

# The shared fixtures, made visible to pytest in this module.
demo_source, demo_dir, demo = shell_support.demo_source, shell_support.demo_dir, shell_support.demo
runner, stub_checklist = shell_support.runner, shell_support.stub_checklist


@dataclass(frozen=True)
class Message:
    context: str
    source: str
    translations: tuple[str, ...]  # one, or the numerus forms
    unfinished: bool
    numerus: bool


def read_ts(path: Path) -> list[Message]:
    messages = []
    for context in ET.parse(path).getroot().iter("context"):
        name = context.findtext("name") or ""
        for message in context.iter("message"):
            translation = message.find("translation")
            assert translation is not None, f"{name}: {message.findtext('source')!r} has no <translation>"
            numerus = message.get("numerus") == "yes"
            forms = tuple(f.text or "" for f in translation.iter("numerusform")) if numerus else (
                translation.text or "",)
            messages.append(Message(name, message.findtext("source") or "", forms,
                                    translation.get("type") == "unfinished", numerus))
    return messages


def ui_sources() -> list[str]:
    """The files the Makefile's ``translations`` target scans (find ui -name '*.py' | sort)."""
    return sorted(str(p.relative_to(ROOT)) for p in (ROOT / "ui").rglob("*.py"))


@pytest.fixture(scope="module")
def refreshed(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """A copy of the committed .ts brought up to date with the code, as ``make translations`` does."""
    copy = tmp_path_factory.mktemp("ts") / TS.name
    shutil.copyfile(TS, copy)
    done = subprocess.run(
        [pyside_tool("pyside6-lupdate"), *ui_sources(), "-ts", str(copy), "-no-obsolete", "-locations", "none"],
        cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    return copy, done.stdout + done.stderr


def test_every_string_in_the_code_is_in_the_committed_file(refreshed):
    copy, output = refreshed
    found = re.search(r"Found (\d+) source text\(s\) \((\d+) new and (\d+) already existing\)", output)
    assert found, output
    assert found.group(2) == "0", f"lupdate found new source texts; run `make translations`:\n{output}"
    committed = {(m.context, m.source) for m in read_ts(TS)}
    current = {(m.context, m.source) for m in read_ts(copy)}
    assert current - committed == set(), "strings in the code but not in the .ts; run `make translations`"
    assert committed - current == set(), "strings in the .ts that the code no longer has; run `make translations`"


def test_the_refreshed_file_has_no_unfinished_or_empty_translation(refreshed):
    copy, _ = refreshed
    text = copy.read_text(encoding="utf-8")
    assert 'type="unfinished"' not in text
    assert "<translation></translation>" not in text
    assert "<numerusform></numerusform>" not in text
    messages = read_ts(copy)
    assert len(messages) > 300
    for m in messages:
        assert not m.unfinished, (m.context, m.source)
        assert m.translations and all(t.strip() for t in m.translations), (m.context, m.source)
        if m.numerus:  # Chinese has a single plural form
            assert len(m.translations) == 1, (m.context, m.source)


PLACEHOLDER = re.compile(r"\{[^{}]*\}|%n|%L?\d+")


def test_placeholders_are_preserved():
    """{name}, %n and %1 in a source are all in its translation, and nothing else is."""
    wrong = []
    for m in read_ts(TS):
        expected = set(PLACEHOLDER.findall(m.source))
        wrong += [(m.context, m.source, t) for t in m.translations if set(PLACEHOLDER.findall(t)) != expected]
    assert wrong == []


MNEMONIC = re.compile(r"&([^&\s])")
HAN = re.compile(r"[\u4e00-\u9fff]")


def test_mnemonics_and_ellipses_are_kept():
    """``&File`` becomes ``文件(&F)``: the same accelerator letter, in brackets; a trailing … stays."""
    wrong = []
    for m in read_ts(TS):
        keys = [k.upper() for k in MNEMONIC.findall(m.source.replace("&&", ""))]
        for t in m.translations:
            ours = [k.upper() for k in MNEMONIC.findall(t.replace("&&", ""))]
            if ours != keys or (HAN.search(t) and any(f"(&{k})" not in t.upper() for k in keys)):
                wrong.append((m.context, m.source, t))
            if m.source.endswith("…") and not t.endswith("…"):
                wrong.append((m.context, m.source, t))
    assert wrong == []


@pytest.fixture
def chinese(qapp, built_translations: Path):
    """The .qm built for this run from the committed .ts, installed for one test and removed afterwards."""
    translator = QTranslator()
    assert translator.load(str(built_translations / "fieldmark_zh_CN.qm"))
    assert not translator.isEmpty()
    assert qapp.installTranslator(translator)
    yield translator
    qapp.removeTranslator(translator)


def test_the_desktop_loads_the_catalogue_built_for_this_run(qapp, built_translations: Path):
    """No test depends on a .qm that `make` built beforehand (there is none after a fresh clone)."""
    from ui import app as desktop

    assert desktop.TRANSLATIONS == built_translations
    translations = desktop.Translations(qapp)
    try:
        assert translations.install(desktop.locale_for("zh_CN"))
        assert QCoreApplication.translate("MainWindow", "&File") == "文件(&F)"
    finally:
        translations.install(desktop.locale_for("en"))


def test_the_built_catalogue_translates(chinese):
    assert QCoreApplication.translate("MainWindow", "&File") == "文件(&F)"
    assert QCoreApplication.translate("SyncStatusWidget", "Not synced: %n change(s)", None, 3) == "未同步：3 项更改"
    assert QCoreApplication.translate("Startup", "Fieldmark cannot start") == "Fieldmark 无法启动"
    assert QCoreApplication.translate("GapDialog", "Gap check") == "查漏补缺"


def test_the_main_window_comes_up_in_chinese(qtbot, chinese, demo, runner, stub_checklist):
    from ui.main_window import MainWindow

    window = MainWindow(demo, runner, today=TODAY)
    qtbot.addWidget(window)
    menus = [action.text() for action in window.menuBar().actions()]
    assert menus == ["文件(&F)", "视图(&V)", "督导(&I)", "同步(&S)", "帮助(&H)"]
    file_actions = [a.text() for a in window.menuBar().actions()[0].menu().actions() if a.text()]
    assert "新建督导(&N)…" in file_actions
    assert "退出(&Q)" in file_actions
    nav = [window.nav.item(row).text() for row in range(window.nav.count())]
    assert "今日" in nav and "评分细则" in nav
