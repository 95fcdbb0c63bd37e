"""`fieldmark-server bundle import FILE`: an offline bundle (*.fmbundle) applied as a push; one
sealed to the office is opened with the office's key from the data folder first."""

from __future__ import annotations

import argparse
from collections import Counter
from pathlib import Path
from typing import Any

from server.cli_support import config_of, open_store, store_options
from server.errors import ServerError, StoreUnavailable
from server.keys_office import office_key
from server.store.blobs import BlobStoreUnavailable, open_blob_store
from server.sync.bundles import import_bundle


def register(sub: Any) -> None:
    bundle = sub.add_parser("bundle", help="offline bundles").add_subparsers(dest="action", required=True)
    p = bundle.add_parser("import", help="apply a *.fmbundle with the same checks as a push")
    store_options(p)
    p.add_argument("--blobs", default=None, help="where blobs are kept (default: the server's)")
    p.add_argument("file", type=Path)
    p.set_defaults(func=cmd_bundle_import)


def cmd_bundle_import(args: argparse.Namespace) -> int:
    # Imported here, as `serve` does: the web framework loads only for commands that need it.
    from server.api import blobs
    from server.app import BLOB_FOLDER
    from server.leftovers import INCOMING_FOLDER

    if not args.file.is_file():
        raise ServerError(f"{args.file}: no such file")
    config = config_of(args)
    engine = open_store(args)
    store = open_blob_store(config.blobs_url or config.data_dir / BLOB_FOLDER)
    try:
        # The same blob limit as the server's uploads: a bundle brings in what a push could.
        imported = import_bundle(engine, store, args.file, max_blob_bytes=blobs.MAX_BLOB_BYTES,
                                 office_key=office_key(config.data_dir), scratch=config.data_dir / INCOMING_FOLDER)
    except BlobStoreUnavailable as exc:
        raise StoreUnavailable(str(exc)) from exc
    finally:
        store.close()
        engine.dispose()
    receipt = imported.receipt
    counts = Counter(row.status for row in receipt.rows)
    verb = "imported" if imported.new else "already applied (the same receipt again)"
    print(f"{verb}: changeset {receipt.changeset_id} from device {imported.device.id} "
          f"({imported.owner.login}), server_seq {receipt.server_seq}")
    print("  " + ", ".join(f"{counts[s]} {s}" for s in ("applied", "conflict", "error", "unpermitted")))
    return 0
