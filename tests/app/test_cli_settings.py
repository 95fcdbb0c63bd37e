"""`fieldmark settings list|get|set`: every declared setting, checked as the desktop checks it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from app.cli import main
from app.profile import Profile
from app.settings import SETTINGS, get_setting
from tests.app.photo_factory import jpeg


@pytest.fixture
def data_dir(profile) -> str:
    root = str(profile.root)
    profile.close()  # the commands open the profile themselves
    return root


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


def test_list_shows_every_setting_with_its_value(data_dir, capsys):
    code, out, _ = run(capsys, "settings", "list", "--data-dir", data_dir)
    assert code == 0
    keys = [line.split()[0] for line in out.splitlines() if line and not line.startswith(" ")]
    assert keys == list(SETTINGS)
    assert "a4 (default)" in out and "Paper size for printed documents; one of a4, letter" in out
    code, out, _ = run(capsys, "settings", "list", "--json", "--data-dir", data_dir)
    listed = json.loads(out)
    assert [s["key"] for s in listed] == list(SETTINGS)
    assert {s["key"]: s["value"] for s in listed}["paper_size"] == "a4"


def test_set_then_get_every_kind(data_dir, capsys, tmp_path, monkeypatch):
    for key, value, shown in (("office_name", "丹江口市人民政府教育督导室", "丹江口市人民政府教育督导室"),
                              ("paper_size", "letter", "letter"), ("deadline_days", "15", "15"),
                              ("reduce_photos", "yes", "on"), ("office_name", "", "")):
        code, out, err = run(capsys, "settings", "set", key, value, "--data-dir", data_dir)
        assert code == 0 and out == f"{key} = {shown}\n", err
        assert run(capsys, "settings", "get", key, "--data-dir", data_dir)[1] == f"{shown}\n"
    # A logo given relative to where the command runs is kept as a full path.
    (tmp_path / "logo.png").write_bytes(jpeg((40, 40)))
    monkeypatch.chdir(tmp_path)
    assert run(capsys, "settings", "set", "office_logo", "logo.png", "--data-dir", data_dir)[0] == 0
    with Profile.open(Path(data_dir), create=False, read_only=True) as profile:
        assert get_setting(profile, "office_logo") == str(tmp_path / "logo.png")
        assert get_setting(profile, "reduce_photos") is True and get_setting(profile, "deadline_days") == 15


@pytest.mark.parametrize("argv, message", [
    (["get", "office"], "fieldmark: unknown setting 'office'; one of inspector_name"),
    (["set", "paper_size", "legal"], "fieldmark: Paper size for printed documents: 'legal' is not one of a4, letter"),
    (["set", "deadline_days", "soon"], "fieldmark: Default rectification deadline (days): 'soon' is not a valid value"),
    (["set", "reduce_photos", "maybe"], "is not on or off"),
    (["set", "office_logo", "/no/such/logo.png"], "fieldmark: the office logo /no/such/logo.png is not a file"),
])
def test_bad_input_is_refused_with_the_reason_and_nothing_is_written(data_dir, capsys, argv, message):
    code, out, err = run(capsys, "settings", *argv, "--data-dir", data_dir)
    assert code == 1 and out == "" and err.startswith("fieldmark: ") and message in err
    code, out, _ = run(capsys, "settings", "list", "--json", "--data-dir", data_dir)
    assert all(s["value"] == s["default"] for s in json.loads(out))


def test_missing_arguments_exit_2_with_a_fieldmark_line(data_dir, capsys):
    for argv in (["settings"], ["settings", "get"], ["settings", "set", "office_name"]):
        with pytest.raises(SystemExit) as exit_info:
            main([*argv, "--data-dir", data_dir])
        assert exit_info.value.code == 2
        errors = [line for line in capsys.readouterr().err.splitlines() if not line.startswith(("usage:", " "))]
        assert errors and all(line.startswith("fieldmark: settings") for line in errors)
