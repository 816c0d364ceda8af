"""Everything the conformance run holds beyond DIDWW's OpenAPI document, each with its reason.

- NOT_SERVED: operations the emulator does not serve; checked to answer 404 "Route not found" or
  405, so a served operation cannot hide there.
- PENDING: operations of types other changes are adding; left out of the run, printed by it.
- RECORDED_STATUSES: answers the Postman collection records and the document omits; checked
  against the collection.
- REQUEST_PATCHES, PAGE_SIZE_1000: where the request side of the document and the collection
  disagree, the collection wins (and one account feature the document names).
- RESPONSE_PATCHES: where the answers the collection records do not fit the document's schemas,
  the recordings win.
- EMULATOR_CHOICES: refusals neither reference covers, where the emulator had to choose.

The rules that are not lists (sort/filter/include from the document's prose, closed request
bodies, PATCH ids, any 4xx for schema-invalid requests) are in hooks.py.
"""

from __future__ import annotations

# Operations the emulator does not serve: reason -> operations ("METHOD /path" as in the
# document). The run checks each still answers 404 "Route not found" or 405, so nothing served
# can hide here; delete an entry once it is served.
NOT_SERVED: dict[str, tuple[str, ...]] = {
    # regulation.py answers 405: the collection records no update of either.
    "no update endpoint in DIDWW's Postman collection": (
        "PATCH /proofs/{id}",
        "PATCH /permanent_supporting_documents/{id}",
    ),
}

# Operations of types other changes are adding right now (their own seeding and policy entries
# come with them): served, but left out of this run until their owners add them. Printed on every
# run; keep it empty once they are in.
PENDING: dict[str, tuple[str, ...]] = {}

# Answers DIDWW's recorded examples (the 2026-04-16 Postman collection) show that the document does
# not list for the operation: status -> the document's schema the answer must fit. The run checks
# that the collection records each of them.
RECORDED_STATUSES: dict[str, dict[int, str]] = {
    # "... not found" examples: the document lists 404 on 18 operations, DIDWW answers it on all of
    # these too.
    "GET /regions/{id}": {401: "ErrorsDocument", 404: "ErrorsDocument"},
    "GET /cities/{id}": {404: "ErrorsDocument"},
    "GET /did_group_types/{id}": {404: "ErrorsDocument"},
    "GET /available_dids/{id}": {404: "ErrorsDocument"},
    "GET /did_reservations/{id}": {404: "ErrorsDocument"},
    "GET /shared_capacity_groups/{id}": {404: "ErrorsDocument"},
    "DELETE /shared_capacity_groups/{id}": {404: "ErrorsDocument"},
    "GET /voice_in_trunk_groups/{id}": {404: "ErrorsDocument"},
    "PATCH /voice_in_trunk_groups/{id}": {404: "ErrorsDocument"},
    "DELETE /voice_in_trunk_groups/{id}": {404: "ErrorsDocument"},
    "DELETE /voice_out_trunks/{id}": {404: "ErrorsDocument"},
    # "Update Capacity Pool" records 200 (the pool) and 404; the document lists only 422.
    "PATCH /capacity_pools/{id}": {200: "CapacityPoolDocument", 404: "ErrorsDocument"},
    # Validation errors recorded ("... 422") where the document lists success only.
    "POST /voice_in_trunk_groups": {422: "ErrorsDocument"},
    "PATCH /voice_in_trunks/{id}": {422: "ErrorsDocument"},
    "PATCH /voice_out_trunks/{id}": {422: "ErrorsDocument"},
    # Regulation and emergency: the "... 404 Not Found" examples of deletes (a second DELETE of
    # the same record finds nothing).
    "DELETE /identities/{id}": {404: "ErrorsDocument"},
    "DELETE /addresses/{id}": {404: "ErrorsDocument"},
    "DELETE /encrypted_files/{id}": {404: "ErrorsDocument"},
    "DELETE /proofs/{id}": {404: "ErrorsDocument"},
    "DELETE /permanent_supporting_documents/{id}": {404: "ErrorsDocument"},
    "DELETE /emergency_calling_services/{id}": {404: "ErrorsDocument"},
    # "Create Address: 422 (Invalid country.id Input)", "Create Permanent Supporting Document: 422
    # (Validation Error)"; the document lists 201 only.
    "POST /addresses": {422: "ErrorsDocument"},
    "POST /permanent_supporting_documents": {422: "ErrorsDocument"},
    # "Create Encrypted File: 400 Bad Request (Invalid Params)": a form without the fields.
    "POST /encrypted_files": {400: "ErrorsDocument"},
}

# Where the request side of the document and the collection disagree, the collection wins:
# (JSON pointer into the document, the value there instead, why). A dict is merged into what is
# there, REMOVE deletes it; a pointer that no longer resolves fails the run.
REMOVE = object()


def member(schema: str, path: str) -> str:
    """The pointer to ``data.<path>`` ("attributes.name") of a request body schema."""
    return f"/components/schemas/{schema}/properties/data/properties/" + "/properties/".join(path.split("."))


_OUT_CREATE = "/components/schemas/VoiceOutTrunkCreateRequest/properties/data/properties/attributes"
_OUT_UPDATE = "/components/schemas/VoiceOutTrunkUpdateRequest/properties/data/properties/attributes"
_NOT_NULL = {"nullable": False}
_EXPORT_TIME = {"type": "string", "pattern": r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$"}
REQUEST_PATCHES: list[tuple[str, object, str]] = [
    (
        "/components/parameters/PageSize/schema/maximum",
        100,
        "Specification > Pagination: maximum page size is 100 unless an endpoint says otherwise",
    ),
    (
        "/components/parameters/AvailableDidSort/schema/enum",
        [""],
        "Get Available DIDs: sorting is disabled, so no field may be named (the document allows number)",
    ),
    (
        member("VoiceInTrunkGroupCreateRequest", "attributes.capacity_limit"),
        _NOT_NULL,
        "Create Voice In Trunk Group: capacity_limit (integer, NOT nullable, optional)",
    ),
    (
        member("VoiceInTrunkGroupUpdateRequest", "attributes.capacity_limit"),
        _NOT_NULL,
        "Update Voice In Trunk Group: capacity_limit (integer, NOT nullable, optional)",
    ),
    (
        member("SharedCapacityGroupCreateRequest", "attributes"),
        {"required": ["name", "shared_channels_count", "metered_channels_count"]},
        "Create Shared Capacity Groups: name, shared_channels_count, metered_channels_count are required",
    ),
    *(
        (member(schema, "attributes.metered_channels_count"), _NOT_NULL, f"{name}: metered_channels_count NOT nullable")
        for schema, name in (
            ("SharedCapacityGroupCreateRequest", "Create Shared Capacity Groups"),
            ("SharedCapacityGroupUpdateRequest", "Update Shared Capacity Groups"),
        )
    ),
    (
        member("DidUpdateRequest", "relationships.address_verification"),
        REMOVE,
        "Update DID: no address_verification relationship (address verifications set it)",
    ),
    *(
        (member(schema, "attributes.cli_format"), _NOT_NULL, f"{name} SIP Trunk: cli_format (string, required)")
        for schema, name in (("VoiceInTrunkCreateRequest", "Create"), ("VoiceInTrunkUpdateRequest", "Update"))
    ),
    (
        member("OrderCreateRequest", "attributes.items") + "/items/anyOf/0/properties/attributes",
        {"required": ["sku_id"]},
        "Create DID order: sku_id (string, required)",
    ),
    *(
        (member(schema, "attributes.callback_url"), {"pattern": r"^https?://\S+$"}, "callback_url: an HTTP(S) URL")
        for schema in ("OrderCreateRequest", "ExportCreateRequest")
    ),
    (
        member("ExportCreateRequest", "attributes.filters"),
        {"required": ["from", "to"], "properties": {"from": _EXPORT_TIME, "to": _EXPORT_TIME}},
        "Create CDR In/Out Export: from, to (string, NOT nullable, required), YYYY-MM-DD HH:MM:SS",
    ),
    # Twilio and credentials_and_ip first: removing ip_only (index 1) shifts the list.
    *(
        patch
        for base, verb in ((_OUT_CREATE, "Create"), (_OUT_UPDATE, "Update"))
        for patch in (
            (
                f"{base}/properties/authentication_method/anyOf/2/properties/attributes",
                {"required": ["twilio_account_sid"]},
                f"{verb} Voice OUT Trunk: twilio_account_sid is required for twilio",
            ),
            (
                f"{base}/properties/authentication_method/anyOf/0/properties/attributes",
                {"required": ["allowed_sip_ips"]},
                f"{verb} Voice OUT Trunk: allowed_sip_ips is required for credentials_and_ip",
            ),
            (
                f"{base}/properties/authentication_method/anyOf/0/properties/attributes/properties/allowed_sip_ips",
                _NOT_NULL,
                f"{verb} Voice OUT Trunk: allowed_sip_ips is required for credentials_and_ip",
            ),
            (
                f"{base}/properties/authentication_method/anyOf/1",
                REMOVE,
                f"{verb} Voice OUT Trunk: ip_only is not allowed for {verb.lower()}",
            ),
        )
    ),
    # "Create Business Identity" sends "birth_date": "string" and is answered 201 (birth_date null):
    # DIDWW takes any text there, so it is no negative case.
    *(
        (member(schema, "attributes.birth_date") + "/format", REMOVE, f"{name}: birth_date any text (recorded)")
        for schema, name in (("IdentityCreateRequest", "Create Identity"), ("IdentityUpdateRequest", "Update Identity"))
    ),
    # "Get Public Keys" is recorded with no Api-Key header (auth noauth), as DIDWW's SDKs fetch the
    # keys: the key is optional there, not required (a request with one is still answered).
    (
        "/paths/~1public_keys/get/security",
        [{}, {"api_key": []}],
        "Get Public Keys: sent without an API key",
    ),
    # The document's own words, about an account: "Only accepted on accounts with the replace_cli
    # feature", which an emulated account does not have.
    *(
        (member(schema, "relationships.default_did"), REMOVE, "default_did needs the replace_cli account feature")
        for schema in ("VoiceOutTrunkCreateRequest", "VoiceOutTrunkUpdateRequest")
    ),
]
# Where DIDWW's recorded answers do not fit the document's response schemas, the recordings win
# (same form as REQUEST_PATCHES).
_EMERGENCY_REQUIREMENT = "/components/schemas/EmergencyRequirement/properties"
RESPONSE_PATCHES: list[tuple[str, object, str]] = [
    (
        f"{_EMERGENCY_REQUIREMENT}/meta/properties/setup_price",
        {"type": "string"},
        'Get Emergency Requirements: meta.setup_price "0.00", a decimal string like monthly_price (not 0)',
    ),
    *(
        (
            f"{_EMERGENCY_REQUIREMENT}/attributes/properties/{level}",
            {"nullable": True},
            f"Get Emergency Requirements: {level} null where that kind of identity is not accepted",
        )
        for level in ("personal_area_level", "business_area_level")
    ),
]

# Endpoints that say otherwise ("Maximum page size is 1000"): their page[size] keeps the document's.
PAGE_SIZE_1000 = ("GET /cities", "GET /areas")

# Answers neither the document nor the recordings cover, where the emulator had to choose; each
# is DIDWW's usual answer to that kind of refusal elsewhere in the recordings.
EMULATOR_CHOICES: dict[str, dict[int, str]] = {
    # An order that is no longer pending cannot be canceled ("Cancels Pending Order"): refused
    # like any rule on an attribute, 422 on /data/attributes/status.
    "DELETE /orders/{id}": {422: "ErrorsDocument"},
    # Items the document's prose forbids ("sku_id plus exactly one of qty, did_reservation_id or
    # available_did_id", a callback URL): 422 on the item, as DIDWW refuses items elsewhere.
    "POST /orders": {422: "ErrorsDocument"},
    # Updates naming records that do not exist: refused as the recorded creates refuse them
    # ("capacity_pool - is invalid", "trunk_ids - are invalid", 422).
    "PATCH /shared_capacity_groups/{id}": {422: "ErrorsDocument"},
    "PATCH /voice_in_trunk_groups/{id}": {422: "ErrorsDocument"},
    # The same for an identity's country or birth_country (the document's own example names a
    # country that does not exist): "country - is invalid", as "Create Address" refuses it.
    "PATCH /identities/{id}": {422: "ErrorsDocument"},
    # A service that cannot be canceled (canceled already): "Cancellation is allowed when current
    # status is new, changes_required, active, pending_update", refused at /data with 422 as the
    # recorded emergency verification errors are.
    "DELETE /emergency_calling_services/{id}": {422: "ErrorsDocument"},
}

ACCEPTED_STATUSES: dict[str, dict[int, str]] = {
    op: {**RECORDED_STATUSES.get(op, {}), **EMULATOR_CHOICES.get(op, {})}
    for op in {**RECORDED_STATUSES, **EMULATOR_CHOICES}
}
