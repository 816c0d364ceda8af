"""DIDWW's encryption of regulation documents before ``POST /v3/encrypted_files``.

The scheme (as DIDWW's own SDKs implement it: the JS ``@didww/encrypt``, the Ruby gem's
``DIDWW::Encrypt``, the ``didww_encrypt`` and ``didww`` Python packages):

- ``GET /v3/public_keys`` gives two PEM RSA public keys ("A" and "B", in the order DIDWW lists them).
- A fresh random AES-256 key (32 bytes) and IV (16 bytes) per file; the file is encrypted with
  AES-256-CBC and PKCS#7 padding (so the ciphertext is a non-empty multiple of 16 bytes).
- ``key || iv`` (48 bytes) is encrypted with RSA-OAEP, SHA-256 as both the OAEP hash and the MGF1
  hash, empty label, once under key A and once under key B.
- The uploaded container is the bare concatenation, with no header, length, salt or separator::

      RSA_A(key || iv) || RSA_B(key || iv) || AES-256-CBC(file)

  Each RSA block is exactly as long as its key's modulus (256 bytes for RSA-2048, 512 for
  RSA-4096; DIDWW's SDK fixtures use 4096-bit keys).
- The ``encryption_fingerprint`` form field is ``sha1(DER_A).hex() + ":::" + sha1(DER_B).hex()``:
  lowercase hex SHA-1 of each key's DER SubjectPublicKeyInfo (the base64 body of its
  ``BEGIN PUBLIC KEY`` PEM), in the same A, B order. DIDWW answers 422 "outdated fingerprint"
  when it is not the fingerprint of its current keys.

To decrypt (what the holder of a private key does): take the first ``len(modulus_A)`` bytes (or
the next ``len(modulus_B)`` for key B), RSA-OAEP(SHA-256, MGF1-SHA-256) decrypt them to 48 bytes,
split into key (first 32) and IV (last 16), AES-256-CBC decrypt everything after the two RSA
blocks, then strip the PKCS#7 padding. Either private key alone recovers the file.

(An early 2021 version of the Ruby gem base64-encoded the parts and joined them with ``:::``;
DIDWW replaced it with the binary layout above, which every current SDK uses.)
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Sequence

from cryptography.hazmat.primitives import hashes, padding, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.asymmetric.padding import MGF1, OAEP
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

AES_KEY_BYTES = 32
AES_IV_BYTES = 16
AES_BLOCK_BITS = 128
FINGERPRINT_SEPARATOR = ":::"
# DIDWW publishes exactly two keys and its server reads exactly two RSA blocks.
KEY_COUNT = 2


def oaep() -> OAEP:
    """The RSA padding of the key block: OAEP with SHA-256 for the hash and for MGF1, no label."""
    return OAEP(mgf=MGF1(algorithm=hashes.SHA256()), algorithm=hashes.SHA256(), label=None)


def load_public_keys(public_keys: Sequence[str]) -> list[rsa.RSAPublicKey]:
    """Parse DIDWW's two PEM keys; ValueError for anything else (fewer or more keys, a private
    key, a non-RSA key, broken PEM), so a bad key never yields an upload DIDWW cannot read."""
    if isinstance(public_keys, str | bytes) or len(public_keys) != KEY_COUNT:
        count = "a string" if isinstance(public_keys, str | bytes) else f"{len(public_keys)} keys"
        raise ValueError(f"DIDWW encryption needs exactly {KEY_COUNT} public keys, got {count}")
    loaded: list[rsa.RSAPublicKey] = []
    for position, pem in enumerate(public_keys):
        if not isinstance(pem, str) or "PRIVATE KEY" in pem:
            raise ValueError(f"public key {position} is not a PEM public key")
        try:
            key = serialization.load_pem_public_key(pem.encode("ascii"))
        except (ValueError, UnicodeEncodeError) as exc:
            raise ValueError(f"public key {position} is not a valid PEM public key: {exc}") from None
        if not isinstance(key, rsa.RSAPublicKey):
            raise ValueError(f"public key {position} is not an RSA key")
        loaded.append(key)
    return loaded


def _der(key: rsa.RSAPublicKey) -> bytes:
    return key.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)


def fingerprint(public_keys: Sequence[str]) -> str:
    """``encrypted_files[encryption_fingerprint]`` for these keys (in DIDWW's order)."""
    # Re-encoding to DER (rather than base64-decoding the PEM body as the SDKs do) gives the same
    # bytes for a PUBLIC KEY PEM, and does not depend on line endings or trailing newlines.
    digests = (hashlib.sha1(_der(k), usedforsecurity=False).hexdigest() for k in load_public_keys(public_keys))
    return FINGERPRINT_SEPARATOR.join(digests)


def encrypt(data: bytes, public_keys: Sequence[str]) -> bytes:
    """The container DIDWW expects for ``data`` (see the module docstring); new AES key each call."""
    keys = load_public_keys(public_keys)
    if not isinstance(data, bytes | bytearray | memoryview):
        raise TypeError("data must be bytes")
    aes_key = os.urandom(AES_KEY_BYTES)
    iv = os.urandom(AES_IV_BYTES)
    padder = padding.PKCS7(AES_BLOCK_BITS).padder()
    padded = padder.update(bytes(data)) + padder.finalize()
    encryptor = Cipher(algorithms.AES(aes_key), modes.CBC(iv)).encryptor()
    ciphertext = encryptor.update(padded) + encryptor.finalize()
    blocks = [key.encrypt(aes_key + iv, oaep()) for key in keys]
    return b"".join([*blocks, ciphertext])


def rsa_block_sizes(public_keys: Sequence[str]) -> tuple[int, ...]:
    """How many bytes each key's RSA block takes at the front of a container."""
    return tuple((k.key_size + 7) // 8 for k in load_public_keys(public_keys))
