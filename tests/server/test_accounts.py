"""Login, tokens (expiry, revocation), the login rate limit and device registration, over HTTP."""

from __future__ import annotations

import time
import uuid
from datetime import datetime

import pytest
from sqlalchemy import func, select

from app.sync.errors_body import ErrorBody
from app.sync.keys import generate_device_key, key_id, public_key_text
from app.sync.protocol import Account, DeviceRegistered, LoginResponse
from server import accounts
from server.store.schema import accounts as accounts_table
from server.store.schema import devices, login_failures, tokens
from tests.server.conftest import ADMIN_PASSWORD, COUNTY

API = "/api/v1"
DEVICE = "1c9e6a52-8f0b-4d3e-a1b7-2c5d9e8f0a13"
OTHER_DEVICE = "6a7b8c9d-0e1f-4a2b-9c3d-4e5f6a7b8c9d"
KEY = generate_device_key()


def test_login_gives_a_token_that_works_and_is_stored_only_as_its_hash(server):
    answer = server.login("admin", ADMIN_PASSWORD)
    assert answer.status_code == 200
    body = LoginResponse.model_validate(answer.json())
    with server.engine.connect() as conn:
        admin_id = conn.execute(select(accounts_table.c.id).where(accounts_table.c.login == "admin")).scalar_one()
    assert body.account == Account(id=admin_id, username="admin", display_name="", role="admin", scope_area_id=None)
    assert datetime.fromisoformat(body.expires_at).timestamp() > time.time() + 3600
    assert body.expires_at.endswith("+00:00")
    with server.client(body.token) as c:
        assert Account.model_validate(c.get(f"{API}/me").json()) == body.account
    with server.engine.connect() as conn:
        stored = conn.execute(select(tokens.c.hash)).scalars().all()
    assert body.token not in stored
    assert accounts.hash_token(body.token) in stored


def test_passwords_are_stored_as_argon2id_hashes(server):
    server.make_account("inspector", COUNTY, login="ins", password="password-123")
    with server.engine.connect() as conn:
        stored = conn.execute(select(accounts_table.c.password_hash).where(accounts_table.c.login == "ins")).scalar_one()
    assert stored.startswith("$argon2id$") and "password-123" not in stored
    # The production parameters (the tests run with cheaper ones) are argon2id too.
    assert accounts.PasswordHasher().hash("x").startswith("$argon2id$")


def test_wrong_password_unknown_login_and_disabled_account_all_answer_401(server):
    server.make_account("inspector", COUNTY, login="ins")
    with server.engine.begin() as conn:
        accounts.disable_account(conn, "ins")
    for login, password in (("admin", "wrong-password"), ("nobody", "whatever1"), ("ins", "password-123")):
        answer = server.login(login, password)
        assert answer.status_code == 401
        assert ErrorBody.model_validate(answer.json()).code == "unauthenticated"


def test_missing_forged_and_malformed_tokens_answer_401(server):
    for headers in ({}, {"Authorization": "Bearer forged-token"}, {"Authorization": "Basic abc"}):
        with server.client(**headers) as c:
            answer = c.get(f"{API}/me")
        assert answer.status_code == 401
        error = ErrorBody.model_validate(answer.json())
        assert error.code == "unauthenticated" and error.request_id == answer.headers["x-request-id"]
        assert answer.headers["www-authenticate"] == "Bearer"


def test_logout_revokes_the_token_only(server):
    first = server.login("admin", ADMIN_PASSWORD).json()["token"]
    with server.client(first) as c:
        assert c.post(f"{API}/logout").status_code == 204
        answer = c.get(f"{API}/me")
    assert answer.status_code == 401
    assert "revoked" in answer.json()["message"]
    with server.client(server.admin_token) as c:
        assert c.get(f"{API}/me").status_code == 200


def test_disable_and_new_password_revoke_every_token(server):
    ins = server.make_account("inspector", COUNTY)
    lead = server.make_account("team_leader", COUNTY)
    with server.engine.begin() as conn:
        assert accounts.disable_account(conn, ins.login) == 1
        accounts.set_password(conn, lead.login, "a-new-password")
    for who in (ins, lead):
        with server.client(who.token) as c:
            assert c.get(f"{API}/me").status_code == 401
    assert server.login(lead.login, lead.password).status_code == 401
    assert server.login(lead.login, "a-new-password").status_code == 200


def test_token_expires(server, start_server, config_for):
    with start_server(config_for(token_lifetime=1.0)) as short:
        token = short.login("admin", ADMIN_PASSWORD).json()["token"]
        with short.client(token) as c:
            assert c.get(f"{API}/me").status_code == 200
            time.sleep(1.2)
            answer = c.get(f"{API}/me")
    assert answer.status_code == 401
    assert "expired" in answer.json()["message"]


def test_failed_logins_are_limited_per_account_even_with_the_right_password(server):
    server.make_account("inspector", COUNTY, login="ins")
    for _ in range(3):  # the test servers allow 3 failures per account
        assert server.login("ins", "wrong-password").status_code == 401
    answer = server.login("ins", "password-123")
    assert answer.status_code == 429
    assert int(answer.headers["Retry-After"]) > 0
    error = ErrorBody.model_validate(answer.json())
    assert error.code == "rate_limited" and error.retry_after_s == int(answer.headers["Retry-After"])
    # Another account from the same address is not locked by it (6 per address).
    assert server.login("admin", ADMIN_PASSWORD).status_code == 200


def test_failed_logins_are_limited_per_address(server):
    for i in range(6):
        assert server.login(f"nobody{i}", "wrong-password").status_code == 401
    assert server.login("admin", ADMIN_PASSWORD).status_code == 429
    with server.engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(login_failures)).scalar_one() == 12


def test_a_success_clears_the_account_failures(server):
    for _ in range(2):
        server.login("admin", "wrong-password")
    assert server.login("admin", ADMIN_PASSWORD).status_code == 200
    for _ in range(2):
        assert server.login("admin", "wrong-password").status_code == 401
    assert server.login("admin", ADMIN_PASSWORD).status_code == 200


def test_a_long_username_is_refused_and_counted_like_any_other(server):
    # The protocol allows 200 characters, a login has at most 64: no account, a 401, and the
    # failure is counted (under the name's hash, so it fits its column).
    name = "x" * 200
    for _ in range(3):
        assert server.login(name, "wrong-password").status_code == 401
    assert server.login(name, "wrong-password").status_code == 429


def test_the_token_is_bound_to_the_device_that_logged_in(server):
    answer = server.login("admin", ADMIN_PASSWORD, device_id=DEVICE)
    assert answer.status_code == 200
    with server.engine.connect() as conn:
        bound = conn.execute(select(tokens.c.device_id).where(
            tokens.c.hash == accounts.hash_token(answer.json()["token"]))).scalar_one()
        assert conn.execute(select(func.count()).select_from(devices)).scalar_one() == 0
    assert bound == DEVICE


def register(client, device_id: str = DEVICE, key=None, **fields):
    key = key or KEY
    body = {"device_id": device_id, "algorithm": "ed25519", "public_key": public_key_text(key)} | fields
    return client.put(f"{API}/devices/{device_id}", json=body)


def test_a_device_registers_its_key_once_and_again_with_the_same_key(server):
    token = server.login("admin", ADMIN_PASSWORD, device_id=DEVICE).json()["token"]
    with server.client(token) as c:
        first = register(c, label="WANGLI-THINKPAD")
        again = register(c, label="renamed")
        other_key = register(c, key=generate_device_key())
        second = register(c, OTHER_DEVICE)
    assert first.status_code == 201, first.text
    made = DeviceRegistered.model_validate(first.json())
    assert made.device_id == DEVICE and made.key_id == key_id(KEY)
    assert again.status_code == 200
    assert DeviceRegistered.model_validate(again.json()) == made  # registered_at stays the first
    assert other_key.status_code == 409
    assert ErrorBody.model_validate(other_key.json()).code == "device_key_mismatch"
    assert second.status_code == 201
    with server.engine.connect() as conn:
        rows = {r.id: r for r in conn.execute(select(devices)).all()}
    assert set(rows) == {DEVICE, OTHER_DEVICE}
    assert rows[DEVICE].public_key == public_key_text(KEY) and rows[DEVICE].name == "renamed"


@pytest.mark.parametrize(("path_id", "body", "status", "code"), [
    (DEVICE, {"public_key": "ed25519:AAAA"}, 400, "malformed"),           # not base64 of 32 bytes
    (DEVICE, {"algorithm": "rsa"}, 400, "malformed"),
    (DEVICE, {"colour": "red"}, 400, "malformed"),                        # unknown field
    ("laptop-1", {"device_id": "laptop-1"}, 400, "malformed"),            # not a UUID
    (OTHER_DEVICE, {}, 422, "invalid"),                                   # path and body differ
])
def test_a_bad_registration_is_refused_and_stores_nothing(server, path_id, body, status, code):
    message = {"device_id": DEVICE, "algorithm": "ed25519", "public_key": public_key_text(KEY)} | body
    with server.client(server.admin_token) as c:
        answer = c.put(f"{API}/devices/{path_id}", json=message)
    assert answer.status_code == status, answer.text
    assert ErrorBody.model_validate(answer.json()).code == code
    with server.engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(devices)).scalar_one() == 0


def test_a_write_is_committed_before_it_is_answered(server):
    # Regression: the request's transaction used to commit after the response was sent, so a
    # client (or another process) could miss a write it had been told succeeded.
    with server.client(server.admin_token) as c:
        for i in range(20):
            assert register(c, str(uuid.uuid4())).status_code == 201
            with server.engine.connect() as conn:
                assert conn.execute(select(func.count()).select_from(devices)).scalar_one() == i + 1
