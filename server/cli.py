"""``fieldmark-server``: set up the store, run the server, and manage the office's data.

Every error is one line starting ``fieldmark-server:`` (then the problems, one per line), and
the exit status is 1 (2 for a usage error).
"""

from __future__ import annotations

import argparse
import getpass
import json
import secrets
import sys
from collections.abc import Sequence
from datetime import date
from pathlib import Path

from app.rubric.samples import sample_paths
from server import accounts, assignments, cli_bundle, cli_release, cli_visit, rubrics
from server.cli_support import PROG, Parser, config_of, open_store, store_options
from server.config import Config, save_config
from server.errors import ServerError
from server.keys_office import office_key
from server.store.database import migrate, open_engine
from server.units_import import import_units

DEMO_UNITS = Path(__file__).resolve().parent.parent / "resources" / "server" / "demo-units.csv"


def build_parser() -> argparse.ArgumentParser:
    parser = Parser(prog=PROG, description="The Fieldmark office server.")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=Parser)

    p = sub.add_parser("init", help="create the store and the first admin account")
    store_options(p)
    p.add_argument("--blobs", default=None, help="where blobs are kept (default: files in the data folder)")
    p.add_argument("--admin", default="admin", help="the admin's login (default admin)")
    p.set_defaults(func=cmd_init)

    p = sub.add_parser("serve", help="run the server (Ctrl-C or SIGTERM stops it gracefully)")
    store_options(p)
    p.add_argument("--blobs", default=None)
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8765)
    p.set_defaults(func=cmd_serve)

    p = sub.add_parser("demo", help="a store loaded with the demo office's units and rubrics")
    store_options(p)
    p.add_argument("--if-missing", action="store_true", help="do nothing when the store already exists")
    p.set_defaults(func=cmd_demo)

    user = sub.add_parser("user", help="accounts").add_subparsers(dest="action", required=True, parser_class=Parser)
    p = user.add_parser("add", help="a new account (password from a prompt or stdin)")
    store_options(p)
    p.add_argument("login")
    p.add_argument("--role", required=True, choices=accounts.ROLES)
    p.add_argument("--scope", default=None, help="the area code of the account's subtree")
    p.add_argument("--name", default="")
    p.set_defaults(func=cmd_user_add)
    for action, func, text in (("passwd", "cmd_user_passwd", "a new password (revokes the account's tokens)"),
                               ("disable", "cmd_user_disable", "disable the account and revoke its tokens")):
        p = user.add_parser(action, help=text)
        store_options(p)
        p.add_argument("login")
        p.set_defaults(func=globals()[func])
    p = user.add_parser("list", help="every account")
    store_options(p)
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_user_list)

    units = sub.add_parser("units", help="the administrative tree and units").add_subparsers(
        dest="action", required=True, parser_class=Parser)
    p = units.add_parser("import", help="areas and units from a .csv or .xlsx (see docs/deploy.md)")
    store_options(p)
    p.add_argument("file", type=Path)
    p.set_defaults(func=cmd_units_import)

    rubric = sub.add_parser("rubric", help="rubric templates").add_subparsers(
        dest="action", required=True, parser_class=Parser)
    p = rubric.add_parser("publish", help="publish a template (.json or .xlsx); published ones never change")
    store_options(p)
    p.add_argument("file", type=Path)
    p.set_defaults(func=cmd_rubric_publish)

    p = sub.add_parser("assign", help="assign units to a team for a campaign, a date window and rubrics")
    store_options(p)
    p.add_argument("--campaign", required=True)
    p.add_argument("--team", required=True)
    p.add_argument("--unit", action="append", required=True, help="a unit code (repeat, or comma-separated)")
    p.add_argument("--from", dest="start", required=True, type=_date, help="YYYY-MM-DD")
    p.add_argument("--to", dest="end", required=True, type=_date, help="YYYY-MM-DD")
    p.add_argument("--rubric", action="append", required=True, help="a rubric id or hash prefix (repeatable)")
    p.add_argument("--visit-type", default="routine")
    p.add_argument("--member", action="append", default=[], help="a login added to the team (repeatable)")
    p.set_defaults(func=cmd_assign)

    cli_bundle.register(sub)
    cli_release.register(sub)
    cli_visit.register(sub)
    return parser


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date (YYYY-MM-DD)") from None


def _split(values: list[str]) -> list[str]:
    return [v.strip() for value in values for v in value.split(",") if v.strip()]


def read_password(prompt: str) -> str:
    """From a prompt (asked twice) on a terminal, else the first line of stdin."""
    if sys.stdin.isatty():
        first = getpass.getpass(prompt)
        if getpass.getpass("Again: ") != first:
            raise ServerError("the two passwords differ")
        password = first
    else:
        password = sys.stdin.readline().rstrip("\r\n")
    if not password:
        raise ServerError("no password given (type it at the prompt, or pipe it on stdin)")
    return password


def _initialise(config: Config, login: str, password: str) -> None:
    engine = open_engine(config.database_url)
    migrate(engine)
    with engine.begin() as conn:
        if accounts.list_accounts(conn):
            raise ServerError(f"{config.data_dir} already has accounts; use `{PROG} user add` for more")
        accounts.add_account(conn, login=login, password=password, role="admin", scope_code=None)
    save_config(config)
    engine.dispose()
    # Made now so its public half is in the office settings from the first pull on.
    office_key(config.data_dir)


def cmd_init(args: argparse.Namespace) -> int:
    config = config_of(args)
    _initialise(config, args.admin, read_password(f"Password for {args.admin}: "))
    print(f"initialised {config.data_dir} with the admin account {args.admin}")
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    import uvicorn

    from server.app import create_app
    from server.observe import setup_logging

    setup_logging()
    app = create_app(config_of(args))
    # uvicorn stops accepting on SIGTERM/SIGINT and lets requests in flight finish (up to 30 s).
    uvicorn.run(app, host=args.host, port=args.port, log_config=None, access_log=False,
                timeout_graceful_shutdown=30, proxy_headers=True)
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    config = config_of(args)
    if (config.data_dir / "server.json").is_file():
        if args.if_missing:
            print(f"{config.data_dir} exists; the admin password was printed when it was made")
            return 0
        raise ServerError(f"{config.data_dir} already holds a server; remove it for a fresh demo")
    password = secrets.token_urlsafe(12)
    _initialise(config, "admin", password)
    engine = open_engine(config.database_url)
    with engine.begin() as conn:
        result = import_units(conn, DEMO_UNITS)
        for path in sample_paths():
            rubrics.publish_rubric(conn, *rubrics.read_rubric(path))
    engine.dispose()
    print(f"demo office in {config.data_dir}: {result.areas} areas, {result.units} units, "
          f"{len(sample_paths())} rubrics")
    print(f"admin password (shown only now): {password}")
    return 0


def cmd_user_add(args: argparse.Namespace) -> int:
    engine = open_store(args)
    password = read_password(f"Password for {args.login}: ")
    with engine.begin() as conn:
        account = accounts.add_account(conn, login=args.login, password=password, role=args.role,
                                       scope_code=args.scope, name=args.name)
    print(f"added {account.login} ({account.role}, scope {account.scope_code or 'everything'})")
    return 0


def cmd_user_passwd(args: argparse.Namespace) -> int:
    engine = open_store(args)
    with engine.connect() as conn:
        accounts.get_account(conn, args.login)  # before the prompt: no password typed in vain
    password = read_password(f"New password for {args.login}: ")
    with engine.begin() as conn:
        accounts.set_password(conn, args.login, password)
    print(f"changed the password of {args.login}; its sessions were ended")
    return 0


def cmd_user_disable(args: argparse.Namespace) -> int:
    with open_store(args).begin() as conn:
        revoked = accounts.disable_account(conn, args.login)
    print(f"disabled {args.login}; {revoked} session(s) revoked")
    return 0


def cmd_user_list(args: argparse.Namespace) -> int:
    with open_store(args).begin() as conn:
        found = accounts.list_accounts(conn)
    if args.json:
        print(json.dumps([{"login": a.login, "name": a.name, "role": a.role, "scope": a.scope_code,
                           "disabled": a.disabled} for a in found], ensure_ascii=False, indent=2))
        return 0
    for a in found:
        state = "disabled" if a.disabled else "active"
        print(f"{a.login:<20} {a.role:<13} {a.scope_code or '(everything)':<14} {state:<8} {a.name}")
    return 0


def cmd_units_import(args: argparse.Namespace) -> int:
    with open_store(args).begin() as conn:
        result = import_units(conn, args.file)
    print(f"imported {result.areas} areas and {result.units} units from {args.file.name}")
    return 0


def cmd_rubric_publish(args: argparse.Namespace) -> int:
    doc, rubric = rubrics.read_rubric(args.file)
    with open_store(args).begin() as conn:
        ref, new = rubrics.publish_rubric(conn, doc, rubric)
    verb = "published" if new else "already published"
    print(f"{verb}: {ref.rubric_id} {ref.version} {ref.hash}")
    return 0


def cmd_assign(args: argparse.Namespace) -> int:
    spec = assignments.NewAssignments(
        campaign=args.campaign, team=args.team, unit_codes=_split(args.unit), window_start=args.start,
        window_end=args.end, rubrics=_split(args.rubric), visit_type=args.visit_type, members=_split(args.member))
    with open_store(args).begin() as conn:
        made = assignments.assign(conn, spec)
    print(f"assigned {len(made)} unit(s) to {args.team} in {args.campaign}, {args.start} to {args.end}")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args))
    except ServerError as exc:
        print(f"{PROG}: {exc.message}", file=sys.stderr)
        details = exc.details if isinstance(exc.details, list) else []
        for line in details:
            print(f"  {line}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print(f"{PROG}: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
