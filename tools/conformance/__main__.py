"""`python -m tools.conformance`: property-based conformance of the emulator to DIDWW's OpenAPI document.

Starts an emulator on loopback, creates objects through the API (seed.py), checks that the
operations listed as not served really are not (policy.py), then runs schemathesis (`st run`, in
its own process so it and the emulator each get a core) over every other operation of the
document. Exits non-zero when the document is missing or on any violation.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tempfile
import uuid
from pathlib import Path
from typing import Any

import httpx
import jsonschema

from didww_iac.emulator.testing import running_emulator

from .config import config_text
from .policy import NOT_SERVED, PENDING, RECORDED_STATUSES
from .seed import JSONAPI, seed

ROOT = Path(__file__).resolve().parents[2]
# DIDWW's references, kept beside the checkout (never copied into it).
REFERENCE = Path("../shared/reference")
DOCUMENT_NAME = "didww-api3-2026-04-16.openapi.json"
# Its recorded examples: where they and the document disagree, they win (policy.py).
COLLECTION_NAME = "didww-api3-2026-04-16.postman_collection.json"
REPORTS = ROOT / ".state" / "conformance"


def _cloned_from() -> Path | None:
    """The repository this checkout was cloned from, when that is a folder on this machine."""
    try:
        url = subprocess.run(
            ["git", "-C", str(ROOT), "config", "--get", "remote.origin.url"],
            capture_output=True,
            text=True,
            check=False,
        ).stdout.strip()
    except OSError:
        return None
    path = Path(url.removeprefix("file://"))
    return path if url and path.is_absolute() and path.is_dir() else None


def reference_dir() -> Path:
    """`../shared/reference/` beside the checkout; for a clone of a checkout on this machine (a CI
    clone in a temporary folder), beside the checkout it was cloned from."""
    places = [ROOT / REFERENCE]
    origin = _cloned_from()
    if origin is not None:
        places.append(origin / REFERENCE)
    for place in places:
        if (place / DOCUMENT_NAME).is_file():
            return place
    looked = ", ".join(str(p.resolve() / DOCUMENT_NAME) for p in places)
    sys.exit(
        f"conformance: DIDWW's OpenAPI document is missing: expected {REFERENCE / DOCUMENT_NAME} "
        f"beside the checkout (looked for {looked})"
    )


def load_document() -> dict[str, Any]:
    document: dict[str, Any] = json.loads((reference_dir() / DOCUMENT_NAME).read_text())
    return document


def operations(document: dict[str, Any]) -> dict[str, str]:
    """ "METHOD /path" -> operationId, for every operation of the document."""
    return {
        f"{method.upper()} {path}": op["operationId"]
        for path, item in document["paths"].items()
        for method, op in item.items()
        if method in ("get", "post", "patch", "delete")
    }


def recorded_statuses(collection: Path) -> dict[str, set[int]]:
    """ "METHOD /path" -> the statuses the Postman collection records for it."""
    found: dict[str, set[int]] = {}

    def walk(items: list[dict[str, Any]]) -> None:
        for item in items:
            if "item" in item:
                walk(item["item"])
                continue
            request = item["request"]
            path = re.sub(r":\w+", "{id}", request["url"]["raw"].split("/v3", 1)[1].split("?")[0])
            found.setdefault(f"{request['method']} {path}", set()).update(r["code"] for r in item.get("response", []))

    walk(json.loads(collection.read_text())["item"])
    return found


def check_recorded(collection: Path) -> list[str]:
    """Every policy.RECORDED_STATUSES entry must be recorded in the collection."""
    if not collection.is_file():
        print(f"conformance: {collection} is missing, RECORDED_STATUSES are not checked against it", file=sys.stderr)
        return []
    recorded = recorded_statuses(collection)
    return [
        f"{operation}: {status} is in policy.RECORDED_STATUSES but the collection records no such answer"
        for operation, statuses in RECORDED_STATUSES.items()
        for status in statuses
        if status not in recorded.get(operation, set())
    ]


def check_not_served(client: httpx.Client, document: dict[str, Any], known: dict[str, str]) -> list[str]:
    """Problems with NOT_SERVED: unknown operations, or operations the emulator now serves.

    Not served means 404 "Route not found" or 405, with a body the document's ErrorsDocument fits;
    a 404 "Record not found" means the type exists, so it counts as served."""
    errors_document = {**document["components"]["schemas"]["ErrorsDocument"], "components": document["components"]}
    problems = []
    for reason, listed in NOT_SERVED.items():
        for operation in listed:
            if operation not in known:
                problems.append(f"{operation}: listed as not served but not in the document")
                continue
            method, path = operation.split(" ", 1)
            body = {"data": {"type": path.split("/")[1], "attributes": {}}}
            response = client.request(
                method,
                path.lstrip("/").replace("{id}", str(uuid.uuid4())),
                json=body if method in ("POST", "PATCH") else None,
            )
            try:
                jsonschema.validate(response.json(), errors_document)
                titles = {e.get("title") for e in response.json()["errors"]}
            except (ValueError, jsonschema.ValidationError):
                titles = set()
            if not (response.status_code == 405 or (response.status_code == 404 and "Route not found" in titles)):
                problems.append(
                    f"{operation}: listed as not served ({reason}) but answers {response.status_code}: "
                    "remove it from policy.NOT_SERVED"
                )
    return problems


def main() -> int:
    document = load_document()
    known = operations(document)
    not_served = [op for listed in NOT_SERVED.values() for op in listed]
    pending = [op for listed in PENDING.values() for op in listed]
    problems = [f"{op}: in policy.PENDING but not in the document" for op in pending if op not in known]
    # Not-served operations are taken out of the document by hooks.py, so only pending ones are
    # disabled here.
    skipped = [known[op] for op in pending if op in known]
    # No rate limit (429 is not what this run is about); orders and reviews stay pending until
    # seed.py completes or decides them (nothing changes with the wall clock mid-run); a balance no
    # fuzzed order can exhaust.
    with running_emulator(rate_limit=None, order_delay=3600, review_delay=3600, balance="1000000.00") as emu:
        headers = {"Api-Key": emu.api_key, "Accept": JSONAPI, "Content-Type": JSONAPI}
        with httpx.Client(base_url=emu.base_url, headers=headers, timeout=10) as client:
            fixtures = seed(client, emu.admin_url)
            problems += check_not_served(client, document, known) + check_recorded(reference_dir() / COLLECTION_NAME)
        for problem in problems:
            print(f"conformance: {problem}", file=sys.stderr)
        with tempfile.TemporaryDirectory(prefix="conformance-") as tmp:
            config = Path(tmp, "schemathesis.toml")
            config.write_text(config_text(emu.api_key, fixtures, skipped))
            command = [
                str(Path(sys.executable).with_name("st")),
                "--config-file",
                str(config),
                "run",
                str(reference_dir() / DOCUMENT_NAME),
                "--url",
                emu.base_url.rstrip("/"),
                # A HAR of every exchange and a JUnit file, for reading a failure after the run.
                "--report",
                "har,junit",
                "--report-har-path",
                str(REPORTS / "exchanges.har"),
                "--report-junit-path",
                str(REPORTS / "junit.xml"),
            ]
            print(
                f"conformance: testing {len(known) - len(skipped) - len(not_served)} of {len(known)} operations; "
                f"{len(not_served)} not served, {len(pending)} pending (policy.PENDING):",
                flush=True,
            )
            for owner, listed in PENDING.items():
                print(f"  pending, {owner}: {', '.join(listed)}", flush=True)
            result = subprocess.run(command, cwd=ROOT, env={**os.environ, "NO_COLOR": "1"}, check=False)
    return 1 if problems or result.returncode else 0


if __name__ == "__main__":
    sys.exit(main())
