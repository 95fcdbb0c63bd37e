"""The protocol's messages: what they accept, what they refuse, and that the docs match them."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any, get_args

import pytest
from pydantic import BaseModel, TypeAdapter, ValidationError

from app.sync import errors, errors_body, protocol, pull
from app.sync.fields import PROTOCOL_TABLES, IsoTimestamp, RevStamp, Sha256, Uuid
from app.sync.ids import response_key
from app.sync.schema import MESSAGES, schema_files, write_schemas
from db.codes import SYNCED_TABLES

ROOT = Path(__file__).resolve().parents[2]
DEVICE = "1c9e6a52-8f0b-4d3e-a1b7-2c5d9e8f0a13"
VISIT = "5b0c8f3e-2d7a-4c61-9a0e-7f1d2c3b4a51"
RUBRIC = "9f2c4e1a7b3d5e6f8a0b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c0d1e2f"
PHOTO = "55c64d0fcd6f9d5f7c828093857e3fdfda68478bb4e9bd24d481ef391c7804e8"
REV = f"001764000000000-000003-{DEVICE}"
BASE = f"001763990000000-000000-{DEVICE}"


def response_row(**changes: Any) -> dict[str, Any]:
    row = {
        "table": "responses",
        "key": response_key(VISIT, RUBRIC, "A.1.2"),
        "rev": REV,
        "base_rev": BASE,
        "values": {"visit_id": VISIT, "rubric_hash": RUBRIC, "item_code": "A.1.2", "value": "yes"},
    }
    row.update(changes)
    return row


def evidence_row(**changes: Any) -> dict[str, Any]:
    row = {
        "table": "evidence",
        "key": "8d7c6b5a-4f3e-4d2c-9b1a-0f9e8d7c6b5a",
        "rev": REV,
        "base_rev": None,
        "values": {"sha256": PHOTO, "visit_id": VISIT, "size": 5},
    }
    row.update(changes)
    return row


def changeset(**changes: Any) -> dict[str, Any]:
    message = {
        "changeset_id": "c4a1e2b3-5d6f-4a7b-8c9d-0e1f2a3b4c5d",
        "device_id": DEVICE,
        "device_seq": 1,
        "created_at": "2026-11-24T17:45:12.004+08:00",
        "rows": [response_row(), evidence_row()],
        "blobs": [PHOTO],
    }
    message.update(changes)
    return message


# --- scalar fields ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "good", "bad"),
    [
        (Uuid, DEVICE, [DEVICE.upper(), DEVICE.replace("-", ""), "not-a-uuid", ""]),
        (Sha256, PHOTO, [PHOTO.upper(), PHOTO[:-1], PHOTO + "0", "g" * 64]),
        (
            IsoTimestamp,
            "2026-11-24T17:45:12.004+08:00",
            ["2026-11-24T17:45:12", "2026-11-24 17:45:12+08:00", "2026-02-31T00:00:00Z", "yesterday"],
        ),
        (
            RevStamp,
            REV,
            ["1764000000000-000003-" + DEVICE, f"001764000000000-3-{DEVICE}", "001764000000000-000003-dev", ""],
        ),
    ],
)
def test_scalar_fields_accept_the_wire_form_and_refuse_near_misses(kind: Any, good: str, bad: list[str]):
    adapter = TypeAdapter(kind)
    assert adapter.validate_python(good) == good
    for text in bad:
        with pytest.raises(ValidationError):
            adapter.validate_python(text)


def test_a_utc_z_timestamp_is_accepted():
    assert TypeAdapter(IsoTimestamp).validate_python("2026-11-24T09:45:12Z") == "2026-11-24T09:45:12Z"


def test_every_table_the_laptop_syncs_is_in_the_contract():
    assert set(SYNCED_TABLES) <= set(PROTOCOL_TABLES)
    assert "rubric_templates" not in PROTOCOL_TABLES and "sync_receipts" not in PROTOCOL_TABLES


# --- changesets ------------------------------------------------------------------------------


def test_a_changeset_round_trips_through_json_and_its_digest_is_stable():
    message = protocol.Changeset.model_validate(changeset())
    again = protocol.Changeset.model_validate_json(message.model_dump_json())
    assert again == message
    assert again.digest() == message.digest()
    other = protocol.Changeset.model_validate(changeset(device_seq=2))
    assert other.digest() != message.digest()


@pytest.mark.parametrize(
    ("change", "words"),
    [
        ({"surprise": 1}, "Extra inputs"),
        ({"rows": [response_row(colour="red")]}, "Extra inputs"),
        ({"rows": [response_row(table="sync_receipts")]}, "literal"),
        ({"rows": [response_row(values={"visit_id": VISIT, "rubric_hash": RUBRIC, "item_code": "A.1.3"})]},
         "not the one its columns give"),
        ({"rows": [response_row(values={"visit_id": VISIT, "item_code": "A.1.2"})]}, "rubric_hash is missing"),
        ({"rows": [response_row(values={"visit_id": VISIT, "rubric_hash": RUBRIC, "item_code": "A.1.2",
                                        "dirty": 0})]}, "sync bookkeeping"),
        ({"rows": [response_row(values={"Visit Id": VISIT})]}, "pattern"),
        ({"rows": [response_row(), response_row()]}, "twice"),
        ({"blobs": []}, "does not list"),
        ({"blobs": [PHOTO, PHOTO]}, "listed twice"),
        ({"device_seq": 0}, "greater than or equal"),
        ({"created_at": "2026-11-24T17:45:12"}, "pattern"),
        ({"rows": [response_row(rev="yesterday")]}, "pattern"),
    ],
)
def test_a_changeset_breaking_a_rule_is_refused_with_the_reason(change: dict[str, Any], words: str):
    with pytest.raises(ValidationError, match=words):
        protocol.Changeset.model_validate(changeset(**change))


def test_a_row_edited_from_a_team_mates_later_stamp_is_accepted():
    # A laptop whose clock refused to follow a far-ahead team-mate edits with a smaller stamp.
    ahead = "009999999999999-000000-6a7b8c9d-0e1f-4a2b-9c3d-4e5f6a7b8c9d"
    row = protocol.RowChange.model_validate(response_row(base_rev=ahead))
    assert row.base_rev == ahead


def test_an_id_keyed_row_takes_any_uuid_and_a_tombstone_keeps_its_values():
    row = protocol.RowChange.model_validate(evidence_row(deleted=True))
    assert row.deleted and row.values["sha256"] == PHOTO
    assert row.blob_hashes() == {PHOTO}


# --- receipts --------------------------------------------------------------------------------


def status(**changes: Any) -> dict[str, Any]:
    message = {"table": "responses", "key": response_key(VISIT, RUBRIC, "A.1.2"), "rev": REV, "status": "applied"}
    message.update(changes)
    return message


@pytest.mark.parametrize(
    ("change", "words"),
    [
        ({"status": "error"}, "needs a reason"),
        ({"status": "unpermitted", "reason": ""}, "needs a reason"),
        ({"status": "conflict", "reason": "changed on two laptops"}, "conflict_id"),
        ({"conflict_id": DEVICE}, "conflict_id"),
        ({"status": "merged", "reason": "x"}, "literal"),
    ],
)
def test_a_row_status_must_explain_itself(change: dict[str, Any], words: str):
    with pytest.raises(ValidationError, match=words):
        protocol.RowStatus.model_validate(status(**change))


def test_row_statuses_that_explain_themselves_are_accepted():
    for change in ({}, {"status": "unpermitted", "reason": "outside your area"},
                   {"status": "conflict", "reason": "changed twice", "conflict_id": DEVICE}):
        protocol.RowStatus.model_validate(status(**change))


def test_an_amendment_names_the_version_it_replaces():
    version = {"visit_id": VISIT, "amendment_no": 0, "content_hash": PHOTO, "replaces": None,
               "finalized_at": "2026-11-26T11:00:00+08:00", "score": {"total": "86.5", "maximum": "100", "band": None}}
    protocol.FinalizedVersion.model_validate(version)
    with pytest.raises(ValidationError, match="replaces"):
        protocol.FinalizedVersion.model_validate({**version, "amendment_no": 1})
    with pytest.raises(ValidationError, match="replaces"):
        protocol.FinalizedVersion.model_validate({**version, "replaces": RUBRIC})
    with pytest.raises(ValidationError, match="pattern"):
        protocol.FinalizedVersion.model_validate({**version, "score": {"total": "86,5", "maximum": "100", "band": None}})


# --- pull --------------------------------------------------------------------------------------


def test_a_pull_page_tells_items_apart_by_kind():
    page = pull.PullPage.model_validate({
        "items": [
            {"seq": 1, "kind": "office_settings",
             "settings": {"name_zh": "监督所", "updated_at": "2026-11-20T08:00:00+08:00"}},
            {"seq": 2, "kind": "row", "table": "units", "key": DEVICE,
             "row": {"rev": REV, "device_id": DEVICE, "deleted": False, "values": {"name": "一中"}}},
        ],
        "next_cursor": "s2",
        "more": False,
    })
    assert [type(item).__name__ for item in page.items] == ["OfficeSettingsItem", "RowItem"]
    with pytest.raises(ValidationError):
        pull.PullPage.model_validate({"items": [{"seq": 3, "kind": "gossip"}], "next_cursor": "s3", "more": False})


@pytest.mark.parametrize("limit", [0, protocol.MAX_PULL_PAGE + 1])
def test_a_pull_asks_for_a_bounded_page(limit: int):
    with pytest.raises(ValidationError):
        pull.PullRequest.model_validate({"cursor": None, "limit": limit})


# --- accounts ----------------------------------------------------------------------------------

AREA = "7a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"


def account(**changes: Any) -> dict[str, Any]:
    message = {"id": VISIT, "username": "wang.li", "display_name": "王丽", "role": "inspector",
               "scope_area_id": AREA}
    message.update(changes)
    return message


def test_the_roles_are_the_four_of_the_server():
    assert get_args(protocol.Role) == ("inspector", "team_leader", "office_staff", "admin")
    with pytest.raises(ValidationError):
        protocol.Account.model_validate(account(role="office"))


@pytest.mark.parametrize("role", ["inspector", "team_leader", "office_staff", "admin"])
def test_only_an_admin_may_have_the_whole_tree(role: str):
    assert protocol.Account.model_validate(account(role=role)).scope_area_id == AREA
    if role == "admin":
        assert protocol.Account.model_validate(account(role=role, scope_area_id=None)).scope_area_id is None
    else:
        with pytest.raises(ValidationError, match="only an admin"):
            protocol.Account.model_validate(account(role=role, scope_area_id=None))
    with pytest.raises(ValidationError):  # the field is there, null or not
        protocol.Account.model_validate({k: v for k, v in account(role=role).items() if k != "scope_area_id"})


# --- errors --------------------------------------------------------------------------------------


def test_every_bundle_refusal_has_its_error_code():
    codes = set(get_args(errors_body.ErrorCode))
    refusals = [cls for cls in vars(errors).values()
                if isinstance(cls, type) and issubclass(cls, errors.BundleError)]
    assert len(refusals) == 9
    assert {cls.code for cls in refusals} <= codes
    assert all(issubclass(cls, errors.FieldmarkError) for cls in refusals)


def test_the_error_body_refuses_an_unknown_code():
    with pytest.raises(ValidationError):
        errors_body.ErrorBody.model_validate({"code": "oops", "message": "x"})


# --- the documents -------------------------------------------------------------------------------

EXAMPLE = re.compile(r"<!-- example: (\w+) -->\n```json\n(.*?)\n```", re.S)
MODELS: dict[str, type[BaseModel]] = {**MESSAGES, "FinalizedVersion": protocol.FinalizedVersion}


def test_every_example_in_the_protocol_document_is_a_valid_message():
    text = (ROOT / "docs" / "sync-protocol.md").read_text(encoding="utf-8")
    examples = EXAMPLE.findall(text)
    assert {name for name, _ in examples} >= set(MESSAGES)
    for name, body in examples:
        MODELS[name].model_validate(json.loads(body))


def test_the_committed_json_schemas_are_current():
    # If this fails: python -m app.sync.schema --out docs/sync-schema/
    folder = ROOT / "docs" / "sync-schema"
    expected = schema_files()
    committed = {path.name: path.read_text(encoding="utf-8") for path in folder.glob("*.json")}
    assert committed.keys() == expected.keys()
    for name, text in expected.items():
        assert committed[name] == text, f"{name} is stale"


def test_writing_the_schemas_removes_stale_files(tmp_path: Path):
    (tmp_path / "Gone.json").write_text("{}")
    written = write_schemas(tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(p.name for p in written)
    changeset_schema = json.loads((tmp_path / "Changeset.json").read_text())
    assert changeset_schema["additionalProperties"] is False

