"""Migration 0003 numbers the office's rows that existed before it, after everything numbered
already and in the order a client applies them, on SQLite and PostgreSQL."""

from __future__ import annotations

import secrets
from collections.abc import Iterator

import psycopg
import pytest
from alembic import command
from sqlalchemy import Engine, text

from server.store.database import _alembic_config, migrate, open_engine
from tests.server.conftest import database_on


@pytest.fixture
def blank_engine(backend: str, tmp_path, request: pytest.FixtureRequest) -> Iterator[Engine]:
    if backend == "sqlite":
        engine = open_engine(f"sqlite:///{tmp_path / 'old.db'}")
        yield engine
        engine.dispose()
        return
    admin = request.getfixturevalue("pg_admin_url")
    name = f"fm_mig_{secrets.token_hex(6)}"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    engine = open_engine(database_on(admin, name).replace("postgresql://", "postgresql+psycopg://", 1))
    yield engine
    engine.dispose()
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_existing_office_rows_are_numbered_in_order(blank_engine):
    with blank_engine.begin() as conn:
        command.upgrade(_alembic_config(conn), "0002")
    area = "INSERT INTO admin_areas (id, parent_id, level, code, name, path, updated_at) VALUES "
    with blank_engine.begin() as conn:
        conn.execute(text("INSERT INTO sync_counter (name, value) VALUES ('server_seq', 7)"))
        conn.execute(text(area + "('b', NULL, 'county', '42', 'c', '/42/', 1)"))
        conn.execute(text(area + "('a', 'b', 'township', '42001', 't', '/42/42001/', 1)"))
        conn.execute(text("INSERT INTO units (id, area_id, code, name, unit_type, updated_at) "
                          "VALUES ('u', 'a', 'U1', 'u', 'primary', 1)"))
        conn.execute(text("INSERT INTO rubric_templates (hash, rubric_id, version, name_zh, name_en, document, "
                          "published_at) VALUES ('h', 'r', '1', 'z', 'e', '{}', 5)"))
    migrate(blank_engine)
    with blank_engine.connect() as conn:
        numbered = conn.execute(text(
            "SELECT 'rubric', hash, server_seq FROM rubric_templates UNION ALL "
            "SELECT 'area', id, server_seq FROM admin_areas UNION ALL "
            "SELECT 'unit', id, server_seq FROM units ORDER BY 3")).all()
        counter = conn.execute(text("SELECT value FROM sync_counter")).scalar_one()
    assert [(kind, key, seq) for kind, key, seq in numbered] == [
        ("rubric", "h", 8), ("area", "b", 9), ("area", "a", 10), ("unit", "u", 11)]
    assert counter == 11
