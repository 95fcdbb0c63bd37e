"""Stable row keys: every laptop makes the same key for the same row, and only for it."""

from __future__ import annotations

import uuid

import pytest

from app.sync.fields import PROTOCOL_TABLES
from app.sync.ids import (
    DERIVED_KEYS,
    ID_KEYED,
    ROOT_NAMESPACE,
    RowKeyError,
    check_row_key,
    derived_key,
    response_key,
    row_key,
)

VISIT = "5b0c8f3e-2d7a-4c61-9a0e-7f1d2c3b4a51"
RUBRIC = "9f2c4e1a7b3d5e6f8a0b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c0d1e2f"


def test_the_response_key_is_fixed_forever():
    # Hand-checked once; a change here would split every synced response in two.
    assert ROOT_NAMESPACE == uuid.uuid5(uuid.NAMESPACE_URL, "https://fieldmark.invalid/sync/row-keys/v1")
    assert response_key(VISIT, RUBRIC, "A.1.2") == "36ffb9d5-fef0-5d50-b444-73035eb7eb36"
    namespace = uuid.uuid5(ROOT_NAMESPACE, "responses")
    expected = uuid.uuid5(namespace, f'["{VISIT}","{RUBRIC}","A.1.2"]')
    assert response_key(VISIT, RUBRIC, "A.1.2") == str(expected)
    assert uuid.UUID(response_key(VISIT, RUBRIC, "A.1.2")).version == 5


def test_two_laptops_answering_one_item_make_one_row_key():
    laptop_a = row_key("responses", {"id": "anything", "visit_id": VISIT, "rubric_hash": RUBRIC, "item_code": "B.2"})
    laptop_b = row_key("responses", {"visit_id": VISIT, "rubric_hash": RUBRIC, "item_code": "B.2", "value": "no"})
    assert laptop_a == laptop_b == response_key(VISIT, RUBRIC, "B.2")


def test_different_items_rubrics_and_visits_give_different_keys():
    keys = {
        response_key(VISIT, RUBRIC, "A.1"),
        response_key(VISIT, RUBRIC, "A.2"),
        response_key(VISIT, "0" * 64, "A.1"),
        response_key("6a7b8c9d-0e1f-4a2b-9c3d-4e5f6a7b8c9d", RUBRIC, "A.1"),
    }
    assert len(keys) == 4


def test_parts_cannot_run_into_each_other():
    # With a plain separator these two would name the same row.
    assert derived_key("visit_sections", "a-b", "c", "d") != derived_key("visit_sections", "a", "b-c", "d")


def test_equal_parts_in_two_tables_give_two_keys():
    assert derived_key("visit_members", VISIT, "x") != derived_key("team_members", VISIT, "x")


@pytest.mark.parametrize(("table", "columns"), sorted(DERIVED_KEYS.items()))
def test_every_derived_table_needs_all_its_columns(table: str, columns: tuple[str, ...]):
    row = {column: f"v{n}" for n, column in enumerate(columns)}
    assert row_key(table, row) == derived_key(table, *row.values())
    for column in columns:
        with pytest.raises(RowKeyError, match=column):
            row_key(table, {k: v for k, v in row.items() if k != column})


def test_every_other_table_is_keyed_by_its_id():
    assert set(ID_KEYED) | set(DERIVED_KEYS) == set(PROTOCOL_TABLES)
    for table in ID_KEYED:
        assert row_key(table, {"id": VISIT, "visit_id": "x"}) == VISIT
        with pytest.raises(RowKeyError, match="needs its id"):
            row_key(table, {"visit_id": VISIT})


def test_a_table_that_does_not_sync_has_no_key():
    with pytest.raises(RowKeyError, match="does not sync"):
        row_key("sync_receipts", {"id": VISIT})


def test_check_row_key_refuses_a_second_key_for_one_item():
    values = {"visit_id": VISIT, "rubric_hash": RUBRIC, "item_code": "A.1.2"}
    check_row_key("responses", response_key(VISIT, RUBRIC, "A.1.2"), values)
    check_row_key("visits", VISIT, {"unit_id": "x"})  # id-keyed: any key is its own
    with pytest.raises(RowKeyError, match="not the one its columns give"):
        check_row_key("responses", "4c3b2a19-0f8e-4d7c-9b6a-5f4e3d2c1b0a", values)
