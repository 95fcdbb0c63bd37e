"""Canonical JSON: exact numbers, and the same bytes (so the same hashes) as before they were exact."""

from __future__ import annotations

import json
from decimal import Decimal as D

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.canonical import canonical_json, content_hash, dumps_exact, loads_exact, number_text
from app.rubric.samples import sample_paths


def old_canonical(value) -> str:
    # The definition hashes were computed with while documents were read as floats.
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


@pytest.mark.parametrize("sample", sample_paths(), ids=lambda p: p.stem)
def test_an_exact_document_has_the_bytes_of_its_float_reading(sample):
    text = sample.read_text(encoding="utf-8")
    exact, floats = loads_exact(text), json.loads(text)
    assert canonical_json(exact) == canonical_json(floats) == old_canonical(floats)
    assert dumps_exact(exact, indent=2) == json.dumps(floats, ensure_ascii=False, indent=2)


@pytest.mark.parametrize(("text", "written"), [
    ("0.5", "0.5"), ("0.50", "0.5"), ("10.0", "10.0"), ("1e-7", "1e-07"), ("1E+2", "100.0"),
    ("0.1", "0.1"), ("-0.0", "-0.0"),
    # Beyond a float: every digit is kept, and trailing zeros of the fraction do not count.
    ("10.0000000000000000000001", "10.0000000000000000000001"),
    ("10.00000000000000000000010", "10.0000000000000000000001"),
    ("0.30000000000000004", "0.30000000000000004"),
    ("0.3000000000000000444", "0.3000000000000000444"),
    ("1E+400", "1E+400"),
])
def test_number_text(text, written):
    assert number_text(D(text)) == written
    assert D(number_text(D(text))) == D(text)


def test_a_number_a_float_cannot_hold_changes_the_hash():
    exact = loads_exact('{"max": 10.0000000000000000000001}')
    assert exact == {"max": D("10.0000000000000000000001")}
    assert canonical_json(exact) == '{"max":10.0000000000000000000001}'
    assert content_hash(exact) != content_hash({"max": 10.0})


def test_integers_stay_int_and_other_values_are_written_as_json_dumps_writes_them():
    doc = loads_exact('{"b": [1, 2.5, true, null, "文本\\n\\"q\\""], "a": {}, "c": [], "d": -3}')
    assert type(doc["d"]) is int and doc["b"][1] == D("2.5")
    floats = json.loads(json.dumps(doc, default=float))
    assert canonical_json(doc) == old_canonical(floats)
    assert dumps_exact(doc, indent=2) == json.dumps(floats, ensure_ascii=False, indent=2)
    with pytest.raises(TypeError):
        canonical_json({"x": object()})
    with pytest.raises(ValueError):
        canonical_json({"x": D("NaN")})


@settings(max_examples=300, deadline=None)
@given(st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text()
    | st.decimals(allow_nan=False, allow_infinity=False, places=6),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=6), inner, max_size=4),
    max_leaves=20))
def test_the_fast_encoder_writes_what_the_exact_one_writes(value):
    assert canonical_json(value) == dumps_exact(value, sort_keys=True)
