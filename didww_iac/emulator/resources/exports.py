"""exports: asynchronous CDR exports (2026-04-16 shape; older versions are not emulated).

POST queues an export ``pending``; it completes on the account's order delay (or an admin clock
tick) and then has a ``url`` to download, ``GET /v3/exports/<id>.csv.gz``: a gzipped CSV with the
recorded columns of its type and no rows, since the emulator places no calls. ``filters.from``
and ``filters.to`` ("YYYY-MM-DD HH:MM:SS") must fall within the current or the two preceding
months, ``from`` before ``to``, neither in the future (DIDWW's OpenAPI document); a failure is a
422 on ``/data/attributes/filters`` worded as recorded ("filters - from not valid"). PATCH
changes ``external_reference_id`` only.
"""

from __future__ import annotations

import gzip
from datetime import UTC, datetime
from typing import Any

from didww_iac.emulator import errors
from didww_iac.emulator.behaviour import AccountOps, AccountView, Behaviour, Download
from didww_iac.emulator.clock import add_months
from didww_iac.emulator.errors import FieldError
from didww_iac.emulator.resources.common import V2026, created_at, external_reference_id
from didww_iac.emulator.schema import Attr, Filter, Record, ResourceType

SUFFIX = ".csv.gz"
_FORMAT = "%Y-%m-%d %H:%M:%S"
_POINTER = "/data/attributes/filters"
# The column headers of the recorded "Get CSV File of Export" answers.
COLUMNS = {
    "cdr_in": (
        "Date/Time Start (UTC),Date/Time Connect (UTC),Date/Time End (UTC),Status,Source,Source Name,"
        "Destination DID,Duration (sec),Attempt,Disconnect Code,Response,Disconnect Initiator,Voice IN Trunk,"
        "Destination,Trunk Group,Capacity Group,Toll-free (USD),PSTN (USD),Metered (USD),CNAM IN (USD),"
        "Total (USD),Call ID"
    ),
    "cdr_out": (
        "Date/Time Start (UTC),Date/Time Connect (UTC),Date/Time End (UTC),Status,Source,CLI,Destination Number,"
        "Call Duration (sec),Billing Duration (sec),Disconnect Code,Disconnect Reason,Voice OUT Trunk,"
        "Destination Country,Network,Call Type,Rate (USD),Charged (USD),P-Charge-Info,Call ID"
    ),
}


def _problem(message: str) -> list[FieldError]:
    return [FieldError(_POINTER, "filters", message)]


def check_filters(filters: Any, now: float) -> list[FieldError]:
    if not isinstance(filters, dict):
        return _problem("is invalid")
    moments: dict[str, datetime] = {}
    for name in ("from", "to"):
        try:
            moments[name] = datetime.strptime(str(filters.get(name)), _FORMAT).replace(tzinfo=UTC)
        except ValueError:
            return _problem(f"{name} not valid")
    current = datetime.fromtimestamp(now, UTC)
    earliest = add_months(current.date().replace(day=1), -2)
    for name, moment in moments.items():
        if moment.date() < earliest:
            return _problem(f"{name} must be within the current and 2 previous months")
        if moment > current:
            return _problem(f"{name} must not be in the future")
    if moments["from"] >= moments["to"]:
        return _problem("from must be before to")
    return []


class ExportBehaviour(Behaviour):
    forced_by_tick = True
    # Stored as a path under /v3, rendered absolute against the URL the request came to.
    api_paths = ("url",)

    def before_create(self, ops: AccountOps, record: Record, version: str) -> None:
        # Here rather than in validate: the date range is checked against the account's clock.
        problems = check_filters(record.attributes.get("filters"), ops.now())
        if problems:
            raise errors.validation_error(problems)
        record.internal["due"] = ops.now() + ops.settings.order_delay

    def after_create(self, ops: AccountOps, record: Record) -> None:
        ops.schedule(record, float(record.internal["due"]))

    def due(self, record: Record) -> float | None:
        pending = record.attributes.get("status") == "pending"
        return float(record.internal["due"]) if pending and "due" in record.internal else None

    def on_timer(self, ops: AccountOps, record: Record) -> None:
        if record.attributes.get("status") == "pending":
            record.attributes |= {"status": "completed", "url": f"exports/{record.id}{SUFFIX}"}
            ops.save(record)

    def download(self, account: AccountView, name: str) -> Download | None:
        if not name.endswith(SUFFIX):
            return None
        export = account.find("exports", name.removesuffix(SUFFIX))
        if export is None or export.attributes.get("status") != "completed":
            return None
        csv = COLUMNS.get(str(export.attributes.get("export_type")), "") + "\n"
        # The recorded answer says text/csv; the body is the .csv.gz file itself.
        return Download(gzip.compress(csv.encode(), mtime=0), "text/csv", name)


EXPORTS = ResourceType(
    name="exports",
    attributes=(
        Attr("status", writable=False, default="pending"),
        created_at(),
        Attr("url", writable=False),
        Attr("callback_url", pattern=r"https?://\S+", create_only=True),
        Attr("callback_method", choices=("get", "post"), create_only=True),
        Attr("export_type", required=True, nullable=False, choices=tuple(COLUMNS), create_only=True),
        external_reference_id(nullable=False),
        Attr("filters", kind="json", required=True, nullable=False, create_only=True),
    ),
    filters=(Filter("external_reference_id", "external_reference_id"),),
    sorts=("created_at", "external_reference_id", "status"),
    operations=frozenset({"list", "show", "create", "update"}),
    since=V2026,
    behaviour=ExportBehaviour(),
)
