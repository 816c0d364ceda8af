"""The regulation and emergency entries of the stack file, checked offline: their rules, their
documents (files beside the stack, found on every load, cached or not), and the pinned version."""

from __future__ import annotations

from pathlib import Path

import pytest

from didww_iac.resource_types import SPECS
from didww_iac.resources.documents import DocumentError, declared_files, document_content, document_props
from didww_iac.stack import StackFileError, load, load_stack

REGISTERED = """\
api_version: "{version}"
dids:
  berlin:
    number: "4930123456"
identities:
  jane:
    identity_type: personal
    first_name: Jane
    last_name: Doe
    phone_number: "4930123456"
    country: DE
addresses:
  office:
    identity: jane
    country: DE
    city_name: Berlin
    postal_code: "10115"
    address: Invalidenstrasse 1
proofs:
  passport:
    proof_type: Passport
    identity: jane
    files: [docs/passport.pdf]
address_verifications:
  berlin:
    address: office
    dids: [berlin]
"""

EMERGENCY = """\
emergency_calling_services:
  e911:
    address: office
    dids: [berlin]
voice_out_trunks:
  sbc:
    name: SBC
    authentication:
      type: credentials_and_ip
      allowed_sip_ips: [203.0.113.10/32]
    emergency_dids: [berlin]
"""


def write(tmp_path: Path, text: str, documents: tuple[str, ...] = ("docs/passport.pdf",)) -> Path:
    path = tmp_path / "stacks" / "regulated.yaml"
    path.parent.mkdir(exist_ok=True)
    for document in documents:
        (path.parent / document).parent.mkdir(parents=True, exist_ok=True)
        (path.parent / document).write_bytes(b"%PDF-1.4 a scan")
    path.write_text(text)
    return path


def problems(path: Path) -> list[str]:
    with pytest.raises(StackFileError) as info:
        load_stack(path)
    return str(info.value).splitlines()


def test_a_registration_stack_loads_on_both_pins(tmp_path: Path) -> None:
    for version in ("2026-04-16", "2022-05-10"):
        stack = load_stack(write(tmp_path, REGISTERED.format(version=version)))
        assert stack.proofs["passport"].files == ["docs/passport.pdf"]
        assert stack.address_verifications["berlin"].dids == ["berlin"]


def test_emergency_calling_is_refused_on_a_2022_pin_at_its_lines(tmp_path: Path) -> None:
    found = problems(write(tmp_path, REGISTERED.format(version="2022-05-10") + EMERGENCY))
    assert any(":28: emergency_calling_services: emergency calling is new in 2026-04-16" in p for p in found), found
    assert any(":38: voice_out_trunks.sbc.emergency_dids: not in API 2022-05-10" in p for p in found), found
    stack = load_stack(write(tmp_path, REGISTERED.format(version="2026-04-16") + EMERGENCY))
    assert stack.voice_out_trunks["sbc"].emergency_dids == ["berlin"]


def test_a_missing_document_is_named_at_its_line_even_when_the_stack_was_cached(tmp_path: Path) -> None:
    path = write(tmp_path, REGISTERED.format(version="2026-04-16"))
    load_stack(path)  # valid: now cached under the file's content
    (path.parent / "docs" / "passport.pdf").unlink()
    found = problems(path)
    assert found == [
        f"{path}:23: proofs.passport.files: docs/passport.pdf: no such file (paths are relative to the stack file)"
    ]


@pytest.mark.parametrize(
    ("replace", "by", "message"),
    [
        ("identity_type: personal", "identity_type: business", "a `business` identity needs `company_name`"),
        ("    identity: jane\n    files", "    identity: jane\n    address: office\n    files", "exactly one of"),
        ("[docs/passport.pdf]", "[/home/me/passport.pdf]", "relative to the stack file"),
        ("[docs/passport.pdf]", "[]", "at least 1 item"),
        ("country: DE\naddresses", "country: Germany\naddresses", "String should match pattern"),
        ("    dids: [berlin]\n", "    dids: [berlin]\n    callback_url: https://example.com/cb\n", "callback_method"),
        ("    dids: [berlin]\n", "    dids: [paris]\n", "no entry named 'paris' under dids"),
    ],
)
def test_bad_entries_are_refused_with_the_reason(tmp_path: Path, replace: str, by: str, message: str) -> None:
    text = REGISTERED.format(version="2026-04-16")
    assert replace in text
    found = problems(write(tmp_path, text.replace(replace, by, 1)))
    assert any(message in p for p in found), found


def test_documents_are_known_by_path_and_digest_and_refused_when_changed(tmp_path: Path) -> None:
    path = write(tmp_path, REGISTERED.format(version="2026-04-16"))
    loaded = load(path)
    props = document_props(SPECS["proofs"], loaded.stack.proofs["passport"], path)
    [declared] = props["files"]
    assert declared["path"] == "docs/passport.pdf"
    assert len(declared["sha256"]) == 64
    assert document_content(str(path), declared) == b"%PDF-1.4 a scan"
    (path.parent / "docs" / "passport.pdf").write_bytes(b"%PDF-1.4 another scan")
    with pytest.raises(DocumentError, match="changed after this run's plan"):
        document_content(str(path), declared)
    assert declared_files(path, ["docs/passport.pdf"])[0]["sha256"] != declared["sha256"]


def test_order_items_take_billing_cycles_prorating_and_nanpa_without_qty(tmp_path: Path) -> None:
    text = """\
orders:
  us:
    items:
      - sku_id: sku-1
        nanpa_prefix_id: prefix-1
        billing_cycles_count: 12
        prorate_days_qty: 10
dids:
  first:
    order: us
"""
    stack = load_stack(write(tmp_path, text, documents=()))
    [item] = stack.orders["us"].items
    assert (item.numbers, item.billing_cycles_count, item.prorate_days_qty) == (1, 12, 10)
    found = problems(write(tmp_path, text.replace("12\n", "1000\n"), documents=()))
    assert any("orders.us.items.0.billing_cycles_count" in p for p in found), found
