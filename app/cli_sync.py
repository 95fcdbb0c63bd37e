"""CLI commands of sync: login, logout, sync (docs/sync-protocol.md section 12, "The sync engine").

    fieldmark login --server https://fieldmark.example.org --user wang.li   # password prompted
    echo "$PASSWORD" | fieldmark login --server URL --user NAME             # or read from stdin
    fieldmark sync                                                          # progress, then a summary
    fieldmark logout

The token goes to the OS keychain and nowhere else. Without a keychain, ``login`` says so and
``sync`` asks for the password each time, logging in for that run only.

``sync`` exits 0 only when the server acknowledged everything and no conflict is open; otherwise
with the code of its reason (EXIT_CODES) and a line saying it.
"""

from __future__ import annotations

import argparse
import getpass
import sys

from app import __version__, credentials
from app.errors import FieldmarkError
from app.paths import resolve_data_dir
from app.profile import Profile
from app.settings import get_setting
from app.sync.client import Client, Offline, Retry, SyncError
from app.sync.device import Session, login
from app.sync.engine import Progress, SyncResult, sync

EXIT_CODES = {
    "failed": 1,
    "offline": 3,
    "authentication": 4,
    "conflicts": 5,
    "protocol": 6,
    "server_error": 7,
    "not_acknowledged": 8,
    "refused": 8,
    # The laptop's disk could not take what was received; free space and sync again.
    "disk_full": 9,
}
# Tests shorten the waits between tries; a person's sync keeps the defaults.
RETRY = Retry()


def register(sub, add_data_dir, command) -> None:  # noqa: ANN001 - argparse internals
    p = command("login", cmd_login, "log in to the office's server and register this laptop")
    p.add_argument("--server", required=True, metavar="URL", help="the server's address, e.g. https://fm.example.org")
    p.add_argument("--user", required=True, metavar="NAME", help="your login name on that server")
    command("logout", cmd_logout, "log out: revoke the token on the server and delete it from the keychain")
    command("sync", cmd_sync, "send this laptop's work to the server and receive the team's")


def _password(prompt: str) -> str:
    if sys.stdin.isatty():
        return getpass.getpass(prompt)
    line = sys.stdin.readline().rstrip("\r\n")
    if not line:
        raise FieldmarkError("no password given on standard input")
    return line


def _fail(error: SyncError) -> int:
    print(f"fieldmark: {error}", file=sys.stderr)
    return EXIT_CODES.get(error.reason, 1)


def cmd_login(args: argparse.Namespace) -> int:
    root = resolve_data_dir(args.data_dir)
    password = _password(f"Password for {args.user} on {args.server}: ")
    with Profile.open(root) as profile:
        try:
            login(profile, args.server, args.user, password, retry=RETRY)
        except SyncError as exc:
            return _fail(exc)
    print(f"logged in to {args.server.rstrip('/')} as {args.user}; this laptop is registered")
    try:
        kept = credentials.load_token(args.server.rstrip("/"), args.user) is not None
    except credentials.NoKeychain as exc:
        print(f"fieldmark: {exc}", file=sys.stderr)
    else:
        if not kept:
            print(f"fieldmark: {credentials.NO_KEYCHAIN}", file=sys.stderr)
    return 0


def _where(profile: Profile) -> tuple[str, str]:
    server = str(get_setting(profile, "server_url") or "").rstrip("/")
    name = str(get_setting(profile, "server_login") or "")
    return server, name


def cmd_logout(args: argparse.Namespace) -> int:
    with Profile.open(resolve_data_dir(args.data_dir)) as profile:
        server, name = _where(profile)
    if not server or not name:
        print("not logged in")
        return 0
    try:
        token = credentials.load_token(server, name)
    except credentials.NoKeychain:
        token = None
    if token is None:
        print(f"not logged in to {server} (no token in the keychain)")
        return 0
    try:
        with Client(server, token, retry=RETRY) as client:
            client.logout()
    except Offline:
        print(f"fieldmark: {server} cannot be reached: the token is deleted here and stays valid on the "
              "server until it expires", file=sys.stderr)
    except SyncError as exc:
        if exc.reason != "authentication":  # revoked or expired already: nothing to revoke
            raise
    credentials.forget_token(server, name)
    print(f"logged out of {server}")
    return 0


class _Printer:
    """One line per finished photo and per step, not per chunk, so a log stays readable."""

    def __init__(self) -> None:
        self.last: tuple[str, int] | None = None

    def __call__(self, progress: Progress) -> None:
        step = (progress.phase, progress.items_done)
        if step == self.last or not progress.items_done:
            return
        self.last = step
        if progress.phase == "blobs":
            print(f"photos sent: {progress.items_done}/{progress.items_total}, "
                  f"{progress.bytes_done}/{progress.bytes_total} bytes", flush=True)
        elif progress.phase == "push":
            print(f"pushed {progress.items_done} rows", flush=True)
        elif progress.phase == "pull":
            print(f"pulled {progress.items_done} items", flush=True)
        elif progress.phase == "fetch":
            print(f"photos received: {progress.items_done}/{progress.items_total}, {progress.bytes_done} bytes",
                  flush=True)


def _summary(result: SyncResult) -> None:
    print(f"sent {result.rows_pushed} rows ({result.rows_acknowledged} acknowledged), "
          f"{result.blobs_uploaded} photos ({result.bytes_uploaded} bytes), "
          f"{result.versions_recorded} finalized versions; received {result.items_pulled} items, "
          f"{result.blobs_fetched} photos ({result.bytes_fetched} bytes); {len(result.receipts)} receipts kept")
    for line in result.rows_skipped[:10]:
        print(f"fieldmark: not stored here: {line}", file=sys.stderr)
    if result.blobs_unavailable:
        print(f"fieldmark: {len(result.blobs_unavailable)} photos of the team's rows could not be fetched from the "
              "server; the next sync tries again", file=sys.stderr)
    for visit in result.versions_unsent:
        print(f"fieldmark: visit {visit} was amended before its finalized version was synced: the amendment "
              "cannot name the version it replaces and is not sent", file=sys.stderr)
    if result.photos_offloaded:
        print(f"freed {result.bytes_offloaded / (1024 * 1024):.1f} MB: {result.photos_offloaded} photo originals the "
              "server holds were removed from this laptop (setting photos_after_sync); thumbnails stay")
    if result.local_only:
        print(f"{result.local_only} rows of the office's lists (areas, units, teams...) made on this laptop stay "
              "here: the server keeps those lists")
    if result.newer_release is not None:
        offered = result.newer_release
        print(f"Fieldmark {offered.version} is available (this is {__version__}): {offered.download_url} "
              "(install it when no visit is under way; Fieldmark never updates itself)")


def cmd_sync(args: argparse.Namespace) -> int:
    with Profile.open(resolve_data_dir(args.data_dir)) as profile:
        server, name = _where(profile)
        if not server or not name:
            print("fieldmark: not logged in: run `fieldmark login --server URL --user NAME` first", file=sys.stderr)
            return EXIT_CODES["authentication"]
        try:
            token = credentials.load_token(server, name)
        except credentials.NoKeychain as exc:
            # No keychain (or a locked one): the password, for this run only.
            print(f"fieldmark: {exc}", file=sys.stderr)
            try:
                session = login(profile, server, name, _password(f"Password for {name} on {server}: "),
                                keep=False, retry=RETRY)
            except SyncError as error:
                return _fail(error)
        else:
            if token is None:
                print(f"fieldmark: no login for {name} on {server} in the keychain: run `fieldmark login` again",
                      file=sys.stderr)
                return EXIT_CODES["authentication"]
            session = Session(server, name, token)
        result = sync(profile, session, _Printer(), retry=RETRY)
    _summary(result)
    if result.complete:
        print("everything was acknowledged")
        return 0
    print(f"fieldmark: sync {result.reason.replace('_', ' ') if result.reason else ''}: {result.message}",
          file=sys.stderr)
    return EXIT_CODES.get(result.reason or "failed", 1)
