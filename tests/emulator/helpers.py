"""Small assertions shared by the emulator tests."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx

from didww_iac.emulator.testing import RunningEmulator

from .fixtures import JSONAPI


def created(client: httpx.Client, path: str, body: dict[str, Any]) -> dict[str, Any]:
    response = client.post(path, json=body)
    assert response.status_code == 201, response.text
    data: dict[str, Any] = response.json()["data"]
    return data


def single_error(response: httpx.Response, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == JSONAPI
    errors = response.json()["errors"]
    assert len(errors) == 1, errors
    error: dict[str, Any] = errors[0]
    return error


def assert_validation_error(response: httpx.Response, pointer: str, detail: str) -> None:
    """DIDWW's 422: title, "name - title" detail, code 100, status "422", source.pointer."""
    assert response.status_code == 422, response.text
    errors = response.json()["errors"]
    match = [e for e in errors if e["source"]["pointer"] == pointer]
    assert match, errors
    error = match[0]
    assert set(error) == {"title", "detail", "code", "source", "status"}
    assert error["detail"] == detail
    assert error["title"] == detail.split(" - ", 1)[1]
    assert (error["code"], error["status"]) == ("100", "422")


def relationship_links(base_url: str, type_name: str, record_id: str, name: str) -> dict[str, str]:
    own = f"{base_url}{type_name}/{record_id}"
    return {"self": f"{own}/relationships/{name}", "related": f"{own}/{name}"}


@dataclass(frozen=True)
class Group:
    """A seeded DID group: its id, its SKUs (cheapest first) and the numbers it has in stock."""

    id: str
    sku_ids: list[str]
    stock: list[dict[str, Any]]


def group(client: httpx.Client, area_name: str) -> Group:
    doc = client.get("did_groups", params={"filter[area_name]": area_name, "include": "stock_keeping_units"})
    data = doc.json()["data"][0]
    skus = [s["id"] for s in data["relationships"]["stock_keeping_units"]["data"]]
    stock = client.get("available_dids", params={"filter[did_group.id]": data["id"]}).json()["data"]
    return Group(data["id"], skus, stock)


def balance(client: httpx.Client) -> str:
    return str(client.get("balance").json()["data"]["attributes"]["balance"])


def tick(emu: RunningEmulator, seconds: float | None = None) -> None:
    body = {} if seconds is None else {"seconds": seconds}
    httpx.post(emu.admin_url + "clock/tick", json=body).raise_for_status()


def set_account(emu: RunningEmulator, **changes: Any) -> None:
    httpx.patch(emu.admin_url + "account", json=changes).raise_for_status()


def ids(doc: dict[str, Any]) -> list[str]:
    return [str(d["id"]) for d in doc["data"]]
