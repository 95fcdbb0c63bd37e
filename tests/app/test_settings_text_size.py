"""The on-screen text size: a percentage from 100 to 150, 100 by default."""

from __future__ import annotations

import pytest

from app.errors import InvalidAnswer
from app.settings import SETTINGS, get_setting, set_setting


def test_text_size_defaults_to_100_percent(profile):
    assert get_setting(profile, "text_size") == 100
    assert SETTINGS["text_size"].bounds == (100, 150)


@pytest.mark.parametrize("value, stored", [(100, 100), ("130", 130), (150, 150)])
def test_text_size_takes_100_to_150(profile, value, stored):
    set_setting(profile, "text_size", value)
    assert get_setting(profile, "text_size") == stored


@pytest.mark.parametrize("value", [99, 151, 0, "large"])
def test_text_size_refuses_anything_else(profile, value):
    with pytest.raises(InvalidAnswer):
        set_setting(profile, "text_size", value)
    assert get_setting(profile, "text_size") == 100
