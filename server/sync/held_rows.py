"""The server's current rows one push reads and writes, loaded in a few queries and written in
one batch.

A changeset of 50 rows used to cost about 200 statements (each row's visit, its current version,
its write); building and running each through SQLAlchemy took most of a push's time. Here the
rows a changeset names, and the visits and findings they point to, are loaded with one query per
table up front; reads after that come from memory, and the push's writes update the memory at
once (a visit applied first is known to the rows after it) and reach the database in one
``executemany`` per kind before anything else reads the table (``flush``).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, String, any_, bindparam, insert, select, update
from sqlalchemy.dialects.postgresql import ARRAY

from server.store.schema import sync_rows

# Keys per IN list: well under SQLite's and PostgreSQL's limits on bound parameters.
_CHUNK = 500
_UPDATE = (update(sync_rows)
           .where(sync_rows.c.table_name == bindparam("t_name"), sync_rows.c.key == bindparam("t_key"))
           .values(rev=bindparam("rev"), device_id=bindparam("device_id"), base_rev=bindparam("base_rev"),
                   deleted=bindparam("deleted"), row_values=bindparam("row_values"),
                   visit_id=bindparam("visit_id"), unit_id=bindparam("unit_id"),
                   server_seq=bindparam("server_seq"), blob_sha256=bindparam("blob_sha256")))


@dataclass(frozen=True)
class HeldRow:
    """A sync_rows row as this push sees it (stored, or written by the push itself)."""

    rev: str
    device_id: str
    deleted: bool
    row_values: str
    visit_id: str | None
    unit_id: str | None


class HeldRows:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self._rows: dict[tuple[str, str], HeldRow | None] = {}
        self._inserts: list[dict[str, Any]] = []
        self._updates: list[dict[str, Any]] = []

    def load(self, wanted: Iterable[tuple[str, str]]) -> None:
        """Read the rows named (table, key) that are not known yet; absent ones are remembered too."""
        asked: set[tuple[str, str]] = set()
        for table, key in wanted:
            if (table, key) not in self._rows:
                asked.add((table, key))
                self._rows[table, key] = None
        by_table: dict[str, list[str]] = defaultdict(list)
        for table, key in sorted(asked):
            by_table[table].append(key)
        columns = (sync_rows.c.key, sync_rows.c.rev, sync_rows.c.device_id, sync_rows.c.deleted,
                   sync_rows.c.row_values, sync_rows.c.visit_id, sync_rows.c.unit_id)
        for table, keys in by_table.items():
            for start in range(0, len(keys), _CHUNK):
                found = self.conn.execute(select(*columns).where(
                    sync_rows.c.table_name == table, self._among(keys[start:start + _CHUNK])))
                for r in found:
                    self._rows[table, r.key] = HeldRow(r.rev, r.device_id, bool(r.deleted), r.row_values,
                                                       r.visit_id, r.unit_id)

    def _among(self, keys: list[str]) -> Any:
        if self.conn.dialect.name == "postgresql":
            # One array parameter, not one parameter per key: psycopg prepares a statement run
            # often, and PostgreSQL's generic plan for "key IN ($1, … $50)" scanned the whole
            # table (20 ms at 20,000 rows) where "key = ANY($1)" keeps to the index.
            return sync_rows.c.key == any_(bindparam("keys", keys, type_=ARRAY(String)))
        return sync_rows.c.key.in_(keys)

    def get(self, table: str, key: str) -> HeldRow | None:
        if (table, key) not in self._rows:
            self.load([(table, key)])
        return self._rows[table, key]

    def write(self, table: str, key: str, fields: dict[str, Any]) -> None:
        """Insert or replace the row (``fields``: every column but the key), in memory now and in
        the database at the next ``flush``."""
        exists = self.get(table, key) is not None
        self._rows[table, key] = HeldRow(fields["rev"], fields["device_id"], bool(fields["deleted"]),
                                         fields["row_values"], fields["visit_id"], fields["unit_id"])
        if exists:
            self._updates.append({"t_name": table, "t_key": key, **fields})
        else:
            self._inserts.append({"table_name": table, "key": key, **fields})

    def flush(self) -> None:
        if self._inserts:
            self.conn.execute(insert(sync_rows), self._inserts)
        if self._updates:
            self.conn.execute(_UPDATE, self._updates)
        self._inserts, self._updates = [], []
