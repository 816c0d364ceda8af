"""An outbound trunk allowed to present an ordered number as CLI, end to end: DIDWW's generated
SIP credentials never reach the state in plain text, and a second run changes nothing."""

from __future__ import annotations

import httpx
import pytest

from tests.e2e.conftest import E2E_API_KEY, Project
from tests.e2e.test_numbers import a_sku

pytestmark = pytest.mark.e2e


def test_outbound_trunk_with_an_ordered_cli(project: Project) -> None:
    sku = a_sku(project)
    project.write_stack(
        "out",
        f"""\
orders:
  one:
    on_delete: release
    items:
      - sku_id: {sku}
        qty: 1
dids:
  cli:
    order: one
voice_out_trunks:
  sbc:
    name: Office SBC
    authentication:
      type: credentials_and_ip
      allowed_sip_ips: ["192.0.2.10/32"]
    threshold_amount: "250.00"
    dids: [cli]
""",
    )
    applied = project.cli("up", "--stack", "out")
    assert applied.returncode == 0, applied.stdout + applied.stderr

    (trunk,) = project.live("voice_out_trunks", include="dids")
    (did,) = project.live("dids")
    assert [d["id"] for d in trunk["relationships"]["dids"]["data"]] == [did["id"]]
    password = trunk["attributes"]["authentication_method"]["attributes"]["password"]
    assert password and password not in project.state_file("out").read_text()
    assert password not in applied.stdout

    again = project.cli("preview", "--stack", "out", "--expect-no-changes")
    assert again.returncode == 0, again.stdout

    assert project.cli("destroy", "--stack", "out").returncode == 0
    assert project.live("voice_out_trunks") == []
    assert httpx.get(project.emulator.base_url + f"dids/{did['id']}", headers={"Api-Key": E2E_API_KEY}).json()["data"][
        "attributes"
    ]["terminated"]
