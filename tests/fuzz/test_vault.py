"""Properties of the vault: whatever goes in comes out, and any change to ciphertext is
refused rather than decrypted to something else."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from safepassage.vault import crypto

keys = st.binary(min_size=crypto.KEY_BYTES, max_size=crypto.KEY_BYTES)
payloads = st.binary(max_size=4096)
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(),
    lambda inner: st.lists(inner, max_size=5) | st.dictionaries(st.text(), inner, max_size=5),
    max_leaves=20,
)


@given(keys, payloads)
def test_secret_box_round_trip(key, data):
    assert crypto.decrypt_bytes(key, crypto.encrypt_bytes(key, data)) == data


@given(keys, json_values)
def test_json_round_trip(key, value):
    assert crypto.decrypt_json(key, crypto.encrypt_json(key, value)) == value


@given(keys, payloads, st.data())
def test_any_flipped_bit_is_refused(key, data, draw):
    blob = bytearray(crypto.encrypt_bytes(key, data))
    position = draw.draw(st.integers(0, len(blob) * 8 - 1))
    blob[position // 8] ^= 1 << (position % 8)
    with pytest.raises(crypto.DecryptionError, match="could not be opened"):
        crypto.decrypt_bytes(key, bytes(blob))


@given(keys, keys, payloads)
def test_the_wrong_key_is_refused(key, other, data):
    if key != other:
        with pytest.raises(crypto.DecryptionError, match="could not be opened"):
            crypto.decrypt_bytes(other, crypto.encrypt_bytes(key, data))


@settings(deadline=None)  # a key pair is made per example; a loaded CI machine is slow
@given(payloads, st.data())
def test_sealed_boxes_open_only_unaltered(data, draw):
    pair = crypto.new_keypair()
    sealed = bytearray(crypto.seal(pair.public, data))
    assert crypto.unseal(pair.private, bytes(sealed)) == data
    position = draw.draw(st.integers(0, len(sealed) * 8 - 1))
    sealed[position // 8] ^= 1 << (position % 8)
    with pytest.raises(crypto.DecryptionError, match="could not be opened"):
        crypto.unseal(pair.private, bytes(sealed))


@settings(max_examples=15, deadline=None)  # each wrap is a real Argon2id derivation
@given(st.text(min_size=1, max_size=64), payloads, st.data())
def test_wrapping_under_a_secret_round_trips_and_detects_tampering(secret, data, draw):
    wrapped = bytearray(crypto.wrap_with_secret(secret, data, profile="minimum"))
    assert crypto.unwrap_with_secret(secret, bytes(wrapped)) == data
    position = draw.draw(st.integers(0, len(wrapped) - 1))
    wrapped[position] ^= 0xFF
    with pytest.raises(
        crypto.DecryptionError,
        match=r"could not be opened|unknown wrap format|wrap cost out of range",
    ):
        crypto.unwrap_with_secret(secret, bytes(wrapped))


@given(st.binary(max_size=200))
def test_garbage_is_refused_not_crashed_on(blob):
    with pytest.raises(crypto.DecryptionError, match="could not be opened"):
        crypto.decrypt_bytes(bytes(crypto.KEY_BYTES), blob)
    with pytest.raises(crypto.DecryptionError, match=r"unknown wrap format|wrap cost out of range"):
        crypto.unwrap_with_secret("secret", blob)
