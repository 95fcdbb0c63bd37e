"""Device keys: made per laptop, encoded for the wire, and used to sign and verify."""

from __future__ import annotations

import base64

import pytest
from pydantic import TypeAdapter, ValidationError

from app.sync import keys
from app.sync.fields import PublicKeyText, SignatureText
from app.sync.protocol import DeviceRegistration


def test_a_key_signs_and_only_its_public_half_verifies():
    key = keys.generate_device_key()
    signature = keys.sign(key, b"manifest")
    assert keys.verify(key.public_key(), signature, b"manifest")
    assert not keys.verify(key.public_key(), signature, b"manifest!")
    assert not keys.verify(keys.generate_device_key().public_key(), signature, b"manifest")


def test_each_laptop_gets_its_own_key():
    assert keys.key_id(keys.generate_device_key()) != keys.key_id(keys.generate_device_key())


def test_the_private_key_survives_its_raw_bytes():
    # The sync engine keeps these 32 bytes in the keychain and hands them back.
    key = keys.generate_device_key()
    raw = keys.private_key_bytes(key)
    assert len(raw) == 32
    again = keys.load_private_key(raw)
    assert keys.public_key_bytes(again) == keys.public_key_bytes(key)
    assert keys.verify(key.public_key(), keys.sign(raw, b"x"), b"x")


def test_the_public_key_travels_as_base64_and_registers():
    key = keys.load_private_key(bytes(range(32)))
    text = keys.public_key_text(key)
    assert text == "A6EHv/POEL4dcN0Y50vAmWfk1jCbpQ1fHdyGZBJVMbg="  # the example in docs/sync-protocol.md
    assert keys.key_id(text) == keys.key_id(key) == keys.key_id(base64.b64decode(text))
    DeviceRegistration(device_id="1c9e6a52-8f0b-4d3e-a1b7-2c5d9e8f0a13", public_key=text)
    assert keys.verify(text, keys.sign(key, b"x"), b"x")


@pytest.mark.parametrize("raw", [b"", bytes(31), bytes(33)])
def test_keys_of_the_wrong_length_are_refused(raw: bytes):
    with pytest.raises(ValueError, match="32 bytes"):
        keys.load_private_key(raw)
    with pytest.raises(ValueError, match="32 bytes"):
        keys.load_public_key(raw)


@pytest.mark.parametrize("text", ["", "A6EHv/POEL4dcN0Y50vAmWfk1jCbpQ1fHdyGZBJVMbg", "A" * 43 + "!",
                                  base64.b64encode(bytes(33)).decode()])
def test_a_malformed_public_key_text_is_refused(text: str):
    with pytest.raises(ValidationError):
        TypeAdapter(PublicKeyText).validate_python(text)


def test_a_signature_text_is_64_bytes():
    text = base64.b64encode(keys.sign(keys.generate_device_key(), b"x")).decode()
    assert TypeAdapter(SignatureText).validate_python(text) == text
    with pytest.raises(ValidationError):
        TypeAdapter(SignatureText).validate_python(base64.b64encode(bytes(63)).decode())
