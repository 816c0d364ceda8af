"""The schemathesis configuration of a run, written to a temporary file: the checks, the fixed
number of examples and seed, the API key, and the ids seed.py created for paths and bodies."""

from __future__ import annotations

import json
from typing import Any

from .seed import Fixtures

EXAMPLES_PER_OPERATION = 10
SEED = 20260416


def _toml(value: Any) -> str:
    # Strings, numbers, booleans, lists and inline tables: all the config needs (JSON strings are
    # valid TOML basic strings).
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float | str):
        return json.dumps(value)
    if isinstance(value, list):
        return "[" + ", ".join(_toml(v) for v in value) + "]"
    return "{ " + ", ".join(f"{json.dumps(k)} = {_toml(v)}" for k, v in value.items()) + " }"


# Where request bodies name records: relationship -> the type it links to. Bodies draw real ids
# (and the right type) most of the time, so writes get past "is invalid" and their success
# answers are checked too; the rest stay random, which checks the refusals.
TO_ONE = {
    "available_did": "available_dids",
    "pop": "pops",
    "capacity_pool": "capacity_pools",
    "shared_capacity_group": "shared_capacity_groups",
    "voice_in_trunk": "voice_in_trunks",
    "voice_in_trunk_group": "voice_in_trunk_groups",
    "voice_out_trunk": "voice_out_trunks",
    "country": "countries",
    "birth_country": "countries",
    "identity": "identities",
    "address": "addresses",
    # A proof's entity may also be an address; the seeded proof types are for personal identities.
    "entity": "identities",
    "proof_type": "proof_types",
    "template": "supporting_document_templates",
    "address_requirement": "address_requirements",
    "emergency_requirement": "emergency_requirements",
    "emergency_calling_service": "emergency_calling_services",
}
TO_MANY = {
    "voice_in_trunks": "voice_in_trunks",
    "dids": "dids",
    "files": "encrypted_files",
    "onetime_files": "encrypted_files",
}
REAL_ID_PROBABILITY = 0.9


def body_bindings(records: dict[str, list[str]]) -> tuple[dict[str, Any], dict[str, Any]]:
    """Schemathesis dictionaries (name -> values) and the body paths bound to them."""
    dictionaries: dict[str, Any] = {}
    parameters: dict[str, Any] = {}
    links = [(f"{rel}.data", target) for rel, target in TO_ONE.items()]
    links += [(f"{rel}.data[*]", target) for rel, target in TO_MANY.items()]
    for path, target in links:
        for field, values in (("id", records[target]), ("type", [target])):
            dictionaries[f"{target}-{field}"] = {"values": values}
            binding = {"dictionary": f"{target}-{field}", "probability": REAL_ID_PROBABILITY}
            parameters[f"body.data.relationships.{path}.{field}"] = binding
    for name, path in (
        ("stock_keeping_units", "items[*].attributes.sku_id"),
        ("export-from", "filters.from"),
        ("export-to", "filters.to"),
    ):
        dictionaries[name] = {"values": records[name]}
        parameters[f"body.data.attributes.{path}"] = {"dictionary": name, "probability": REAL_ID_PROBABILITY}
    return dictionaries, parameters


def config_text(api_key: str, fixtures: Fixtures, skipped: list[str]) -> str:
    dictionaries, parameters = body_bindings(fixtures.records)
    lines = [
        'hooks = "tools.conformance.hooks"',
        "workers = 1",  # one worker: the order of requests, hence the account's state, is fixed
        f"seed = {SEED}",
        "[generation]",
        f"max-examples = {EXAMPLES_PER_OPERATION}",
        "deterministic = true",
        'mode = "all"',
        'database = "none"',
        "[cache]",
        "enabled = false",  # nothing written into the checkout
        "[checks]",
        # DIDWW validates beyond its schemas (records that exist, stock, unique names, date windows):
        # a valid-looking request may be refused, and status_code_conformance checks it is refused
        # with a documented (or policy-listed) status.
        "positive_data_acceptance.enabled = false",
        "[auth.openapi.api_key]",
        f"api_key = {_toml(api_key)}",
        "[parameters]",
        *(f"{_toml(path)} = {_toml(binding)}" for path, binding in parameters.items()),
        "[dictionaries]",
        *(f"{_toml(name)} = {_toml(values)}" for name, values in dictionaries.items()),
    ]
    for operation_id in skipped:
        lines += ["[[operations]]", f"include-operation-id = {_toml(operation_id)}", "enabled = false"]
    for operation_id, record_id in fixtures.path_ids.items():
        lines += [
            "[[operations]]",
            f"include-operation-id = {_toml(operation_id)}",
            f"parameters = {_toml({'path.id': record_id})}",
        ]
    return "\n".join(lines) + "\n"
