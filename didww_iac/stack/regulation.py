"""The stack file's regulation and emergency-calling entries.

Numbers in many countries work only once DIDWW's compliance team has verified who uses them and
where: an identity (a person or a company), an address of that identity, proofs (scans of
documents, uploaded encrypted), and a verification binding numbers to the address. Emergency
calling (API 2026-04-16) registers numbers at an address for emergency services.

Documents are files beside the stack: a path is relative to the stack file, and the content's
SHA-256 is what a preview compares (a new scan is a new proof: DIDWW cannot change a proof).
"""

from __future__ import annotations

from pathlib import PurePosixPath
from typing import Annotated, Literal

from pydantic import AfterValidator, Field, model_validator

from didww_iac.stack.common import CountryCode, ExternalReferenceId, LogicalName, Strict


def _relative(path: str) -> str:
    if not path or PurePosixPath(path).is_absolute() or path.startswith("~") or "\\" in path:
        # The stack is applied from other checkouts and CI runners: only a path inside the
        # repository, written relative to the stack file, names the same file everywhere.
        raise ValueError("give the document's path relative to the stack file, with `/` (e.g. docs/passport.pdf)")
    return path


DocumentPath = Annotated[str, AfterValidator(_relative)]
Documents = Annotated[list[DocumentPath], Field(min_length=1, max_length=10)]
Date = Annotated[str, Field(pattern=r"^\d{4}-\d{2}-\d{2}$")]


class Identity(Strict):
    """Who uses the numbers: a person (`personal`) or a company (`business`)."""

    identity_type: Literal["personal", "business"] = Field(description="DIDWW cannot change it: a new identity.")
    first_name: str
    last_name: str
    phone_number: str = Field(pattern=r"^\d{6,20}$", description="Digits only, with the country code.")
    country: CountryCode | None = Field(None, description="ISO code: where the person lives or the company is.")
    birth_country: CountryCode | None = None
    contact_email: str | None = None
    company_name: str | None = None
    company_reg_number: str | None = None
    vat_id: str | None = None
    id_number: str | None = None
    personal_tax_id: str | None = None
    birth_date: Date | None = None
    description: str | None = None
    external_reference_id: ExternalReferenceId | None = None
    adopt_id: str | None = None

    @model_validator(mode="after")
    def _company_named(self) -> Identity:
        if self.identity_type == "business" and not self.company_name:
            raise ValueError("a `business` identity needs `company_name`")
        return self


class Address(Strict):
    identity: LogicalName = Field(description="The `identities` entry it belongs to.")
    country: CountryCode = Field(description="ISO code, e.g. DE.")
    city_name: str
    postal_code: str
    address: str = Field(description="Street and number.")
    description: str | None = None
    external_reference_id: ExternalReferenceId | None = None
    adopt_id: str | None = None


class Proof(Strict):
    """A document proving an identity or an address (a passport, a utility bill). DIDWW keeps it
    as uploaded: any change makes a new proof, and the old one is deleted."""

    proof_type: str = Field(
        description="DIDWW's name of the kind of document, e.g. Passport; with its entity type where DIDWW repeats "
        "the name, e.g. Business/Other (`catalogue`)."
    )
    identity: LogicalName | None = None
    address: LogicalName | None = None
    files: Documents = Field(description="Scans (PDF, PNG or JPEG), relative to the stack file.")
    external_reference_id: ExternalReferenceId | None = None
    adopt_id: str | None = Field(None, description="Manage this existing proof (its files are taken as declared).")

    @model_validator(mode="after")
    def _one_entity(self) -> Proof:
        if (self.identity is None) == (self.address is None):
            raise ValueError("a proof proves exactly one of `identity` or `address`")
        return self


class PermanentSupportingDocument(Strict):
    """A completed DIDWW form kept with an identity (some countries ask for one once)."""

    identity: LogicalName
    template: str = Field(description="DIDWW's supporting document template, by name (`catalogue`).")
    files: Documents
    external_reference_id: ExternalReferenceId | None = None
    adopt_id: str | None = None


Callback = Literal["get", "post"]


class AddressVerification(Strict):
    """A request to DIDWW's compliance team to register numbers at an address. It is reviewed
    (pending, then approved or rejected); approved, the numbers leave `awaiting_registration`.
    DIDWW keeps verifications: any change submits a new one, and removing the entry forgets it."""

    address: LogicalName
    dids: list[LogicalName] = Field(min_length=1, description="`dids` entries to register at the address.")
    service_description: str | None = Field(None, description="How the numbers are used, where required.")
    onetime_files: Documents | None = Field(None, description="One-time supporting documents, if required.")
    callback_url: str | None = None
    callback_method: Callback | None = None
    external_reference_id: ExternalReferenceId | None = None
    adopt_id: str | None = Field(None, description="Manage this verification, submitted earlier (in the panel).")

    @model_validator(mode="after")
    def _callback_pair(self) -> AddressVerification:
        _check_callback(self.callback_url, self.callback_method)
        return self


class EmergencyCallingService(Strict):
    """Emergency calling for numbers at one address (API 2026-04-16). Made by an emergency
    verification; a changed address submits a new verification for the same service; numbers
    join and leave it in place; removing the entry cancels the service."""

    address: LogicalName
    dids: list[LogicalName] = Field(min_length=1, description="`dids` entries (one city or area, one number type).")
    callback_url: str | None = None
    callback_method: Callback | None = None
    adopt_id: str | None = Field(None, description="Manage this existing calling service.")

    @model_validator(mode="after")
    def _callback_pair(self) -> EmergencyCallingService:
        _check_callback(self.callback_url, self.callback_method)
        return self


def _check_callback(url: str | None, method: str | None) -> None:
    if url is not None and method is None:
        # DIDWW: callback_method is required if callback_url is provided.
        raise ValueError("`callback_url` needs `callback_method` (get or post)")
