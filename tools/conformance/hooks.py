"""Schemathesis hooks of the conformance run (`hooks` in the generated config).

The document is changed only as policy.py lists (before_load_schema; operations listed as not
served are taken out of it, so no check expects them, e.g. in an OPTIONS answer's Allow header:
the run checks them itself); failures are dropped only
for schema-invalid requests refused with an undocumented 4xx (filter_failure), whose body is
still checked (error_document).
"""

from __future__ import annotations

import copy
import re
from typing import Any

import jsonschema
import schemathesis
from schemathesis import Case, CheckContext, HookContext, Response

from .policy import ACCEPTED_STATUSES, NOT_SERVED, PAGE_SIZE_1000, REMOVE, REQUEST_PATCHES, RESPONSE_PATCHES

JSONAPI = "application/vnd.api+json"
ERRORS_DOCUMENT = {"$ref": "#/components/schemas/ErrorsDocument"}
METHODS = ("get", "post", "patch", "delete")
_ALLOWED = re.compile(r"Allowed: (.+?)\.$")


@schemathesis.hook
def before_load_schema(context: HookContext, raw_schema: dict[str, Any]) -> None:
    _accept_listed_statuses(raw_schema)
    _prose_to_schema(raw_schema)
    _page_sizes(raw_schema)
    for pointer, value, _reason in (*REQUEST_PATCHES, *RESPONSE_PATCHES):
        apply_patch(raw_schema, pointer, value)
    for operation in (op for listed in NOT_SERVED.values() for op in listed):
        method, path = operation.split(" ", 1)
        del raw_schema["paths"][path][method.lower()]


def _accept_listed_statuses(raw_schema: dict[str, Any]) -> None:
    """policy.ACCEPTED_STATUSES, each answered with the document's schema for it."""
    for operation, statuses in ACCEPTED_STATUSES.items():
        method, path = operation.split(" ", 1)
        responses = raw_schema["paths"][path][method.lower()]["responses"]
        for status, schema in statuses.items():
            content = {JSONAPI: {"schema": {"$ref": f"#/components/schemas/{schema}"}}}
            responses.setdefault(str(status), {"description": "policy.ACCEPTED_STATUSES", "content": content})


def _prose_to_schema(raw_schema: dict[str, Any]) -> None:
    """What the document says in words, as schema, so that valid requests stay valid for DIDWW
    and anything else is a negative case the emulator must refuse:
    - a sort names a field its description allows ("Allowed: `iso`, `name`."), a filter a name its
      schema lists;
    - an empty include or sort names nothing, which JSON:API servers read as none;
    - a request body has only the attributes and relationships its schema lists (anything else is
      "Param not allowed", 400 code 105, as jsonapi-resources, which DIDWW runs on, answers)."""
    for parameter in raw_schema["components"]["parameters"].values():
        schema = parameter.get("schema", {})
        if parameter["name"] == "sort" and (found := _ALLOWED.search(parameter.get("description", ""))):
            fields = re.findall(r"`([^`]+)`", found.group(1))
            schema["enum"] = ["", *(prefix + f for f in fields for prefix in ("", "-"))]
        if parameter["name"] == "filter" and schema.get("type") == "object":
            schema["additionalProperties"] = False
    for item in raw_schema["paths"].values():
        for method, operation in item.items():
            for parameter in operation.get("parameters", []) if method in METHODS else ():
                if parameter.get("name") == "include" and "enum" in parameter.get("schema", {}):
                    parameter["schema"]["enum"].append("")
    for name, schema in raw_schema["components"]["schemas"].items():
        data = schema.get("properties", {}).get("data", {}).get("properties", {})
        for part in ("attributes", "relationships") if name.endswith("Request") else ():
            if data.get(part, {}).get("type") == "object":
                data[part]["additionalProperties"] = False


def _page_sizes(raw_schema: dict[str, Any]) -> None:
    """policy.PAGE_SIZE_1000: those operations get a page[size] of their own that keeps the
    document's maximum, before REQUEST_PATCHES lowers the shared one."""
    page_size = raw_schema["components"]["parameters"]["PageSize"]
    for operation in PAGE_SIZE_1000:
        method, path = operation.split(" ", 1)
        parameters = raw_schema["paths"].get(path, {}).get(method.lower(), {}).get("parameters", [])
        for index, parameter in enumerate(parameters):
            if parameter.get("$ref") == "#/components/parameters/PageSize":
                parameters[index] = copy.deepcopy(page_size)


def apply_patch(document: dict[str, Any], pointer: str, value: object) -> None:
    """One policy.REQUEST_PATCHES entry: merge a dict into the value at ``pointer``, delete it
    (REMOVE) or set it. Every step must exist: a patch of what the document no longer has fails."""
    *parents, last = [part.replace("~1", "/").replace("~0", "~") for part in pointer.split("/")[1:]]
    node: Any = document
    for part in parents:
        node = node[int(part)] if isinstance(node, list) else node[part]
    key: Any = int(last) if isinstance(node, list) else last
    if value is REMOVE:
        del node[key]
    elif isinstance(value, dict):
        node[key].update(value)
    else:
        node[key] = value


@schemathesis.hook
def before_call(context: HookContext, case: Case[Any], kwargs: dict[str, Any]) -> None:
    """A PATCH names the record of its URL in data.id: JSON:API requires it (DIDWW answers 400,
    code 110, otherwise), which the document's schemas cannot say. Done as the request leaves, so
    the document's own examples get it too."""
    body: Any = case.body
    record_id = (case.path_parameters or {}).get("id")
    data = body.get("data") if isinstance(body, dict) else None
    if case.method.upper() == "PATCH" and isinstance(data, dict) and "id" in data and record_id:
        data["id"] = record_id


@schemathesis.hook
def filter_failure(context: HookContext, failure: Any, case: Case[Any], response: Response) -> bool:
    """A request the document's schemas forbid (negative mode) may be refused with any 4xx: the
    document lists few of DIDWW's 400/404/422 answers. Its body is still checked (error_document),
    and valid requests keep every check."""
    negative = case.meta is not None and case.meta.generation.mode.is_negative
    undocumented = getattr(failure, "code", None) == "ST103"
    return not (negative and undocumented and 400 <= response.status_code < 500)


@schemathesis.check
def error_document(ctx: CheckContext, response: Response, case: Case[Any]) -> bool | None:
    """Every 4xx, documented or not, is a JSON:API errors document that the document's
    ErrorsDocument fits."""
    if not 400 <= response.status_code < 500 or response.request.method == "HEAD":
        return None
    content_type = (response.headers.get("content-type") or [""])[0]
    if content_type.split(";")[0].strip() != JSONAPI:
        raise AssertionError(f"{response.status_code} answered as {content_type!r}, not {JSONAPI}")
    components = case.operation.schema.raw_schema["components"]
    jsonschema.validate(response.json(), {**ERRORS_DOCUMENT, "components": components})
    return None
