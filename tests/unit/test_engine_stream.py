"""Reading `pulumi up --json` as it comes: the indented plan document, then one event per line."""

from __future__ import annotations

import json

from didww_iac.engine_stream import documents, progress_line

TRUNK_URN = "urn:pulumi:prod::didww-iac::pulumi-python:dynamic/didww:VoiceInTrunk::pbx"


def test_the_plan_and_each_event_come_out_whole_and_in_order() -> None:
    plan = {"steps": [{"op": "update", "urn": TRUNK_URN, "newState": {"inputs": {"name": "}"}}}], "diagnostics": []}
    events = [
        {"sequence": 1, "resourcePreEvent": {"metadata": {"op": "update", "urn": TRUNK_URN}}},
        {"sequence": 2, "resOutputsEvent": {"metadata": {"op": "update", "urn": TRUNK_URN}}},
        {"sequence": 3, "summaryEvent": {"resourceChanges": {"update": 1}}},
    ]
    text = json.dumps(plan, indent=4) + "\n" + "".join(json.dumps(e) + "\n" for e in events)
    found = list(documents(text.splitlines(keepends=True)))
    assert found == [plan, *events]


def test_a_finished_step_and_a_refusal_read_as_one_line_each() -> None:
    done = {"resOutputsEvent": {"metadata": {"op": "create", "urn": TRUNK_URN}}}
    assert progress_line(done) == "  created voice_in_trunks.pbx"
    same = {"resOutputsEvent": {"metadata": {"op": "same", "urn": TRUNK_URN}}}
    assert progress_line(same) is None
    ours = "stacks/prod.yaml:9: voice_in_trunks.pbx.sip.port: is invalid"
    refusal = {"diagnosticEvent": {"severity": "error", "message": f"\x1b[31m{ours}\x1b[0m\n", "urn": TRUNK_URN}}
    assert progress_line(refusal) == f"error: {ours}"
    other = {"diagnosticEvent": {"severity": "error", "message": "update failed", "urn": TRUNK_URN}}
    assert progress_line(other) == "error: voice_in_trunks.pbx: update failed"
    debug = {"diagnosticEvent": {"severity": "debug", "message": "registering resource"}}
    assert progress_line(debug) is None
