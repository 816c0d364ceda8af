"""public_keys and encrypted_files over HTTP: keys without an API key, multipart uploads in both
versions, the recorded errors, decryption into content kinds, expiry after 24 hours.

Files are encrypted here with a few lines of our own (DIDWW's documented scheme), not with the
client's module: the emulator must stand on its own.
"""

from __future__ import annotations

import base64
import hashlib
import os
import secrets
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from cryptography.hazmat.primitives import hashes, padding, serialization
from cryptography.hazmat.primitives.asymmetric import padding as asym_padding
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

from didww_iac.emulator.clock import parse_iso
from didww_iac.emulator.resources import files
from didww_iac.emulator.testing import RunningEmulator, running_emulator

from .conftest import api_client
from .fixtures import JSONAPI, V2022, V2026

PDF = b"%PDF-1.7\n" + bytes(range(256)) * 4
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 40
JPEG = b"\xff\xd8\xff\xe0" + b"JFIF" * 10
FP, FILE, DESCRIPTION = (f"encrypted_files[{n}]" for n in ("encryption_fingerprint", "file", "description"))
ITEM_FILE, ITEM_DESCRIPTION = "encrypted_files[items][][file]", "encrypted_files[items][][description]"

Fields = list[tuple[str, str]]
Files = list[tuple[str, tuple[str, bytes, str]]]


def _keys(client: httpx.Client) -> list[str]:
    return [r["attributes"]["key"] for r in client.get("public_keys").json()["data"]]


def _fingerprint(pems: list[str]) -> str:
    def one(pem: str) -> str:
        body = "".join(pem.strip().splitlines()[1:-1])
        return hashlib.sha1(base64.b64decode(body)).hexdigest()

    return ":::".join(one(p) for p in pems)


def _encrypt(data: bytes, pems: list[str]) -> bytes:
    key, iv = os.urandom(32), os.urandom(16)
    padder = padding.PKCS7(128).padder()
    encryptor = Cipher(algorithms.AES(key), modes.CBC(iv)).encryptor()
    body = encryptor.update(padder.update(data) + padder.finalize()) + encryptor.finalize()
    oaep = asym_padding.OAEP(mgf=asym_padding.MGF1(hashes.SHA256()), algorithm=hashes.SHA256(), label=None)
    blocks = []
    for pem in pems:
        public = serialization.load_pem_public_key(pem.encode())
        assert isinstance(public, rsa.RSAPublicKey)
        blocks.append(public.encrypt(key + iv, oaep))
    return b"".join([*blocks, body])


def _post_form(client: httpx.Client, fields: Fields, file_parts: Files, **headers: str) -> httpx.Response:
    # Our own boundary in the Content-Type, which httpx then uses for the body it encodes.
    content_type = f"multipart/form-data; boundary={secrets.token_hex(12)}"
    return client.post(
        "encrypted_files", data=dict(fields), files=file_parts, headers={"Content-Type": content_type, **headers}
    )


def _upload(client: httpx.Client, content: bytes, description: str | None = "scan", **headers: str) -> httpx.Response:
    pems = _keys(client)
    fields: Fields = [(FP, _fingerprint(pems))]
    if description is not None:
        fields.append((DESCRIPTION, description))
    return _post_form(
        client, fields, [(FILE, ("file.enc", _encrypt(content, pems), "application/octet-stream"))], **headers
    )


def _errors(response: httpx.Response, status: int) -> list[dict[str, Any]]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == JSONAPI
    found: list[dict[str, Any]] = response.json()["errors"]
    return found


INVALID_PARAMS = [{"title": "invalid params", "detail": "invalid params", "code": "400", "status": "400"}]
BLANK_FILE = {
    "title": "can't be blank",
    "detail": "file - can't be blank",
    "code": "100",
    "source": {"pointer": "/data/attributes/file"},
    "status": "422",
}
OUTDATED = {
    "title": "outdated fingerprint",
    "detail": "outdated fingerprint",
    "code": "100",
    "source": {"pointer": "/data"},
    "status": "422",
}


@pytest.fixture
def old_keys() -> Iterator[list[str]]:
    """The key pairs of the process before a rotation: their fingerprint is outdated after it."""
    before = list(files.current_keys().pems)
    files.rotate_keys()
    yield before


# -- public_keys -------------------------------------------------------------------------------------


def test_public_keys_need_no_api_key_and_carry_no_meta_in_2026(emu: RunningEmulator) -> None:
    answer = httpx.get(emu.base_url + "public_keys", headers={"Accept": JSONAPI})
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert set(body) == {"data"}  # neither meta nor links (OpenAPI; the 2026 recording)
    assert [r["type"] for r in body["data"]] == ["public_keys", "public_keys"]
    for r in body["data"]:
        assert set(r) == {"id", "type", "attributes"} and set(r["attributes"]) == {"key"}
        key = serialization.load_pem_public_key(r["attributes"]["key"].encode())
        assert isinstance(key, rsa.RSAPublicKey) and key.key_size == 2048
    # A key that is sent is not looked at; the same keys (and ids) on every call.
    again = httpx.get(emu.base_url + "public_keys", headers={"Accept": JSONAPI, "Api-Key": "wrong"})
    assert again.json() == body
    assert list(files.current_keys().ids) == [r["id"] for r in body["data"]]


def test_public_keys_in_2022_have_meta_and_only_list() -> None:
    with running_emulator(api_version=V2022, rate_limit=None) as emu, api_client(emu) as client:
        body = client.get("public_keys").json()
        assert body["meta"] == {"api_version": V2022} and len(body["data"]) == 2
        assert client.get(f"public_keys/{body['data'][0]['id']}").status_code == 405


def test_encrypted_files_still_need_the_key(emu: RunningEmulator) -> None:
    answer = httpx.get(emu.base_url + "encrypted_files", headers={"Accept": JSONAPI})
    assert answer.status_code == 401


# -- uploads (2026-04-16) ------------------------------------------------------------------------------


@pytest.mark.parametrize(("content", "kind"), [(PDF, "pdf"), (PNG, "png"), (JPEG, "jpeg"), (b"plain text", "other")])
def test_upload_decrypts_and_records_the_kind(
    client: httpx.Client, emu: RunningEmulator, content: bytes, kind: str
) -> None:
    answer = _upload(client, content, "passport")
    assert answer.status_code == 201, answer.text
    assert answer.headers["content-type"] == "application/json"  # as DIDWW's OpenAPI says
    body = answer.json()
    assert set(body) == {"data", "meta"} and body["meta"] == {"api_version": V2026}
    data = body["data"]
    assert data["type"] == "encrypted_files" and set(data) == {"id", "type", "attributes"}
    assert set(data["attributes"]) == {"description", "expires_at"}
    assert data["attributes"]["description"] == "passport"
    record = emu.state.get("encrypted_files", data["id"])
    assert record.internal["content_kind"] == kind
    assert record.internal["plaintext_bytes"] == len(content)
    assert record.internal["decryption"] == "ok"
    assert parse_iso(data["attributes"]["expires_at"]) == pytest.approx(record.internal["uploaded"] + 86400, abs=0.002)
    assert "file" not in record.attributes and "content_kind" not in record.attributes  # nothing of it is kept


def test_show_list_delete(client: httpx.Client) -> None:
    first = _upload(client, PDF, None).json()["data"]
    second = _upload(client, PNG, "bill").json()["data"]
    assert first["attributes"]["description"] is None
    listing = client.get("encrypted_files").json()
    assert [d["id"] for d in listing["data"]] == [first["id"], second["id"]]
    assert listing["meta"] == {"total_records": 2, "api_version": V2026}
    assert set(listing["links"]) == {"first", "last"}
    shown = client.get(f"encrypted_files/{second['id']}").json()
    assert shown["data"] == second and shown["meta"] == {"api_version": V2026}
    sorted_desc = client.get("encrypted_files", params={"sort": "-expires_at"}).json()["data"]
    assert [d["id"] for d in sorted_desc] == [second["id"], first["id"]]
    assert client.delete(f"encrypted_files/{first['id']}").status_code == 204
    (gone,) = _errors(client.get(f"encrypted_files/{first['id']}"), 404)
    assert gone["detail"] == f"The record identified by {first['id']} could not be found."
    _errors(client.delete(f"encrypted_files/{first['id']}"), 404)
    assert client.patch(f"encrypted_files/{second['id']}", json={"data": {}}).status_code == 405


def test_python_sdk_accept_header_is_served(client: httpx.Client) -> None:
    assert _upload(client, PDF, Accept="application/json").status_code == 201


def test_expired_files_are_deleted_unless_attached(client: httpx.Client, emu: RunningEmulator) -> None:
    kept = _upload(client, PDF).json()["data"]["id"]
    dropped = _upload(client, PDF).json()["data"]["id"]
    emu.state.get("encrypted_files", kept).internal["attached"] = True  # a proof refers to it
    httpx.post(emu.admin_url + "clock/tick", json={"seconds": 86399}).raise_for_status()
    assert len(client.get("encrypted_files").json()["data"]) == 2
    httpx.post(emu.admin_url + "clock/tick", json={"seconds": 2}).raise_for_status()
    assert [d["id"] for d in client.get("encrypted_files").json()["data"]] == [kept]
    assert client.get(f"encrypted_files/{dropped}").status_code == 404


def test_an_upload_that_does_not_decrypt_is_kept_as_no_document(client: httpx.Client, emu: RunningEmulator) -> None:
    pems = _keys(client)
    answer = _post_form(client, [(FP, _fingerprint(pems))], [(FILE, ("f", os.urandom(512 + 64), "text/plain"))])
    assert answer.status_code == 201, answer.text
    internal = emu.state.get("encrypted_files", answer.json()["data"]["id"]).internal
    assert internal["content_kind"] == "other" and internal["decryption"].startswith("failed: ")
    # One block under the wrong key: both must hold the same AES key.
    wrong = _encrypt(PDF, [pems[0], pems[0]])
    answer = _post_form(client, [(FP, _fingerprint(pems))], [(FILE, ("f", wrong, "text/plain"))])
    internal = emu.state.get("encrypted_files", answer.json()["data"]["id"]).internal
    assert internal["content_kind"] == "other"


# -- errors -----------------------------------------------------------------------------------------------


def test_bad_forms_are_invalid_params(client: httpx.Client) -> None:
    pems = _keys(client)
    good_fp = (FP, _fingerprint(pems))
    blob = (FILE, ("file.enc", _encrypt(PDF, pems), "application/octet-stream"))
    cases: list[tuple[Fields, Files]] = [
        ([], [blob]),  # no fingerprint
        ([good_fp], []),  # no file
        ([good_fp, (ITEM_DESCRIPTION, "x")], [(ITEM_FILE, blob[1])]),  # 2022's batch in 2026
        ([good_fp, ("encrypted_files[name]", "x")], [blob]),  # unknown field
        ([good_fp], [blob, (FILE, blob[1])]),  # one file per request
    ]
    for fields, file_parts in cases:
        assert _errors(_post_form(client, fields, file_parts), 400) == INVALID_PARAMS, (fields, file_parts)
    # A JSON:API document, or a form without a boundary, holds no params either.
    assert _errors(client.post("encrypted_files", json={"data": {"type": "encrypted_files"}}), 400) == INVALID_PARAMS
    no_boundary = client.post("encrypted_files", content=b"x", headers={"Content-Type": "multipart/form-data"})
    assert _errors(no_boundary, 400) == INVALID_PARAMS
    assert client.get("encrypted_files").json()["data"] == []


def test_multipart_framing(client: httpx.Client, emu: RunningEmulator) -> None:
    pems = _keys(client)
    # CRLFs and dashes inside a file, a preamble and an epilogue, unquoted and escaped parameters.
    content = b"%PDF-1.4\r\n\r\n--not-the-boundary\r\n" * 50
    boundary = "b0undary"
    body = (
        b"preamble\r\n--b0undary\r\n"
        + f"Content-Disposition: form-data; name={FP}\r\n\r\n{_fingerprint(pems)}\r\n".encode()
        + b'--b0undary\r\nContent-Disposition: form-data; name="encrypted_files[description]"\r\n\r\n'
        + b'say \\"hi\\"'
        + b"\r\n--b0undary\r\nContent-Type: application/octet-stream\r\n"
        + b'Content-Disposition: form-data; name="encrypted_files[file]"; filename="a \\"b\\".enc"\r\n\r\n'
        + _encrypt(content, pems)
        + b"\r\n--b0undary--\r\nepilogue"
    )
    headers = {"Content-Type": f'multipart/form-data; boundary="{boundary}"'}
    answer = client.post("encrypted_files", content=body, headers=headers)
    assert answer.status_code == 201, answer.text
    assert answer.json()["data"]["attributes"]["description"] == 'say \\"hi\\"'
    assert emu.state.get("encrypted_files", answer.json()["data"]["id"]).internal["plaintext_bytes"] == len(content)
    for broken in (body[: body.rindex(b"--b0undary--")], body.replace(b"Content-Disposition", b"X-Disposition")):
        assert _errors(client.post("encrypted_files", content=broken, headers=headers), 400) == INVALID_PARAMS


def test_blank_file_and_outdated_fingerprint(client: httpx.Client, old_keys: list[str]) -> None:
    stale = _fingerprint(old_keys)
    answer = _post_form(client, [(FP, stale)], [(FILE, ("file.enc", _encrypt(PDF, old_keys), "x"))])
    assert _errors(answer, 422) == [OUTDATED]
    fresh = _fingerprint(_keys(client))
    assert _errors(_post_form(client, [(FP, fresh)], [(FILE, ("file.enc", b"", "x"))]), 422) == [BLANK_FILE]
    assert _errors(_post_form(client, [(FP, stale)], [(FILE, ("file.enc", b"", "x"))]), 422) == [BLANK_FILE, OUTDATED]
    assert _upload(client, PDF).status_code == 201  # the current keys' fingerprint is accepted


# -- 2022-05-10: a batch of up to five, answered with ids ---------------------------------------------------


def test_batch_upload_in_2022() -> None:
    with running_emulator(api_version=V2022, rate_limit=None) as emu, api_client(emu) as client:
        pems = _keys(client)
        fields: Fields = [(FP, _fingerprint(pems)), (ITEM_DESCRIPTION, "a.pdf"), (ITEM_DESCRIPTION, "b.png")]
        parts: Files = [
            (ITEM_FILE, ("a", _encrypt(PDF, pems), "application/octet-stream")),
            (ITEM_FILE, ("b", _encrypt(PNG, pems), "application/octet-stream")),
        ]
        # httpx sends the text fields first: Rack pairs "a.pdf" and "b.png" with the files in
        # order only when each description comes next to its file, so interleave them by hand.
        ordered = _interleaved_body(fields, parts)
        answer = client.post("encrypted_files", content=ordered[1], headers={"Content-Type": ordered[0]})
        assert answer.status_code == 201, answer.text
        ids = answer.json()["ids"]
        assert set(answer.json()) == {"ids"} and len(ids) == 2
        shown = [client.get(f"encrypted_files/{i}").json()["data"]["attributes"] for i in ids]
        assert [s["description"] for s in shown] == ["a.pdf", "b.png"]
        assert all(set(s) == {"description", "expire_at"} for s in shown)
        assert [emu.state.get("encrypted_files", i).internal["content_kind"] for i in ids] == ["pdf", "png"]

        six = [(ITEM_FILE, ("f", _encrypt(PDF, pems), "application/octet-stream"))] * 6
        assert _errors(_post_form(client, [(FP, _fingerprint(pems))], six), 400) == INVALID_PARAMS
        single = _post_form(client, [(FP, _fingerprint(pems))], [(FILE, six[0][1])])
        assert _errors(single, 400) == INVALID_PARAMS  # 2026's single file field


def test_errors_in_2022_have_the_rails_shape(old_keys: list[str]) -> None:
    with running_emulator(api_version=V2022, rate_limit=None) as emu, api_client(emu) as client:
        outdated = _post_form(client, [(FP, _fingerprint(old_keys))], [(ITEM_FILE, ("f", b"x" * 32, "x"))])
        assert outdated.status_code == 422
        assert outdated.json() == {"errors": {"base": ["outdated fingerprint"]}}
        blank = _post_form(client, [(FP, _fingerprint(_keys(client)))], [(ITEM_FILE, ("f", b"", "x"))])
        assert blank.json() == {"errors": {"file": ["can't be blank"]}}


def _interleaved_body(fields: Fields, file_parts: Files) -> tuple[str, bytes]:
    """A multipart body with the parts in the order given: field, file, field, file..."""
    boundary = secrets.token_hex(12)
    chunks: list[bytes] = []
    texts = [f for f in fields if f[0] != FP]
    ordered: list[tuple[str, bytes, str | None]] = [(FP, dict(fields)[FP].encode(), None)]
    for (name, text), (file_name, (filename, data, _)) in zip(texts, file_parts, strict=True):
        ordered += [(name, text.encode(), None), (file_name, data, filename)]
    for part_name, value, part_filename in ordered:
        disposition = f'form-data; name="{part_name}"' + (f'; filename="{part_filename}"' if part_filename else "")
        chunks.append(f"--{boundary}\r\nContent-Disposition: {disposition}\r\n\r\n".encode() + value + b"\r\n")
    chunks.append(f"--{boundary}--\r\n".encode())
    return f"multipart/form-data; boundary={boundary}", b"".join(chunks)
