"""User settings, each declared once with its type, default and title.

Values live in the profile's ``meta`` table under ``setting.<key>``, so they travel with the
profile and survive reinstalling the app.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from app.errors import InvalidAnswer
from app.paths import LANGUAGE_HINT, LANGUAGES
from app.profile import UNNAMED_INSPECTOR, Profile
from db import rows
from db.queries import meta


@dataclass(frozen=True)
class Setting:
    key: str
    kind: type
    default: object
    title_en: str
    title_zh: str
    choices: tuple[str, ...] = ()
    # Where the value is kept in ``meta``; a few settings live beside the part that reads them.
    stored_as: str = ""
    # The lowest and highest value a number may take, both included.
    bounds: tuple[int, int] | None = None

    @property
    def meta_key(self) -> str:
        return self.stored_as or f"setting.{self.key}"


SETTINGS: dict[str, Setting] = {s.key: s for s in (
    Setting("inspector_name", str, "", "Inspector name", "督学姓名"),
    Setting("language", str, "system", "Language", "界面语言", LANGUAGES),
    Setting("deadline_days", int, 30, "Default rectification deadline (days)", "默认整改期限（天）"),
    Setting("office_name", str, "", "Office name", "督导机构名称"),
    Setting("server_url", str, "", "Server URL", "服务器地址"),
    # The account's name on that server; its token is only ever in the OS keychain.
    Setting("server_login", str, "", "Server login name", "服务器账号"),
    # Off unless chosen: the desktop then syncs by itself when the server can be reached again.
    Setting("auto_sync", bool, False, "Sync automatically when the network returns", "网络恢复时自动同步"),
    Setting("office_logo", str, "", "Office logo for printed documents (PNG or JPEG file)", "打印文件的单位标志（PNG 或 JPEG 文件）"),
    Setting("paper_size", str, "a4", "Paper size for printed documents", "打印纸张", ("a4", "letter")),
    Setting("reduce_photos", bool, False, "Store reduced 2048-pixel copies of photos", "照片只保存 2048 像素的缩小副本",
            stored_as="evidence.reduce_photos"),
    Setting("finalize_with_gaps", str, "confirm", "Finalizing a visit with open gaps",
            "有待补项时定稿", ("confirm", "forbid")),
    # "remove": after a sync, the originals of finalized visits' photos the server holds leave
    # the laptop (app/sync/offload.py); thumbnails stay and the originals come back on demand.
    Setting("photos_after_sync", str, "keep", "Photo originals after sync", "同步后的原照片",
            ("keep", "remove")),
    Setting("text_size", int, 100, "Text size on screen (percent)", "屏幕文字大小（百分比）", bounds=(100, 150)),
    # Read by app/backups.py straight from ``meta``: backups are made before the profile object exists.
    Setting("backups_kept", int, 10, "Database backups kept", "保留的数据库备份份数", bounds=(1, 100)),
)}


def _decode(setting: Setting, raw: str) -> object:
    if setting.kind is bool:
        return raw == "1"
    return setting.kind(raw)


def _encode(setting: Setting, value: object) -> str:
    if setting.kind is bool:
        return "1" if value else "0"
    return str(value)


def get_setting(profile: Profile, key: str) -> object:
    setting = SETTINGS[key]
    raw = meta.get(profile.db, setting.meta_key)
    if raw is None:
        return setting.default
    return _decode(setting, raw)


def _checked(key: str, value: object) -> object:
    setting = SETTINGS.get(key)
    if setting is None:
        raise InvalidAnswer(f"unknown setting {key!r}; one of {', '.join(SETTINGS)}")
    if setting.kind is bool:
        if isinstance(value, str):
            if value.lower() not in ("1", "0", "true", "false", "on", "off", "yes", "no"):
                raise InvalidAnswer(f"{setting.title_en}: {value!r} is not on or off")
            return value.lower() in ("1", "true", "on", "yes")
        return bool(value)
    try:
        typed = setting.kind(value)
    except (TypeError, ValueError) as exc:
        raise InvalidAnswer(f"{setting.title_en}: {value!r} is not a valid value") from exc
    if setting.choices and typed not in setting.choices:
        raise InvalidAnswer(f"{setting.title_en}: {typed!r} is not one of {', '.join(setting.choices)}")
    if setting.kind is int and typed < 0:
        raise InvalidAnswer(f"{setting.title_en}: must not be negative")
    if setting.bounds is not None and not setting.bounds[0] <= typed <= setting.bounds[1]:
        raise InvalidAnswer(f"{setting.title_en}: must be from {setting.bounds[0]} to {setting.bounds[1]}")
    if key == "office_logo" and typed and not Path(str(typed)).is_file():
        raise InvalidAnswer(f"the office logo {typed} is not a file")
    return typed


def set_settings(profile: Profile, values: Mapping[str, object]) -> None:
    """Save several settings as one action: all are checked first, then written together."""
    typed = {key: _checked(key, value) for key, value in values.items()}
    with profile.transaction() as tx:
        for key, value in typed.items():
            meta.put(tx.db, SETTINGS[key].meta_key, _encode(SETTINGS[key], value))
        if "inspector_name" in typed:
            # The profile's inspector carries the name on every change it records.
            rows.update(tx.db, "inspectors", tx.by, {"name": typed["inspector_name"] or UNNAMED_INSPECTOR},
                        tx.meta)
    if "language" in typed:
        remember_language_hint(profile)


def set_setting(profile: Profile, key: str, value: object) -> None:
    set_settings(profile, {key: value})


def all_settings(profile: Profile) -> dict[str, object]:
    return {key: get_setting(profile, key) for key in SETTINGS}


def remember_language_hint(profile: Profile) -> None:
    """Copy the language setting beside the database; failing to is harmless (a later start fixes it)."""
    try:
        (profile.root / LANGUAGE_HINT).write_text(str(get_setting(profile, "language")), encoding="utf-8")
    except OSError:
        pass
