"""Accounts, their passwords and tokens, and the login rate limit.

Everything here lives in the database, never in process memory: several app processes over
one PostgreSQL must behave as one server (a token made by one is honoured by the others, and
failed logins counted by one count for all).
"""

from __future__ import annotations

import hashlib
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import get_args

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import Connection, Engine, and_, delete, func, insert, select, update

from app.ids import new_id
from app.sync.protocol import Role
from server.areas import area_by_code, scope_path
from server.config import Config
from server.errors import BadInput, Conflict, NotFound, RateLimited, Unauthorized
from server.store.schema import accounts, login_failures, tokens

# The contract's roles (app.sync.protocol.Role), in its order.
ROLES: tuple[str, ...] = get_args(Role)
# Roles that manage the office's data (accounts, assignments of every team) within their scope.
OFFICE_ROLES = ("office_staff", "admin")
MIN_PASSWORD = 8

# argon2id is argon2-cffi's default type; the parameters are its defaults (RFC 9106 low-memory).
# The tests swap in cheaper parameters (same algorithm) through this name.
HASHER = PasswordHasher()
# The time in seconds since the epoch, for the login window and the tokens' lifetimes. A test
# puts a clock of its own here to move time on instead of sleeping through a window.
clock: Callable[[], float] = time.time
# Verified against when the login is unknown, so a wrong login costs the same time as a wrong
# password and does not reveal which logins exist.
_DUMMY_PASSWORD = "not a password of anyone"


@dataclass(frozen=True)
class Account:
    id: str
    login: str
    name: str
    role: str
    # The path of the scope's area ("/42/4203/"); "/" is the whole tree.
    scope: str
    scope_code: str | None
    disabled: bool
    # The scope's area id; None is the whole tree (only an admin's).
    scope_area_id: str | None = None

    @property
    def is_office(self) -> bool:
        return self.role in OFFICE_ROLES


@dataclass(frozen=True)
class Session:
    account: Account
    token_hash: str
    device_id: str | None


@dataclass(frozen=True)
class IssuedToken:
    token: str
    expires_at: float
    account: Account


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise BadInput(f"the password is too short: at least {MIN_PASSWORD} characters")


def _check_role(role: str) -> None:
    if role not in ROLES:
        raise BadInput(f"unknown role {role!r}; one of {', '.join(ROLES)}")


def _account(conn: Connection, row) -> Account:  # noqa: ANN001 - a SQLAlchemy Row
    path, code = scope_path(conn, row.scope_area_id)
    return Account(row.id, row.login, row.name, row.role, path, code, bool(row.disabled), row.scope_area_id)


def add_account(conn: Connection, *, login: str, password: str, role: str,
                scope_code: str | None, name: str = "") -> Account:
    """A new account. Only an admin may have the whole tree (no scope)."""
    login = login.strip()
    if not login or len(login) > 64 or any(c.isspace() for c in login):
        raise BadInput("a login is 1 to 64 characters without spaces")
    _check_role(role)
    _check_password(password)
    scope_id = _scope_id(conn, role, scope_code)
    if conn.execute(select(accounts.c.id).where(accounts.c.login == login)).first():
        raise Conflict(f"the login {login!r} is taken")
    account_id = new_id()
    conn.execute(insert(accounts).values(
        id=account_id, login=login, name=name, role=role, scope_area_id=scope_id,
        password_hash=HASHER.hash(password), disabled=False, created_at=clock()))
    return get_account(conn, login)


def get_account(conn: Connection, login: str) -> Account:
    row = conn.execute(select(accounts).where(accounts.c.login == login)).first()
    if row is None:
        raise NotFound(f"no account {login!r}")
    return _account(conn, row)


def list_accounts(conn: Connection, *, within: str = "/") -> list[Account]:
    """Accounts whose scope lies inside the subtree ``within`` (a scope path)."""
    rows = conn.execute(select(accounts).order_by(accounts.c.login)).all()
    found = [_account(conn, r) for r in rows]
    return [a for a in found if a.scope.startswith(within)]


def account_within(conn: Connection, login: str, within: str) -> Account:
    """The account when its scope lies inside the subtree ``within``; one outside it is 'not
    found', as if it did not exist (an admin of one county must not learn another's logins)."""
    account = get_account(conn, login)
    if not account.scope.startswith(within):
        raise NotFound(f"no account {login!r}")
    return account


def _scope_id(conn: Connection, role: str, scope_code: str | None) -> str | None:
    if scope_code is not None:
        return area_by_code(conn, scope_code).id
    if role != "admin":
        raise BadInput(f"a {role} account needs a scope (--scope AREA-CODE)")
    return None


def update_account(conn: Connection, login: str, *, role: str, scope_code: str | None,
                   name: str) -> Account:
    """A new role, scope and name. Tokens stay valid: every request reads the role and the
    scope afresh, so the change holds from the next request on."""
    _check_role(role)
    account = get_account(conn, login)
    scope_id = _scope_id(conn, role, scope_code)
    conn.execute(update(accounts).where(accounts.c.id == account.id)
                 .values(role=role, scope_area_id=scope_id, name=name.strip()))
    return get_account(conn, login)


def enable_account(conn: Connection, login: str) -> Account:
    """Let a disabled account log in again (its old tokens stay revoked)."""
    account = get_account(conn, login)
    conn.execute(update(accounts).where(accounts.c.id == account.id).values(disabled=False))
    return get_account(conn, login)


def set_password(conn: Connection, login: str, password: str) -> None:
    """A new password; every token of the account stops working (a stolen one with it)."""
    _check_password(password)
    account = get_account(conn, login)
    conn.execute(update(accounts).where(accounts.c.id == account.id)
                 .values(password_hash=HASHER.hash(password)))
    _revoke_all(conn, account.id)


def disable_account(conn: Connection, login: str) -> int:
    """Disable the account and revoke its tokens; returns how many were live."""
    account = get_account(conn, login)
    conn.execute(update(accounts).where(accounts.c.id == account.id).values(disabled=True))
    return _revoke_all(conn, account.id)


def _revoke_all(conn: Connection, account_id: str) -> int:
    now = clock()
    result = conn.execute(update(tokens).where(and_(
        tokens.c.account_id == account_id, tokens.c.revoked_at.is_(None), tokens.c.expires_at > now,
    )).values(revoked_at=now))
    return result.rowcount


def _account_key(login: str) -> str:
    # A login is at most 64 characters; a longer username (the protocol allows 200) names no
    # account but is still counted, under its hash, so the key fits its column.
    if len(login) <= 64:
        return f"account:{login}"
    return "account:sha256:" + hashlib.sha256(login.encode()).hexdigest()


def _failures(conn: Connection, key: str, since: float) -> int:
    return conn.execute(select(func.count()).select_from(login_failures).where(
        and_(login_failures.c.key == key, login_failures.c.at > since))).scalar_one()


def check_login_allowed(conn: Connection, config: Config, *, login: str, address: str) -> None:
    """Refuse (429) while the account or the address has too many recent failures.

    Checked before the password, so a locked account cannot be probed either.
    """
    now = clock()
    since = now - config.login_window
    limits = ((_account_key(login), config.login_max_per_account),
              (f"address:{address}", config.login_max_per_address))
    for key, limit in limits:
        if _failures(conn, key, since) >= limit:
            oldest = conn.execute(select(func.min(login_failures.c.at)).where(
                and_(login_failures.c.key == key, login_failures.c.at > since))).scalar_one()
            retry = max(1, int((oldest or now) + config.login_window - now) + 1)
            what = "this account" if key.startswith("account:") else "this address"
            raise RateLimited(f"too many failed logins for {what}; try again in {retry} s",
                              retry_after=retry)


def record_failure(conn: Connection, config: Config, *, login: str, address: str) -> None:
    now = clock()
    conn.execute(insert(login_failures), [
        {"key": _account_key(login), "at": now}, {"key": f"address:{address}", "at": now}])
    # Old rows are worthless once out of the window; pruning here keeps the table small.
    conn.execute(delete(login_failures).where(login_failures.c.at < now - config.login_window))


def verify_login(conn: Connection, *, login: str, password: str) -> Account | None:
    """The account when the login and password match an enabled account, else None."""
    row = conn.execute(select(accounts).where(accounts.c.login == login)).first()
    try:
        HASHER.verify(row.password_hash if row else HASHER.hash(_DUMMY_PASSWORD), password)
    except (VerificationError, InvalidHashError):
        return None
    if row is None or row.disabled:
        return None
    return _account(conn, row)


def issue_token(conn: Connection, config: Config, account: Account, *,
                device_id: str | None = None) -> IssuedToken:
    """A new opaque token; only its hash is stored."""
    token = secrets.token_urlsafe(32)
    now = clock()
    expires = now + config.token_lifetime
    conn.execute(insert(tokens).values(hash=hash_token(token), account_id=account.id,
                                       device_id=device_id, created_at=now, expires_at=expires))
    return IssuedToken(token, expires, account)


def clear_failures(conn: Connection, login: str) -> None:
    conn.execute(delete(login_failures).where(login_failures.c.key == _account_key(login)))


def authenticate(conn: Connection, token: str) -> Session:
    """The session of a live token; expired, revoked, unknown and disabled all answer 401."""
    digest = hash_token(token)
    row = conn.execute(select(tokens, accounts).join(accounts, accounts.c.id == tokens.c.account_id)
                       .where(tokens.c.hash == digest)).first()
    if row is None:
        raise Unauthorized("the token is not valid; log in again")
    if row.revoked_at is not None:
        raise Unauthorized("the token was revoked; log in again")
    if row.expires_at <= clock():
        raise Unauthorized("the token has expired; log in again")
    if row.disabled:
        raise Unauthorized("the account is disabled")
    path, code = scope_path(conn, row.scope_area_id)
    account = Account(row.account_id, row.login, row.name, row.role, path, code, False, row.scope_area_id)
    return Session(account, digest, row.device_id)


def revoke_token(conn: Connection, token_hash: str) -> None:
    conn.execute(update(tokens).where(and_(tokens.c.hash == token_hash, tokens.c.revoked_at.is_(None)))
                 .values(revoked_at=clock()))


def login(engine: Engine, config: Config, *, login: str, password: str, address: str,
          device_id: str | None = None) -> IssuedToken:
    """Check the rate limit and the password; a token (bound to the device) or an error.

    The device registers its key afterwards (``PUT /devices/{id}``), with the token.
    The failure is recorded in its own committed transaction before the 401, and the slow
    argon2 check runs outside any transaction so it never holds SQLite's write lock.
    """
    with engine.begin() as conn:
        check_login_allowed(conn, config, login=login, address=address)
    with engine.connect() as conn:
        account = verify_login(conn, login=login, password=password)
    with engine.begin() as conn:
        if account is None:
            record_failure(conn, config, login=login, address=address)
        else:
            clear_failures(conn, login)
            return issue_token(conn, config, account, device_id=device_id)
    raise Unauthorized("wrong login or password")
