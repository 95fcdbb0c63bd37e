"""The account operations the Users pages use (server.accounts), on a real store."""

from __future__ import annotations

import secrets
from pathlib import Path

import psycopg
import pytest
from argon2 import PasswordHasher
from sqlalchemy import select

from server import accounts
from server.areas import area_by_code
from server.config import Config
from server.errors import BadInput, NotFound
from server.store.database import migrate, open_engine
from server.store.schema import tokens
from tests.server.conftest import (  # noqa: F401 - pg_admin_url: the PostgreSQL of the server tests
    COUNTY,
    OTHER_COUNTY,
    TOWNSHIP,
    database_on,
    pg_admin_url,
    reset_store,
)


@pytest.fixture(autouse=True)
def _cheap_hashing(monkeypatch):
    # argon2id still, at the smallest cost (as the server tests do).
    monkeypatch.setattr(accounts, "HASHER", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def store_url(request, tmp_path_factory):
    """A migrated database on each backend, for this module's tests."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('accounts') / 'server.db'}"
    else:
        admin_url = request.getfixturevalue("pg_admin_url")
        name = f"fm_test_{secrets.token_hex(6)}"
        with psycopg.connect(admin_url, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        request.addfinalizer(lambda: _drop(admin_url, name))
        url = database_on(admin_url, name).replace("postgresql://", "postgresql+psycopg://", 1)
    made = open_engine(url)
    migrate(made)
    made.dispose()
    return url


@pytest.fixture
def engine(store_url):
    """The store emptied and seeded as the live server's (demo tree, an admin)."""
    made = open_engine(store_url)
    reset_store(made)
    yield made
    made.dispose()


def _drop(admin_url: str, name: str) -> None:
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_update_changes_role_scope_and_name_and_keeps_tokens(engine):
    with engine.begin() as conn:
        made = accounts.add_account(conn, login="li", password="password-123", role="inspector",
                                    scope_code=TOWNSHIP, name="李")
        issued = accounts.issue_token(conn, _config(engine), made)
        changed = accounts.update_account(conn, "li", role="office_staff", scope_code=COUNTY, name=" 李明 ")
    assert (changed.role, changed.scope_code, changed.name, changed.id) == ("office_staff", COUNTY, "李明", made.id)
    with engine.connect() as conn:
        # The next request reads the new role.
        assert accounts.authenticate(conn, issued.token).account.role == "office_staff"


@pytest.mark.parametrize("role, scope, error", [
    ("chief", COUNTY, BadInput), ("office_staff", None, BadInput), ("inspector", "999999", NotFound),
])
def test_update_refuses_a_bad_role_or_scope_and_changes_nothing(engine, role, scope, error):
    with engine.begin() as conn:
        accounts.add_account(conn, login="li", password="password-123", role="inspector", scope_code=TOWNSHIP)
    with pytest.raises(error), engine.begin() as conn:
        accounts.update_account(conn, "li", role=role, scope_code=scope, name="x")
    with engine.connect() as conn:
        kept = accounts.get_account(conn, "li")
    assert (kept.role, kept.scope_code, kept.name) == ("inspector", TOWNSHIP, "")


def test_only_an_admin_may_have_the_whole_tree(engine):
    with engine.begin() as conn:
        accounts.add_account(conn, login="li", password="password-123", role="office_staff", scope_code=COUNTY)
        assert accounts.update_account(conn, "li", role="admin", scope_code=None, name="").scope == "/"


def test_disable_then_enable(engine):
    with engine.begin() as conn:
        made = accounts.add_account(conn, login="li", password="password-123", role="office_staff",
                                    scope_code=COUNTY)
        issued = accounts.issue_token(conn, _config(engine), made)
        assert accounts.disable_account(conn, "li") == 1
        assert accounts.verify_login(conn, login="li", password="password-123") is None
        assert not accounts.enable_account(conn, "li").disabled
        assert accounts.verify_login(conn, login="li", password="password-123") is not None
        # The tokens revoked by disabling stay revoked.
        revoked = conn.execute(select(tokens.c.revoked_at).where(
            tokens.c.hash == accounts.hash_token(issued.token))).scalar_one()
    assert revoked is not None


def test_an_account_outside_the_scope_is_not_found(engine):
    with engine.begin() as conn:
        accounts.add_account(conn, login="here", password="password-123", role="office_staff", scope_code=TOWNSHIP)
        accounts.add_account(conn, login="there", password="password-123", role="office_staff",
                             scope_code=OTHER_COUNTY)
        county = area_by_code(conn, COUNTY).path
        assert accounts.account_within(conn, "here", county).login == "here"
        for login in ("there", "admin", "nobody"):
            with pytest.raises(NotFound) as refused:
                accounts.account_within(conn, login, county)
            assert str(refused.value) == f"no account {login!r}"
        assert accounts.account_within(conn, "admin", "/").login == "admin"


def _config(engine):
    return Config(data_dir=Path("."), database_url=str(engine.url))
