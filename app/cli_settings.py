"""CLI commands for the profile's settings: every setting declared in ``app.settings``.

    fieldmark settings list [--json]          # every setting, its value, and what it is
    fieldmark settings get office_name        # the value alone, for scripts
    fieldmark settings set office_name "丹江口市人民政府教育督导室"
    fieldmark settings set office_logo ./logo.png    # stored as an absolute path
    fieldmark settings set reduce_photos on          # on/off, true/false, yes/no, 1/0

Values are checked exactly as the desktop's settings dialog checks them (``set_settings``):
an unknown key, a value not among the choices, a number out of range or a logo that is not a
file is refused with the reason, and nothing is written.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from app.errors import InvalidAnswer
from app.paths import resolve_data_dir
from app.profile import Profile
from app.settings import SETTINGS, Setting, get_setting, set_setting


def register(sub, add_data_dir, command) -> None:  # noqa: ANN001 - argparse internals
    settings = sub.add_parser("settings", help="show or change the profile's settings",
                              description="show or change the profile's settings")
    s_sub = settings.add_subparsers(dest="settings_command", metavar="SUBCOMMAND", required=True)
    slist = s_sub.add_parser("list", help="every setting with its value")
    add_data_dir(slist)
    slist.add_argument("--json", action="store_true", help="print JSON instead of a table")
    slist.set_defaults(handler=cmd_list)
    sget = s_sub.add_parser("get", help="print one setting's value")
    add_data_dir(sget)
    sget.add_argument("key", metavar="KEY", help="a setting's key (see 'fieldmark settings list')")
    sget.set_defaults(handler=cmd_get)
    sset = s_sub.add_parser("set", help="change one setting (checked first)")
    add_data_dir(sset)
    sset.add_argument("key", metavar="KEY")
    sset.add_argument("value", metavar="VALUE", help='the new value; "" clears a text setting')
    sset.set_defaults(handler=cmd_set)


def _setting(key: str) -> Setting:
    setting = SETTINGS.get(key)
    if setting is None:
        raise InvalidAnswer(f"unknown setting {key!r}; one of {', '.join(SETTINGS)}")
    return setting


def shown(setting: Setting, value: object) -> str:
    """A value as ``set`` accepts it back: on/off for a switch, the text or number as is."""
    if setting.kind is bool:
        return "on" if value else "off"
    return str(value)


def _accepts(setting: Setting) -> str:
    if setting.choices:
        return "one of " + ", ".join(setting.choices)
    if setting.kind is bool:
        return "on or off"
    if setting.key == "office_logo":
        return "the path of a PNG or JPEG file"
    if setting.kind is int:
        bounds = getattr(setting, "bounds", None)
        return f"a whole number from {bounds[0]} to {bounds[1]}" if bounds else "a whole number"
    return "text"


def cmd_list(args: argparse.Namespace) -> int:
    with Profile.open(resolve_data_dir(args.data_dir), create=False, read_only=True) as profile:
        values = {key: get_setting(profile, key) for key in SETTINGS}
    if args.json:
        print(json.dumps([{"key": key, "value": value, "default": SETTINGS[key].default,
                           "title": {"en": SETTINGS[key].title_en, "zh": SETTINGS[key].title_zh},
                           "accepts": _accepts(SETTINGS[key])}
                          for key, value in values.items()], ensure_ascii=False, indent=2))
        return 0
    width = max(len(key) for key in SETTINGS)
    for key, value in values.items():
        setting = SETTINGS[key]
        text = shown(setting, value) or '""'  # an empty text shows as "", not as nothing
        default = " (default)" if value == setting.default else ""
        print(f"{key:<{width}}  {text}{default}")
        print(f"{'':<{width}}  {setting.title_en}; {_accepts(setting)}")
    return 0


def cmd_get(args: argparse.Namespace) -> int:
    setting = _setting(args.key)
    with Profile.open(resolve_data_dir(args.data_dir), create=False, read_only=True) as profile:
        value = get_setting(profile, setting.key)
    print(shown(setting, value))
    return 0


def cmd_set(args: argparse.Namespace) -> int:
    setting = _setting(args.key)
    value: object = args.value
    if setting.key == "office_logo" and args.value:
        # The documents are printed from any folder later: keep the file's full path.
        value = str(Path(args.value).expanduser().resolve())
    with Profile.open(resolve_data_dir(args.data_dir), create=False) as profile:
        set_setting(profile, setting.key, value)
        stored = get_setting(profile, setting.key)
    print(f"{setting.key} = {shown(setting, stored)}")
    return 0
