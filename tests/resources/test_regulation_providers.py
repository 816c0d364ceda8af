"""The regulation and emergency providers against a real emulator: catalogue records by name,
documents uploaded encrypted, a proof on a pin that cannot read proofs, and an emergency service
whose create lost its answer."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from didww_iac.emulator.testing import RunningEmulator, running_emulator
from didww_iac.resources.address_verifications import AddressVerificationProvider
from didww_iac.resources.addresses import AddressProvider
from didww_iac.resources.documents import declared_files
from didww_iac.resources.emergency_calling_services import EmergencyCallingServiceProvider
from didww_iac.resources.errors import DidwwResourceError
from didww_iac.resources.identities import IdentityProvider
from didww_iac.resources.lookups import Catalogue
from didww_iac.resources.permanent_supporting_documents import PermanentSupportingDocumentProvider
from didww_iac.resources.proofs import ProofProvider
from didww_iac.resources.provider import DidwwProvider
from didww_iac.resources.spec import Lookup
from tests.resources.helpers import api_requests, call, clear_requests, configured, reset

KEY = "regulation-providers-key-3a9e"
PROOF_TYPES = Lookup("proof_types", "name", qualifier="entity_type")


@pytest.fixture(params=["2026-04-16", "2022-05-10"])
def pinned(request: pytest.FixtureRequest) -> Iterator[tuple[RunningEmulator, str]]:
    version: str = request.param
    with running_emulator(api_keys=[KEY], rate_limit=None, api_version=version, request_log=True) as emu:
        yield emu, version


@pytest.fixture(scope="module")
def emulator() -> Iterator[RunningEmulator]:
    with running_emulator(api_keys=[KEY], rate_limit=None, request_log=True, order_delay=0) as emu:
        yield emu


def identity(emulator: RunningEmulator, country_iso: str = "DE", version: str = "2026-04-16") -> str:
    country = call(emulator, KEY, "GET", f"countries?filter[iso]={country_iso}")["data"][0]["id"]
    body = {
        "data": {
            "type": "identities",
            "attributes": {
                "identity_type": "personal",
                "first_name": "Jane",
                "last_name": "Doe",
                "phone_number": "4930901820",
                "birth_date": "1980-04-01",
                # 2026-04-16 added it (and US emergency calling asks for it).
                **({"contact_email": "jane@example.com"} if version == "2026-04-16" else {}),
            },
            "relationships": {"country": {"data": {"type": "countries", "id": country}}},
        }
    }
    made: str = call(emulator, KEY, "POST", "identities", body)["data"]["id"]
    return made


def proof_props(tmp_path: Path, identity_id: str) -> dict[str, Any]:
    stack = tmp_path / "stacks" / "s.yaml"
    (stack.parent / "docs").mkdir(parents=True)
    (stack.parent / "docs" / "passport.pdf").write_bytes(b"%PDF-1.4 passport")
    return {
        "proof_type": "Passport",
        "identity": identity_id,
        "files": declared_files(stack, ["docs/passport.pdf"]),
        "source_location": {"file": str(stack), "entry": "proofs.passport", "lines": {}},
    }


def test_catalogue_names_are_plain_where_unique_and_qualified_where_repeated(emulator: RunningEmulator) -> None:
    reset(emulator)
    client = configured(emulator, ProofProvider, KEY).client
    catalogue = Catalogue(client)
    names = catalogue.names(PROOF_TYPES)
    assert "Passport" in names and "Utility Bill" in names
    assert {"Personal/Other", "Business/Other", "Address/Other"} <= set(names)
    assert "Other" not in names  # it names three records
    personal_other = catalogue.id_of(PROOF_TYPES, "Personal/Other")
    assert catalogue.name_of(PROOF_TYPES, personal_other) == "Personal/Other"
    assert catalogue.name_of(PROOF_TYPES, catalogue.id_of(PROOF_TYPES, "Personal/Passport")) == "Passport"
    with pytest.raises(DidwwResourceError, match=r"no proof_types with name 'Other' .*known: .*Address/Other"):
        catalogue.id_of(PROOF_TYPES, "Other")


def test_a_proof_is_uploaded_encrypted_and_read_back_by_its_type(
    pinned: tuple[RunningEmulator, str], tmp_path: Path
) -> None:
    emulator, version = pinned
    props = proof_props(tmp_path, identity(emulator, version=version))
    provider = configured(emulator, ProofProvider, KEY, version)
    clear_requests(emulator)

    created = provider.create(props)
    assert created.outs is not None

    posts = [r["path"] for r in api_requests(emulator, "POST")]
    assert posts == ["/v3/encrypted_files", "/v3/proofs"]
    assert created.outs["proof_type"] == "Passport"
    assert created.outs["files"] == props["files"]
    read = provider.read(created.id, created.outs)
    assert read.outs is not None
    assert read.id == created.id and read.outs["proof_type"] == "Passport"
    reads = [r["path"] for r in api_requests(emulator, "GET") if r["path"].startswith("/v3/proofs")]
    # 2022-05-10 cannot read a proof: what was made is what the state says, with no request.
    assert reads == ([] if version == "2022-05-10" else ["/v3/proofs"])
    assert not provider.diff(created.id, read.outs, props).changes


def test_a_file_changed_after_the_plan_is_not_uploaded(emulator: RunningEmulator, tmp_path: Path) -> None:
    reset(emulator)
    props = proof_props(tmp_path, identity(emulator))
    (tmp_path / "stacks" / "docs" / "passport.pdf").write_bytes(b"%PDF-1.4 another passport")
    clear_requests(emulator)
    with pytest.raises(DidwwResourceError, match=r"files: docs/passport\.pdf changed after this run's plan"):
        configured(emulator, ProofProvider, KEY).create(props)
    assert api_requests(emulator, "POST") == []


def us_numbers_and_address(emulator: RunningEmulator) -> tuple[list[str], str]:
    dids = [ordered_number(emulator, "New York")]
    us = call(emulator, KEY, "GET", "countries?filter[iso]=US")["data"][0]["id"]
    body = {
        "data": {
            "type": "addresses",
            "attributes": {"address": "350 5th Ave", "city_name": "New York", "postal_code": "10001"},
            "relationships": {
                "identity": {"data": {"type": "identities", "id": identity(emulator, "US")}},
                "country": {"data": {"type": "countries", "id": us}},
            },
        }
    }
    address: str = call(emulator, KEY, "POST", "addresses", body)["data"]["id"]
    return dids, address


def test_an_emergency_service_whose_create_lost_its_answer_is_found_through_its_numbers(
    emulator: RunningEmulator,
) -> None:
    reset(emulator)
    dids, address = us_numbers_and_address(emulator)
    provider = configured(emulator, EmergencyCallingServiceProvider, KEY)
    fault = {"lose_answer_next": 1, "lose_answer_method": "POST"}
    httpx.post(emulator.admin_url + "faults", json=fault).raise_for_status()
    clear_requests(emulator)

    created = provider.create({"address": address, "dids": dids})
    assert created.outs is not None

    posts = api_requests(emulator, "POST")
    assert [(r["path"], r["outcome"]) for r in posts] == [("/v3/emergency_verifications", "answer_lost")]
    clear_requests(emulator)
    adopted = provider.create({"address": address, "dids": dids, "adopt_id": created.id})
    assert adopted.id == created.id and api_requests(emulator, "POST") + api_requests(emulator, "PATCH") == []
    (service,) = call(emulator, KEY, "GET", "emergency_calling_services")["data"]
    assert created.id == service["id"]
    assert created.outs["dids"] == dids and created.outs["verification_status"] == "pending"
    # Adopted as made: the next diff has nothing to do.
    assert not provider.diff(created.id, created.outs, {"address": address, "dids": dids}).changes


def test_a_canceled_service_reads_as_gone(emulator: RunningEmulator) -> None:
    reset(emulator)
    dids, address = us_numbers_and_address(emulator)
    provider = configured(emulator, EmergencyCallingServiceProvider, KEY)
    created = provider.create({"address": address, "dids": dids})
    assert created.outs is not None
    # DIDWW cancels no service while its first verification is in review.
    with pytest.raises(DidwwResourceError, match="should be in NEW, CHANGES_REQUIRED, ACTIVE or PENDING_UPDATE"):
        provider.delete(created.id, created.outs)
    verification = created.outs["emergency_verification"]
    review = {"type": "emergency_verifications", "id": verification, "decision": "approved"}
    httpx.post(emulator.admin_url + "reviews", json=review).raise_for_status()
    provider.delete(created.id, created.outs)
    (service,) = call(emulator, KEY, "GET", "emergency_calling_services")["data"]
    assert service["attributes"]["status"] == "canceled"
    assert configured(emulator, EmergencyCallingServiceProvider, KEY).read(created.id, created.outs).id == ""


def ordered_number(emulator: RunningEmulator, city: str) -> str:
    """A number of the city's group, ordered through the API (the order completes at once)."""
    groups = call(emulator, KEY, "GET", "did_groups?include=stock_keeping_units&page[size]=100")["data"]
    group = next(g for g in groups if g["attributes"]["area_name"] == city)
    sku = group["relationships"]["stock_keeping_units"]["data"][0]["id"]
    items = [{"type": "did_order_items", "attributes": {"sku_id": sku, "qty": 1}}]
    order = call(emulator, KEY, "POST", "orders", {"data": {"type": "orders", "attributes": {"items": items}}})
    httpx.post(emulator.admin_url + "clock/tick").raise_for_status()
    (did,) = call(emulator, KEY, "GET", f"dids?filter[order.id]={order['data']['id']}")["data"]
    number: str = did["id"]
    return number


def test_every_regulation_provider_on_both_pins_up_to_a_reviewed_verification(
    pinned: tuple[RunningEmulator, str], tmp_path: Path
) -> None:
    emulator, version = pinned
    httpx.patch(emulator.admin_url + "account", json={"review_delay": 3600}).raise_for_status()
    stack = tmp_path / "stacks" / "s.yaml"
    (stack.parent / "docs").mkdir(parents=True)
    for name, content in (
        ("passport.pdf", b"%PDF-1.4 p"),
        ("bill.png", b"\x89PNG\r\n\x1a\n b"),
        ("form.pdf", b"%PDF f"),
    ):
        (stack.parent / "docs" / name).write_bytes(content)
    where = {"file": str(stack), "entry": "x", "lines": {}}

    def made(cls: type[DidwwProvider], props: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        result = configured(emulator, cls, KEY, version).create({**props, "source_location": where})
        assert result.outs is not None
        return result.id, result.outs

    person, person_outs = made(
        IdentityProvider,
        {
            "identity_type": "personal",
            "first_name": "Jane",
            "last_name": "Doe",
            "phone_number": "4930901820",
            "country": "DE",
        },
    )
    assert (person_outs["identity_type"], person_outs["country"]) == ("personal", "DE")
    office, _ = made(
        AddressProvider,
        {"identity": person, "country": "DE", "city_name": "Berlin", "postal_code": "10115", "address": "Str. 1"},
    )
    files = {n: declared_files(stack, [f"docs/{n}"]) for n in ("passport.pdf", "bill.png", "form.pdf")}
    made(ProofProvider, {"proof_type": "Passport", "identity": person, "files": files["passport.pdf"]})
    made(ProofProvider, {"proof_type": "Utility Bill", "address": office, "files": files["bill.png"]})
    made(
        PermanentSupportingDocumentProvider,
        {"template": "Germany Registration Form", "identity": person, "files": files["form.pdf"]},
    )
    number = ordered_number(emulator, "Berlin")
    verification, outs = made(AddressVerificationProvider, {"address": office, "dids": [number]})
    assert outs["status"] == "pending" and outs["dids"] == [number]
    # Another stack (or a person in the panel) submitted it: an entry adopts it, nothing is sent.
    clear_requests(emulator)
    adopted, _ = made(AddressVerificationProvider, {"address": office, "dids": [number], "adopt_id": verification})
    assert adopted == verification and api_requests(emulator, "POST") + api_requests(emulator, "PATCH") == []

    review = {"type": "address_verifications", "id": verification, "decision": "rejected", "reasons": ["Blurry scan"]}
    httpx.post(emulator.admin_url + "reviews", json=review).raise_for_status()
    provider = configured(emulator, AddressVerificationProvider, KEY, version)
    read = provider.read(verification, outs)
    assert read.outs is not None
    # The same canonical values on both pins (2022-05-10 says "Rejected" and gives one text).
    assert (read.outs["status"], read.outs["reject_reasons"]) == ("rejected", ["Blurry scan"])
    # DIDWW keeps verifications: deleting the entry only stops managing it.
    provider.delete(verification, read.outs)
    assert [v["id"] for v in call(emulator, KEY, "GET", "address_verifications")["data"]] == [verification]


def test_a_name_the_catalogue_does_not_know_is_refused_in_the_preview_at_its_line(emulator: RunningEmulator) -> None:
    reset(emulator)
    provider = configured(emulator, ProofProvider, KEY)
    where = {"file": "stacks/s.yaml", "entry": "proofs.passport", "lines": {"": 7, "proof_type": 8}}
    props = {"proof_type": "Pasport", "identity": "some-id", "files": [], "source_location": where}
    with pytest.raises(DidwwResourceError) as refused:
        provider.check({}, props)
    message = str(refused.value)
    assert message.startswith("stacks/s.yaml:8: proofs.passport.proof_type: no proof_types with name 'Pasport'")
    assert "did you mean 'Passport'?" in message
    assert api_requests(emulator, "POST") == []
    assert provider.check({}, {**props, "proof_type": "Passport"}).inputs["proof_type"] == "Passport"
