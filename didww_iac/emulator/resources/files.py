"""public_keys and encrypted_files: how regulation documents reach DIDWW, encrypted.

``GET /v3/public_keys`` (no API key needed) lists two RSA public keys. A client encrypts a file
under both (a random AES-256-CBC key and IV, PKCS#7 padding; ``key || iv`` RSA-OAEP-SHA-256
encrypted under each key; the upload is ``RSA_A || RSA_B || AES ciphertext``) and posts it as
multipart/form-data with the keys' fingerprint: SHA-1 of each key's DER, hex, joined by ``:::``.

The emulator makes its two RSA-2048 key pairs once per process, when first needed (DIDWW's are
4096-bit; 2048 keeps tests fast and changes nothing in the format), and decrypts every upload
with both private keys, keeping only what the plaintext is: ``internal["content_kind"]`` is
"pdf", "png", "jpeg" or "other" by its magic bytes ("other" also when it does not decrypt,
with the reason in ``internal["decryption"]``), as DIDWW's verification rejects anything but
JPG, PNG and PDF. Neither the plaintext nor the ciphertext is stored.

A file expires 24 hours after upload on the account's clock ("Uploaded encrypted files will
expire after 24 hours"): it is then deleted, so listings and reads no longer see it, unless it was
attached by then (OpenAPI: "deleted at expires_at unless it has been attached to something");
a type that attaches files marks them with ``internal["attached"] = True``.

POST /v3/encrypted_files, as recorded:
- 2026-04-16: fields ``encrypted_files[encryption_fingerprint]``, ``encrypted_files[description]``
  (optional) and ``encrypted_files[file]``, one file per request; 201 with the resource, sent as
  ``application/json``. 2022-05-10: ``encrypted_files[items][][file]`` and
  ``encrypted_files[items][][description]``, up to five files; 201 ``{"ids": [...]}``; attribute
  ``expire_at`` instead of ``expires_at`` (Changelog).
- 400 "invalid params": a body that is not a form, an unknown field (such as the other version's
  ``items``), a missing fingerprint or file field, a repeated field.
- 422 "file - can't be blank" (pointer /data/attributes/file) for an empty file, and 422
  "outdated fingerprint" (pointer /data) when the fingerprint is not the current keys'; both
  when both apply, as one validation would report them. 2022-05-10 answers these in its Rails
  shape, ``{"errors": {"base": ["outdated fingerprint"]}}`` (recorded; the ``file`` key is not).
"""

from __future__ import annotations

import base64
import hashlib
import threading
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives import padding as sym_padding
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

from didww_iac.emulator import errors
from didww_iac.emulator.behaviour import AccountOps, AccountView, Behaviour, FormPart
from didww_iac.emulator.clock import iso
from didww_iac.emulator.coerce import BLANK
from didww_iac.emulator.resources.common import V2022, V2026
from didww_iac.emulator.schema import Attr, Record, ResourceType

LIFETIME = 24 * 3600.0
MAX_FILES_2022 = 5
KEY_BITS = 2048
_AES_KEY, _AES_IV = 32, 16

_FINGERPRINT = "encrypted_files[encryption_fingerprint]"
_FILE, _DESCRIPTION = "encrypted_files[file]", "encrypted_files[description]"
_ITEM_FILE, _ITEM_DESCRIPTION = "encrypted_files[items][][file]", "encrypted_files[items][][description]"

# What an upload hands over to before_create through attributes that are never rendered.
_INTERNAL = ("content_kind", "plaintext_bytes", "decryption")


# -- the key pairs ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class KeySet:
    private: tuple[rsa.RSAPrivateKey, ...]
    pems: tuple[str, ...]
    ids: tuple[str, ...]
    fingerprint: str


_keys_lock = threading.Lock()
_keys: list[KeySet] = []  # the current key set once made (a list: no module-level rebinding)


def _fingerprint_of(pem: str) -> str:
    # As DIDWW's SDKs describe it: SHA-1 of the bytes the PEM's base64 body encodes.
    body = "".join(line for line in pem.strip().splitlines() if not line.startswith("-----"))
    return hashlib.sha1(base64.b64decode(body), usedforsecurity=False).hexdigest()


def _make_keys() -> KeySet:
    private = tuple(rsa.generate_private_key(public_exponent=65537, key_size=KEY_BITS) for _ in range(2))
    pems = tuple(
        k.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode("ascii")
        for k in private
    )
    prints = [_fingerprint_of(p) for p in pems]
    # UUIDv3 ids, as DIDWW's recorded public key ids are, derived from the key itself.
    ids = tuple(str(uuid.uuid3(uuid.NAMESPACE_OID, f"didww-emulator-public-key:{f}")) for f in prints)
    return KeySet(private, pems, ids, ":::".join(prints))


def current_keys() -> KeySet:
    """This process's key pairs, made on first use."""
    with _keys_lock:
        if not _keys:
            _keys.append(_make_keys())
        return _keys[0]


def rotate_keys() -> KeySet:
    """Replace the key pairs, as DIDWW rotating its keys would: fingerprints of the old ones are
    outdated from now on (for tests)."""
    fresh = _make_keys()
    with _keys_lock:
        _keys[:] = [fresh]
    return fresh


# -- decryption ---------------------------------------------------------------------------------------


class Undecryptable(ValueError):
    pass


def decrypt(container: bytes, keys: KeySet) -> bytes:
    """The plaintext of an upload; both RSA blocks must hold the same AES key and IV."""
    sizes = [k.key_size // 8 for k in keys.private]
    head = sum(sizes)
    body = container[head:]
    if not body or len(body) % 16:
        raise Undecryptable(f"{len(container)} bytes: not two {sizes} byte RSA blocks and whole AES blocks")
    oaep = padding.OAEP(mgf=padding.MGF1(hashes.SHA256()), algorithm=hashes.SHA256(), label=None)
    secrets: list[bytes] = []
    offset = 0
    for key, size in zip(keys.private, sizes, strict=True):
        try:
            secrets.append(key.decrypt(container[offset : offset + size], oaep))
        except ValueError:
            raise Undecryptable(f"the RSA block at byte {offset} does not decrypt with its key") from None
        offset += size
    if len(set(secrets)) != 1 or len(secrets[0]) != _AES_KEY + _AES_IV:
        raise Undecryptable("the RSA blocks do not hold one 32-byte key and 16-byte IV")
    aes_key, iv = secrets[0][:_AES_KEY], secrets[0][_AES_KEY:]
    decryptor = Cipher(algorithms.AES(aes_key), modes.CBC(iv)).decryptor()
    padded = decryptor.update(body) + decryptor.finalize()
    unpadder = sym_padding.PKCS7(128).unpadder()
    try:
        return unpadder.update(padded) + unpadder.finalize()
    except ValueError:
        raise Undecryptable("the AES plaintext has no valid PKCS#7 padding") from None


_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"%PDF-", "pdf"),
    (b"\x89PNG\r\n\x1a\n", "png"),
    (b"\xff\xd8\xff", "jpeg"),
)


def content_kind(plaintext: bytes) -> str:
    return next((kind for magic, kind in _MAGIC if plaintext.startswith(magic)), "other")


# -- errors in each version's shape -----------------------------------------------------------------


@dataclass(eq=False)
class LegacyFormError(errors.ApiError):
    """2022-05-10's upload errors: ``{"errors": {"base": [...], "<field>": [...]}}``."""

    legacy: Mapping[str, list[str]] | None = None

    def document(self) -> dict[str, Any]:
        return {"errors": dict(self.legacy or {})}


def _rejected(version: str, blank_file: bool, outdated: bool) -> errors.ApiError:
    if version < V2026:
        legacy: dict[str, list[str]] = {}
        if blank_file:
            legacy["file"] = [BLANK]
        if outdated:
            legacy["base"] = ["outdated fingerprint"]
        return LegacyFormError(422, [], legacy=legacy)
    found = errors.validation_error([errors.FieldError("/data/attributes/file", "file", BLANK)] if blank_file else [])
    if outdated:
        found.errors.append(
            {
                "title": "outdated fingerprint",
                "detail": "outdated fingerprint",
                "code": "100",
                "source": {"pointer": "/data"},
                "status": "422",
            }
        )
    return found


# -- the form -------------------------------------------------------------------------------------------


def _text(part: FormPart) -> str:
    try:
        return part.value.decode("utf-8")
    except UnicodeDecodeError:
        raise errors.invalid_params() from None


def _items(version: str, parts: Sequence[FormPart]) -> tuple[str, list[tuple[bytes, str | None]]]:
    """The fingerprint and each file with its description; 400 for any other shape."""
    fingerprints = [p for p in parts if p.name == _FINGERPRINT]
    if len(fingerprints) != 1:
        raise errors.invalid_params()
    rest = [p for p in parts if p.name != _FINGERPRINT]
    if version >= V2026:
        names = [p.name for p in rest]
        if names.count(_FILE) != 1 or names.count(_DESCRIPTION) > 1 or set(names) - {_FILE, _DESCRIPTION}:
            raise errors.invalid_params()
        by_name = {p.name: p for p in rest}
        description = by_name.get(_DESCRIPTION)
        return _text(fingerprints[0]), [(by_name[_FILE].value, _text(description) if description else None)]
    # Rack's rule for "items[][x]": a key the last item already has starts the next item.
    items: list[dict[str, FormPart]] = []
    for part in rest:
        if part.name not in (_ITEM_FILE, _ITEM_DESCRIPTION):
            raise errors.invalid_params()
        if not items or part.name in items[-1]:
            items.append({})
        items[-1][part.name] = part
    if not items or len(items) > MAX_FILES_2022 or any(_ITEM_FILE not in item for item in items):
        raise errors.invalid_params()
    return _text(fingerprints[0]), [
        (item[_ITEM_FILE].value, _text(item[_ITEM_DESCRIPTION]) if _ITEM_DESCRIPTION in item else None)
        for item in items
    ]


# -- the types --------------------------------------------------------------------------------------------


class PublicKeyBehaviour(Behaviour):
    def prepare_list(self, ops: AccountOps, filters: Mapping[str, list[str]]) -> None:
        # The keys belong to the process, not the account: (re)stored when the account's copy is
        # missing (a new or reset account) or stale (a state file from an earlier process).
        keys = current_keys()
        stored = ops.records("public_keys")
        if [r.id for r in stored] == list(keys.ids):
            return
        for record in stored:
            ops.remove(record.type, record.id)
        # Negative sequence numbers, as catalogue records have: DIDWW's order, id counter untouched.
        ops.insert_many(
            [
                Record("public_keys", key_id, position - len(keys.ids), {"key": pem}, {})
                for position, (key_id, pem) in enumerate(zip(keys.ids, keys.pems, strict=True))
            ]
        )

    def collection_meta(self, version: str) -> bool:
        # "the one collection in the API that carries neither meta nor links" (2026-04-16 OpenAPI;
        # the 2026 collection's recorded answer agrees, the 2022 one has meta.api_version).
        return version < V2026


class EncryptedFileBehaviour(Behaviour):
    def form_input(self, version: str, form: Sequence[FormPart]) -> list[dict[str, Any]]:
        fingerprint, files = _items(version, form)
        keys = current_keys()
        blank = any(not content for content, _ in files)
        outdated = fingerprint != keys.fingerprint
        if blank or outdated:
            raise _rejected(version, blank, outdated)
        documents: list[dict[str, Any]] = []
        for content, description in files:
            try:
                plaintext = decrypt(content, keys)
                kind, size, outcome = content_kind(plaintext), len(plaintext), "ok"
            except Undecryptable as exc:
                # Accepted as DIDWW would (it decrypts when verifying), but no document.
                kind, size, outcome = "other", None, f"failed: {exc}"
            attributes = {"description": description, "content_kind": kind, "plaintext_bytes": size}
            documents.append({"type": "encrypted_files", "attributes": {**attributes, "decryption": outcome}})
        return documents

    def form_answer(self, version: str, records: Sequence[Record]) -> dict[str, Any] | None:
        return None if version >= V2026 else {"ids": [r.id for r in records]}

    def render_virtual(self, account: AccountView, version: str, record: Record, attr: Attr) -> Any:
        return record.attributes.get("expires_at")

    def before_create(self, ops: AccountOps, record: Record, version: str) -> None:
        for name in _INTERNAL:
            record.internal[name] = record.attributes.pop(name, None)
        now = ops.now()
        record.internal["uploaded"] = now
        record.internal["expires"] = now + LIFETIME
        record.attributes["expires_at"] = iso(now + LIFETIME)

    def after_create(self, ops: AccountOps, record: Record) -> None:
        ops.schedule(record, float(record.internal["expires"]))

    def due(self, record: Record) -> float | None:
        return float(record.internal["expires"]) if "expires" in record.internal else None

    def on_timer(self, ops: AccountOps, record: Record) -> None:
        if ops.now() >= float(record.internal.get("expires", 0)) and not record.internal.get("attached"):
            ops.remove(record.type, record.id)


PUBLIC_KEYS = ResourceType(
    name="public_keys",
    attributes=(Attr("key", writable=False),),
    sorts=("key",),
    operations=frozenset({"list"}),
    paginated=False,
    public=True,
    behaviour=PublicKeyBehaviour(),
)

ENCRYPTED_FILES = ResourceType(
    name="encrypted_files",
    attributes=(
        Attr("description"),
        Attr("expires_at", kind="datetime", writable=False, since=V2026),
        Attr("expire_at", kind="datetime", writable=False, virtual=True, until=V2022),
        # Set by the upload itself (form_input), moved to internal before the record is stored.
        Attr("content_kind", hidden=True),
        Attr("plaintext_bytes", kind="integer", hidden=True),
        Attr("decryption", hidden=True),
    ),
    # expire_at (the 2022-05-10 name, virtual) still sorts in 2026-04-16, as the OpenAPI lists it.
    sorts=("description", "expires_at", "expire_at"),
    operations=frozenset({"list", "show", "create", "delete"}),
    form_create=True,
    behaviour=EncryptedFileBehaviour(),
)
