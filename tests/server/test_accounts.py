"""Login, tokens (expiry, revocation), the login rate limit and device registration, over HTTP."""

from __future__ import annotations

import time

from sqlalchemy import func, select

from server import accounts
from server.store.schema import accounts as accounts_table
from server.store.schema import devices, login_failures, tokens
from tests.server.conftest import ADMIN_PASSWORD, COUNTY

API = "/api/v1"


def test_login_gives_a_token_that_works_and_is_stored_only_as_its_hash(server):
    answer = server.login("admin", ADMIN_PASSWORD)
    assert answer.status_code == 200
    body = answer.json()
    assert body["account"] == {"login": "admin", "name": "", "role": "admin", "scope": None, "disabled": False}
    assert body["expires_at"] > time.time() + 3600
    with server.client(body["token"]) as c:
        assert c.get(f"{API}/me").json()["login"] == "admin"
    with server.engine.connect() as conn:
        stored = conn.execute(select(tokens.c.hash)).scalars().all()
    assert body["token"] not in stored
    assert accounts.hash_token(body["token"]) in stored


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
        assert answer.json()["error"]["code"] == "unauthorized"


def test_missing_forged_and_malformed_tokens_answer_401(server):
    for headers in ({}, {"Authorization": "Bearer forged-token"}, {"Authorization": "Basic abc"}):
        with server.client(**headers) as c:
            answer = c.get(f"{API}/me")
        assert answer.status_code == 401
        assert set(answer.json()["error"]) == {"code", "message", "details"}


def test_logout_revokes_the_token_only(server):
    first = server.login("admin", ADMIN_PASSWORD).json()["token"]
    with server.client(first) as c:
        assert c.post(f"{API}/logout").status_code == 204
        answer = c.get(f"{API}/me")
    assert answer.status_code == 401
    assert "revoked" in answer.json()["error"]["message"]
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
    assert "expired" in answer.json()["error"]["message"]


def test_failed_logins_are_limited_per_account_even_with_the_right_password(server):
    server.make_account("inspector", COUNTY, login="ins")
    for _ in range(3):  # the test servers allow 3 failures per account
        assert server.login("ins", "wrong-password").status_code == 401
    answer = server.login("ins", "password-123")
    assert answer.status_code == 429
    assert int(answer.headers["Retry-After"]) > 0
    assert answer.json()["error"]["details"]["retry_after"] > 0
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


def test_device_registered_on_login_and_by_its_endpoint(server):
    device = {"id": "laptop-1", "name": "Zhang's ThinkPad", "public_key": "ed25519:AAAA"}
    answer = server.login("admin", ADMIN_PASSWORD, device=device)
    assert answer.status_code == 200
    with server.client(answer.json()["token"]) as c:
        renamed = c.post(f"{API}/devices", json=device | {"name": "renamed"})
        other_key = c.post(f"{API}/devices", json=device | {"public_key": "ed25519:BBBB"})
        second = c.post(f"{API}/devices", json={"id": "laptop-2", "name": "spare", "public_key": "k"})
    assert renamed.status_code == 200 and renamed.json()["name"] == "renamed"
    assert other_key.status_code == 409
    assert second.status_code == 200
    with server.engine.connect() as conn:
        rows = {r.id: r for r in conn.execute(select(devices)).all()}
        token_device = conn.execute(select(tokens.c.device_id).where(
            tokens.c.hash == accounts.hash_token(answer.json()["token"]))).scalar_one()
    assert rows["laptop-1"].public_key == "ed25519:AAAA" and rows["laptop-1"].name == "renamed"
    assert set(rows) == {"laptop-1", "laptop-2"}
    assert token_device == "laptop-1"


def test_a_write_is_committed_before_it_is_answered(server):
    # Regression: the request's transaction used to commit after the response was sent, so a
    # client (or another process) could miss a write it had been told succeeded.
    with server.client(server.admin_token) as c:
        for i in range(20):
            assert c.post(f"{API}/devices", json={"id": f"d{i}", "name": "n", "public_key": "k"}).status_code == 200
            with server.engine.connect() as conn:
                assert conn.execute(select(func.count()).select_from(devices)).scalar_one() == i + 1
