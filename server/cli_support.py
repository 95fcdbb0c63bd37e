"""What every `fieldmark-server` command shares: the parser class, the store options and
opening the migrated store of a data folder."""

from __future__ import annotations

import argparse
import sys

from sqlalchemy import Engine

from server.config import DEFAULT_DATA_DIR, Config, load_config
from server.errors import ConfigError
from server.store.database import migrate, open_engine

PROG = "fieldmark-server"


class Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        self.exit(2, f"{PROG}: {message}\n")


def store_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--data-dir", default=None, help=f"the server's data folder (default ./{DEFAULT_DATA_DIR}, "
                   "or $FIELDMARK_SERVER_DIR)")
    p.add_argument("--database", default=None, help="sqlite:///PATH or postgresql://… (default: SQLite in the data folder)")


def config_of(args: argparse.Namespace) -> Config:
    return load_config(args.data_dir, database=args.database, blobs=getattr(args, "blobs", None))


def open_store(args: argparse.Namespace) -> Engine:
    """The migrated store of an initialised data folder."""
    config = config_of(args)
    if args.database is None and not (config.data_dir / "server.json").is_file():
        raise ConfigError(f"{config.data_dir} is not a server data folder; run `{PROG} init --data-dir {config.data_dir}` first")
    engine = open_engine(config.database_url)
    migrate(engine)
    return engine
