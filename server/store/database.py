"""Opening the row store and bringing its schema up to date.

One code path for SQLite and PostgreSQL: SQLAlchemy Core over sqlite3 or psycopg 3. Migrations
are the Alembic scripts beside this module, run programmatically by ``init`` and at start-up.
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config as AlembicConfig
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, create_engine, event, text
from sqlalchemy.exc import SQLAlchemyError

from server.errors import ConfigError

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
# The execution option that makes a SQLite transaction deferred (see ``reading``).
READ_ONLY = "fieldmark_read_only"
_WRITE_LOCKS: weakref.WeakKeyDictionary[Engine, threading.Lock] = weakref.WeakKeyDictionary()


def open_engine(url: str) -> Engine:
    """An engine for ``url``, with SQLite set up for several threads writing in turn."""
    if not url.startswith("sqlite"):
        # pre_ping: a PostgreSQL restart must not fail the first request after it.
        return create_engine(url, pool_pre_ping=True, pool_size=5, max_overflow=10)
    path = url.removeprefix("sqlite:///")
    if path and path != ":memory:":
        Path(path).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, connect_args={"timeout": 30, "check_same_thread": False})

    @event.listens_for(engine, "connect")
    def _pragmas(dbapi_conn: Any, _record: Any) -> None:
        # Autocommit at the driver level, so that SQLAlchemy's "begin" below decides.
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.close()

    @event.listens_for(engine, "begin")
    def _begin(conn: Any) -> None:
        # IMMEDIATE takes the write lock up front: a deferred transaction that reads and then
        # writes fails at once with "database is locked" when another writer got in between.
        # A transaction that only reads (``reading``) needs no lock: WAL lets it read beside a writer.
        conn.exec_driver_sql("BEGIN" if conn.get_execution_options().get(READ_ONLY) else "BEGIN IMMEDIATE")

    _WRITE_LOCKS[engine] = threading.Lock()
    return engine


@contextmanager
def writing(engine: Engine) -> Iterator[Connection]:
    """A transaction that may write, committed at the end (rolled back on an exception).

    On SQLite the threads of this process queue for the write lock on a Python lock first:
    SQLite's own busy handler polls with sleeps of up to 100 ms, so under a burst of pushes the
    lock sat free while its waiters slept, and throughput fell several-fold. (Other processes on
    the same file still meet the busy handler.) On PostgreSQL writers need no such queue.
    """
    lock = _WRITE_LOCKS.get(engine)
    with lock if lock is not None else nullcontext(), engine.begin() as conn:
        yield conn


@contextmanager
def reading(engine: Engine) -> Iterator[Connection]:
    """A transaction that only reads: on SQLite it neither takes nor waits for the write lock."""
    with engine.connect() as conn:
        conn.execution_options(**{READ_ONLY: True})
        with conn.begin():
            yield conn


def _alembic_config(connection: Any) -> AlembicConfig:
    cfg = AlembicConfig()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.attributes["connection"] = connection
    return cfg


def migrate(engine: Engine) -> None:
    """Apply every migration not yet applied (none: nothing happens)."""
    try:
        with engine.begin() as conn:
            if conn.dialect.name == "postgresql":
                # App processes starting together must not migrate twice at once; the lock
                # ends with the transaction. (SQLite's BEGIN IMMEDIATE already serialises.)
                conn.execute(text("SELECT pg_advisory_xact_lock(7331001)"))
            command.upgrade(_alembic_config(conn), "head")
    except SQLAlchemyError as exc:
        raise ConfigError(f"cannot migrate the database: {getattr(exc, 'orig', None) or exc}") from None


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def head_revision() -> str | None:
    return ScriptDirectory(str(MIGRATIONS)).get_current_head()


def ping(engine: Engine) -> None:
    """Raise unless the database answers a query (the readiness check)."""
    with engine.connect() as conn:
        conn.execute(text("SELECT 1"))
