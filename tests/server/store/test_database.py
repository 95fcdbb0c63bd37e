"""The schema: the Alembic scripts make it on both engines, and the query metadata agrees."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from server.store.database import current_revision, head_revision, migrate, open_engine
from server.store.schema import metadata


def test_migrated_database_matches_the_metadata(database_url):
    engine = open_engine(database_url)
    migrate(engine)  # a second time: nothing to do
    assert current_revision(engine) == head_revision() == "0009"
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), metadata)
    engine.dispose()
    # CHECK constraints live only in the migrations; everything else must agree.
    assert diff == []
