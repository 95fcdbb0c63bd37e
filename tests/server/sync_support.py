"""Support for the sync engine's tests: an in-memory keychain, laptops made from the demo profile
whose office tree the server holds, and an httpx transport that cuts chosen requests."""

from __future__ import annotations

import random
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx
import keyring
from keyring.backend import KeyringBackend
from sqlalchemy import delete, insert, select

from app.demo_photos import PHONE, demo_jpeg
from app.evidence import import_bytes
from app.profile import Profile
from app.sync.client import Retry
from app.sync.device import Session, login
from db.rows import fetch_all
from server.store.schema import (
    accounts,
    admin_areas,
    assignments,
    campaigns,
    team_members,
    teams,
    units,
)
from server.sync.sequence import stamp
from tests.log_secrets import remember
from tests.server.finalized_support import copy_profile, in_progress_visit

# No waiting between tries: the faults below are deliberate, and a test must stay quick.
QUICK = Retry(attempts=3, first_wait=0.0, longest_wait=0.0, timeout=10.0)
PASSWORD = "password-123"


class MemoryKeyring(KeyringBackend):
    """A keychain that forgets everything when the test ends; ``secrets`` shows what it holds."""

    priority = 1  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.secrets: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.secrets.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        # Tokens and device keys pass through here: none may reach a log (tests/log_secrets.py).
        remember(password)
        self.secrets[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        if self.secrets.pop((service, username), None) is None:
            raise keyring.errors.PasswordDeleteError(username)


class LockedKeyring(KeyringBackend):
    """A keychain that is there but refuses every use (locked, or its service not running)."""

    priority = 1  # type: ignore[assignment]

    def get_password(self, service: str, username: str) -> str | None:
        raise keyring.errors.KeyringLocked("the keychain is locked")

    def set_password(self, service: str, username: str, password: str) -> None:
        raise keyring.errors.KeyringLocked("the keychain is locked")

    def delete_password(self, service: str, username: str) -> None:
        raise keyring.errors.KeyringLocked("the keychain is locked")


def use_keyring(backend: KeyringBackend) -> Iterator[KeyringBackend]:
    before = keyring.get_keyring()
    keyring.set_keyring(backend)
    try:
        yield backend
    finally:
        keyring.set_keyring(before)


def mirror_office(server: Any, profile: Profile) -> None:
    """Make the server's tree the laptop's: the same areas and units under the same ids and values,
    numbered as the office's writes are, as if the office had imported what the demo laptop holds."""
    areas = fetch_all(profile.db, "SELECT id, parent_id, level, code, name FROM admin_areas")
    held = fetch_all(profile.db, "SELECT id, area_id, code, name, unit_type, head_name, phone, address, profile "
                                 "FROM units")
    by_id = {a["id"]: a for a in areas}

    def path(area: dict[str, Any]) -> str:
        parent = by_id.get(area["parent_id"])
        return (path(parent) if parent else "/") + area["code"] + "/"

    with server.engine.begin() as conn:
        conn.execute(delete(units))
        conn.execute(delete(admin_areas))
        for area in sorted(areas, key=lambda a: len(path(a))):
            conn.execute(insert(admin_areas).values(**area, path=path(area), updated_at=0.0, server_seq=stamp(conn)))
        for unit in held:
            conn.execute(insert(units).values(**unit, updated_at=0.0, server_seq=stamp(conn)))


def mirror_campaigns(server: Any, profile: Profile, login_name: str) -> None:
    """Make the office's campaigns, teams and assignments the laptop's, as if the office had made
    them on the server and the laptop pulled them, with the account in every team."""
    with server.engine.begin() as conn:
        account_id = conn.execute(select(accounts.c.id).where(accounts.c.login == login_name)).scalar_one()
        for row in fetch_all(profile.db, "SELECT id, name FROM campaigns WHERE deleted = 0"):
            conn.execute(insert(campaigns).values(**row, created_at=0.0, server_seq=stamp(conn)))
        for row in fetch_all(profile.db, "SELECT id, name FROM teams WHERE deleted = 0"):
            conn.execute(insert(teams).values(**row, created_at=0.0, server_seq=stamp(conn)))
            conn.execute(insert(team_members).values(team_id=row["id"], account_id=account_id))
        for row in fetch_all(profile.db, "SELECT id, campaign_id, unit_id, team_id, visit_type, window_start, "
                                         "window_end, rubric_hashes FROM assignments WHERE deleted = 0"):
            conn.execute(insert(assignments).values(**row, created_at=0.0, server_seq=stamp(conn)))
    # The laptop holds them as pulled: clean, not its own edits.
    with profile.db.atomic():
        for table in ("campaigns", "teams", "assignments"):
            profile.db.execute(f"UPDATE {table} SET dirty = 0, base_rev = rev")


@dataclass
class Machine:
    """A laptop: a copy of the demo profile, logged in to the test server."""

    profile: Profile
    session: Session
    root: Path
    account: Any


def laptop(server: Any, template: Path, root: Path, *, mirror: bool = False, role: str = "inspector",
           scope: str = "42") -> Machine:
    """A copy of the demo profile logged in as a new account; ``mirror`` first gives the server the
    demo's tree (before any account is scoped to it)."""
    profile = copy_profile(template, root)
    if mirror:
        mirror_office(server, profile)
    account = server.make_account(role, scope)
    session = login(profile, server.url, account.login, account.password, retry=QUICK)
    return Machine(profile, session, root, account)


@dataclass
class Faults(httpx.BaseTransport):
    """A real HTTP transport to the live server, which cuts the requests ``cut`` picks: before the
    server answers (``after_send`` False: the body is half sent, then the connection drops) or after
    it (the server did the work; its answer is lost)."""

    cut: Callable[[httpx.Request], bool] = lambda request: False
    after_send: bool = False
    real: httpx.HTTPTransport = field(default_factory=httpx.HTTPTransport)
    seen: list[tuple[str, str, int]] = field(default_factory=list)

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if self.cut(request):
            if self.after_send:
                answer = self.real.handle_request(request)
                answer.read()
                answer.close()
                self.seen.append((request.method, request.url.path, -1))
                raise httpx.ReadError("the connection dropped before the answer came", request=request)
            # Read part of the body, as a cut network would have sent it, and drop.
            sent = 0
            for chunk in request.stream:  # type: ignore[union-attr]
                sent += len(chunk)
                break
            self.seen.append((request.method, request.url.path, -sent - 1))
            raise httpx.WriteError("the connection dropped while sending", request=request)
        answer = self.real.handle_request(request)
        self.seen.append((request.method, request.url.path, int(request.headers.get("content-length", 0))))
        return answer

    def close(self) -> None:
        self.real.close()

    def puts(self) -> list[str]:
        """The blobs uploaded whole (answered by the server)."""
        return [path.rsplit("/", 1)[1] for method, path, size in self.seen
                if method == "PUT" and "/blobs/" in path and size >= 0]


def add_photos(machine: Machine, count: int) -> list[str]:
    """Photos no test took before (the server's blob store outlives each test's database), on the
    laptop's first visit in progress; returns their hashes."""
    visit_id = in_progress_visit(machine.profile)
    found = []
    for n in range(count):
        rnd = random.Random(uuid.uuid4().int)
        data = demo_jpeg("gate", rnd, taken=datetime(2026, 11, 24, 9, 30 + n), camera=PHONE, place=(32.54, 111.51))
        summary = import_bytes(machine.profile, data, f"IMG_{n:04d}.jpg", visit_id=visit_id)
        for result in summary.imported:
            row = machine.profile.db.execute("SELECT sha256 FROM evidence WHERE id = ?", (result.evidence_id,))
            found.append(row.fetchone()[0])
    return found


def server_lacks(server: Any, token: str, hashes: list[str]) -> list[str]:
    with server.client(token) as c:
        answer = c.post("/api/v1/blobs/missing", json={"sha256": hashes})
    assert answer.status_code == 200, answer.text
    return sorted(answer.json()["missing"])
