"""The stack files' JSON Schema: shipped as generated, named by every shipped stack, accepting
each of them and refusing what the loader refuses field by field."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from ruamel.yaml import YAML

from didww_iac.stack.json_schema import MODELINE_PREFIX, SHIPPED, rendered

REPO = Path(__file__).resolve().parents[2]
SHIPPED_STACKS = sorted([*(REPO / "stacks").glob("*.yaml"), *(REPO / "examples").glob("*/stacks/*.yaml")])


def validator() -> jsonschema.Draft202012Validator:
    return jsonschema.Draft202012Validator(json.loads(SHIPPED.read_text()))


def test_the_shipped_schema_is_what_the_models_generate() -> None:
    assert SHIPPED.read_text() == rendered(), "regenerate: didww-iac schema > didww_iac/stack/stack.schema.json"


def test_the_command_prints_the_schema() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "didww_iac.cli", "schema"], capture_output=True, text=True, check=True, timeout=60
    )
    assert json.loads(proc.stdout) == json.loads(rendered())


@pytest.mark.parametrize("path", SHIPPED_STACKS, ids=lambda p: str(p.relative_to(REPO)))
def test_every_shipped_stack_names_the_schema_and_passes_it(path: Path) -> None:
    first = path.read_text().splitlines()[0]
    assert first.startswith(MODELINE_PREFIX), f"{path} lacks the yaml-language-server modeline"
    named = (path.parent / first.removeprefix(MODELINE_PREFIX)).resolve()
    assert named == SHIPPED.resolve()
    errors = [e.message for e in validator().iter_errors(YAML(typ="safe").load(path.read_text()))]
    assert errors == []


def test_enough_stacks_are_checked() -> None:
    assert len(SHIPPED_STACKS) >= 4


@pytest.mark.parametrize(
    ("document", "why"),
    [
        ({"voice_in_trunks": {"pbx": {"name": "PBX", "capacity_limt": 2, "pstn": {"dst": "1"}}}}, "capacity_limt"),
        ({"voice_in_trunk": {}}, "voice_in_trunk"),
        ({"voice_in_trunks": {"PBX": {"name": "PBX", "pstn": {"dst": "1"}}}}, "PBX"),
        ({"voice_in_trunks": {"pbx": {"name": "PBX", "priority": "1", "pstn": {"dst": "1"}}}}, "'1'"),
        ({"dids": {"main": {"number": "1", "on_delete": "explode"}}}, "explode"),
    ],
)
def test_a_misspelt_key_or_wrong_value_is_refused(document: dict[str, Any], why: str) -> None:
    errors = [e.message for e in validator().iter_errors(document)]
    assert errors and any(why in m for m in errors), errors
