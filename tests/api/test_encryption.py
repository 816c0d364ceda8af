"""DIDWW's upload encryption: the container decrypts with either private key (decrypted here
with plain ``cryptography`` calls, as the module docstring describes), the fingerprint has
DIDWW's form, and tampered or wrong input fails loudly."""

from __future__ import annotations

import base64
import contextlib
import hashlib
import re

import pytest
from cryptography.hazmat.primitives import hashes, padding, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.asymmetric import padding as asym_padding
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

from didww_iac.api.encryption import encrypt, fingerprint, rsa_block_sizes

OAEP = asym_padding.OAEP(mgf=asym_padding.MGF1(hashes.SHA256()), algorithm=hashes.SHA256(), label=None)


@pytest.fixture(scope="module")
def private_keys() -> list[rsa.RSAPrivateKey]:
    # Two sizes, so a decryptor that assumed one block length would be caught.
    return [rsa.generate_private_key(public_exponent=65537, key_size=bits) for bits in (2048, 3072)]


@pytest.fixture(scope="module")
def pems(private_keys: list[rsa.RSAPrivateKey]) -> list[str]:
    return [
        k.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
        for k in private_keys
    ]


def _decrypt(container: bytes, private_keys: list[rsa.RSAPrivateKey], which: int) -> bytes:
    sizes = [k.key_size // 8 for k in private_keys]
    start = sum(sizes[:which])
    secret = private_keys[which].decrypt(container[start : start + sizes[which]], OAEP)
    assert len(secret) == 48
    decryptor = Cipher(algorithms.AES(secret[:32]), modes.CBC(secret[32:])).decryptor()
    padded = decryptor.update(container[sum(sizes) :]) + decryptor.finalize()
    unpadder = padding.PKCS7(128).unpadder()
    return unpadder.update(padded) + unpadder.finalize()


@pytest.mark.parametrize("data", [b"", b"x", b"%PDF-1.7 " * 1000, bytes(range(256)) * 16, b"\x00" * 16])
def test_round_trip_with_either_key(private_keys: list[rsa.RSAPrivateKey], pems: list[str], data: bytes) -> None:
    container = encrypt(data, pems)
    # RSA_A (256 bytes) || RSA_B (384 bytes) || AES-CBC with PKCS#7: always 1..16 bytes of padding.
    assert len(container) == 256 + 384 + (len(data) // 16 + 1) * 16
    assert rsa_block_sizes(pems) == (256, 384)
    assert _decrypt(container, private_keys, 0) == data
    assert _decrypt(container, private_keys, 1) == data


def test_every_call_uses_a_new_key_and_iv(private_keys: list[rsa.RSAPrivateKey], pems: list[str]) -> None:
    a, b = encrypt(b"same", pems), encrypt(b"same", pems)
    assert a[640:] != b[640:] and a[:256] != b[:256]
    sa = private_keys[0].decrypt(a[:256], OAEP)
    sb = private_keys[0].decrypt(b[:256], OAEP)
    assert sa[:32] != sb[:32] and sa[32:] != sb[32:]
    # Both blocks of one container hold the same key and IV.
    assert private_keys[1].decrypt(a[256:640], OAEP) == sa


def test_fingerprint_form_and_order(pems: list[str]) -> None:
    fp = fingerprint(pems)
    assert re.fullmatch(r"[0-9a-f]{40}:::[0-9a-f]{40}", fp)

    def sdk_style(pem: str) -> str:  # SHA-1 of the PEM's base64 body, as DIDWW's SDKs compute it
        return hashlib.sha1(base64.b64decode("".join(pem.strip().splitlines()[1:-1]))).hexdigest()

    assert fp == f"{sdk_style(pems[0])}:::{sdk_style(pems[1])}"
    assert fingerprint(list(reversed(pems))) == f"{sdk_style(pems[1])}:::{sdk_style(pems[0])}"
    # Line endings and a missing final newline do not change it.
    assert fingerprint([pems[0].replace("\n", "\r\n"), pems[1].rstrip("\n")]) == fp


def test_tampered_rsa_block_fails_with_that_key_only(private_keys: list[rsa.RSAPrivateKey], pems: list[str]) -> None:
    container = bytearray(encrypt(b"%PDF-1.4 document", pems))
    container[10] ^= 0x01
    with pytest.raises(ValueError):
        _decrypt(bytes(container), private_keys, 0)
    assert _decrypt(bytes(container), private_keys, 1) == b"%PDF-1.4 document"


def test_tampered_ciphertext_does_not_give_the_document_back(
    private_keys: list[rsa.RSAPrivateKey], pems: list[str]
) -> None:
    data = b"%PDF-1.4 " + b"a" * 100
    container = encrypt(data, pems)
    for position in (640, len(container) - 1):  # the first AES block, the padding block
        tampered = bytearray(container)
        tampered[position] ^= 0x80
        with contextlib.suppress(ValueError):  # broken PKCS#7 padding, or else other bytes
            assert _decrypt(bytes(tampered), private_keys, 0) != data
    with pytest.raises(ValueError):
        _decrypt(container[:-1], private_keys, 0)  # no longer whole AES blocks


def _pem(key: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey) -> str:
    return (
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )


def test_wrong_keys_are_refused(private_keys: list[rsa.RSAPrivateKey], pems: list[str]) -> None:
    private_pem = (
        private_keys[0]
        .private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
        .decode()
    )
    ec_pem = _pem(ec.generate_private_key(ec.SECP256R1()))
    broken = "\n".join(line for i, line in enumerate(pems[0].splitlines()) if i != 3)  # DER cut short
    for keys in (
        [pems[0]],
        [*pems, pems[0]],
        [private_pem, pems[1]],
        [ec_pem, pems[1]],
        [broken, pems[1]],
        ["", pems[1]],
    ):
        with pytest.raises(ValueError):
            fingerprint(keys)
        with pytest.raises(ValueError):
            encrypt(b"x", keys)
    with pytest.raises(ValueError, match="a string"):
        fingerprint(pems[0])
    with pytest.raises(TypeError):
        encrypt("text", pems)  # type: ignore[arg-type]
