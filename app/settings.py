"""User settings, each declared once with its type, default and title.

Values live in the profile's ``meta`` table under ``setting.<key>``, so they travel with the
profile and survive reinstalling the app.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from app.errors import InvalidAnswer
from app.paths import LANGUAGE_HINT, LANGUAGES
from app.profile import Profile
from db.queries import meta


@dataclass(frozen=True)
class Setting:
    key: str
    kind: type
    default: object
    title_en: str
    title_zh: str
    choices: tuple[str, ...] = ()


SETTINGS: dict[str, Setting] = {s.key: s for s in (
    Setting("inspector_name", str, "", "Inspector name", "督学姓名"),
    Setting("language", str, "system", "Language", "界面语言", LANGUAGES),
    Setting("deadline_days", int, 30, "Default rectification deadline (days)", "默认整改期限（天）"),
    Setting("office_name", str, "", "Office name", "督导机构名称"),
    Setting("server_url", str, "", "Server URL", "服务器地址"),
    Setting("office_logo", str, "", "Office logo for printed documents (PNG or JPEG file)", "打印文件的单位标志（PNG 或 JPEG 文件）"),
    Setting("paper_size", str, "a4", "Paper size for printed documents", "打印纸张", ("a4", "letter")),
)}


def get_setting(profile: Profile, key: str) -> object:
    setting = SETTINGS[key]
    raw = meta.get(profile.db, f"setting.{key}")
    if raw is None:
        return setting.default
    return setting.kind(raw)


def set_setting(profile: Profile, key: str, value: object) -> None:
    setting = SETTINGS.get(key)
    if setting is None:
        raise InvalidAnswer(f"unknown setting {key!r}")
    try:
        typed = setting.kind(value)
    except (TypeError, ValueError) as exc:
        raise InvalidAnswer(f"{setting.title_en}: {value!r} is not a valid value") from exc
    if setting.choices and typed not in setting.choices:
        raise InvalidAnswer(f"{setting.title_en}: {typed!r} is not one of {', '.join(setting.choices)}")
    if setting.kind is int and typed < 0:  # type: ignore[operator]
        raise InvalidAnswer(f"{setting.title_en}: must not be negative")
    if key == "office_logo" and typed and not Path(str(typed)).is_file():
        raise InvalidAnswer(f"the office logo {typed} is not a file")
    with profile.transaction() as tx:
        meta.put(tx.db, f"setting.{key}", str(typed))
    if key == "language":
        remember_language_hint(profile)


def all_settings(profile: Profile) -> dict[str, object]:
    return {key: get_setting(profile, key) for key in SETTINGS}


def remember_language_hint(profile: Profile) -> None:
    """Copy the language setting beside the database; failing to is harmless (a later start fixes it)."""
    try:
        (profile.root / LANGUAGE_HINT).write_text(str(get_setting(profile, "language")), encoding="utf-8")
    except OSError:
        pass
