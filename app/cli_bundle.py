"""CLI commands of offline bundles (docs/sync-protocol.md section 11), for when there is no network.

    fieldmark bundle export VISIT... --out day.fmbundle             # sealed for the office
    fieldmark bundle export VISIT... --out day.fmbundle --for team  # for a team-mate's laptop
    fieldmark bundle import day.fmbundle [--trust]                  # a team-mate's bundle
    fieldmark bundle key                                            # this laptop's device and key

A refused import exits 1 with a line naming the offending entry; nothing of it is stored.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from app.paths import resolve_data_dir
from app.profile import Profile
from app.sync import keys
from app.sync.bundle_export import device_key, export_bundle, fingerprint
from app.sync.bundle_import import import_bundle


def register(sub, add_data_dir, command) -> None:  # noqa: ANN001 - argparse internals
    bundle = sub.add_parser("bundle", help="offline bundles: carry visits without a network")
    b_sub = bundle.add_subparsers(dest="bundle_command", metavar="SUBCOMMAND", required=True)

    def bcommand(name: str, handler, help: str) -> argparse.ArgumentParser:  # noqa: ANN001
        p = b_sub.add_parser(name, help=help, description=help)
        add_data_dir(p)
        p.set_defaults(handler=handler)
        return p

    export = bcommand("export", cmd_export, "write visits to a signed bundle (sealed for the office by default)")
    export.add_argument("visits", nargs="+", metavar="VISIT_ID")
    export.add_argument("--out", required=True, type=Path, metavar="FILE.fmbundle")
    export.add_argument("--for", dest="recipient", choices=("office", "team"), default="office",
                        help="office: sealed, only the office server opens it; team: for a team-mate's laptop")
    imp = bcommand("import", cmd_import, "merge a team-mate's bundle into this laptop")
    imp.add_argument("file", type=Path)
    imp.add_argument("--trust", action="store_true",
                     help="accept the sender's device key the first time (compare its fingerprint first)")
    bcommand("key", cmd_key, "this laptop's device id and the fingerprint of the key its bundles are signed with")


def cmd_export(args: argparse.Namespace) -> int:
    with Profile.open(resolve_data_dir(args.data_dir), create=False) as profile:
        done = export_bundle(profile, args.visits, args.out, recipient=args.recipient)
    whom = "sealed for the office" if done.recipient == "office" else "for the team"
    print(f"wrote {done.path} ({whom}): {len(done.visits)} visit(s), {done.rows} rows, {done.blobs} photo(s), "
          f"{done.finalized_versions} finalized version(s)")
    for visit in done.versions_unsent:
        print(f"  visit {visit}: amended before its earlier version reached the server; sync it to send "
              "the amendment")
    return 0


def cmd_import(args: argparse.Namespace) -> int:
    with Profile.open(resolve_data_dir(args.data_dir), create=False) as profile:
        done = import_bundle(profile, args.file, trust=args.trust)
    if done.trusted_now:
        print(f"trusted device {done.device_id} from now on")
    if not done.new:
        print(f"already imported: changeset {done.changeset_id} from device {done.device_id}; nothing changed")
        return 0
    print(f"imported changeset {done.changeset_id} from device {done.device_id}: {done.rows_applied} rows stored, "
          f"{done.rows_unchanged} held already, {done.conflicts} conflict(s), {done.blobs_stored} photo(s)")
    for line in done.rows_skipped:
        print(f"  skipped {line}")
    return 0


def cmd_key(args: argparse.Namespace) -> int:
    with Profile.open(resolve_data_dir(args.data_dir), create=False) as profile:
        device = profile.device_id
        key = device_key(profile)
    print(f"device {device}")
    print(f"key fingerprint {fingerprint(keys.key_id(key))}")
    return 0
