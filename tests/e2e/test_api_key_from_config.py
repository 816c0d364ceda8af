"""The API key set as a Pulumi secret reaches the provider through configure(), and is stored
only encrypted: never in the stack config file in plain text, never in state."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import E2E_API_KEY, Project

pytestmark = pytest.mark.e2e

STACK = """\
voice_in_trunk_groups:
  solo:
    name: Solo
"""


def test_secret_config_key_is_used_and_never_stored_in_plain_text(project: Project) -> None:
    project.write_stack("cfg", STACK)
    set_key = project.cli(
        "pulumi",
        "--stack",
        "cfg",
        "--",
        "config",
        "set",
        "--secret",
        "didww:apiKey",
        E2E_API_KEY,
        key_in_env=False,
    )
    assert set_key.returncode == 0, set_key.stderr

    applied = project.cli("up", "--stack", "cfg", key_in_env=False)
    assert applied.returncode == 0, applied.stdout + applied.stderr
    assert [g["attributes"]["name"] for g in project.live("voice_in_trunk_groups")] == ["Solo"]

    config_file = (project.root / "Pulumi.cfg.yaml").read_text()
    assert "didww:apiKey" in config_file and "secure:" in config_file
    assert E2E_API_KEY not in config_file
    assert E2E_API_KEY not in project.state_file("cfg").read_text()
    assert E2E_API_KEY not in applied.stdout + applied.stderr


def test_a_wrong_key_fails_with_an_authentication_error_that_does_not_echo_it(project: Project) -> None:
    project.write_stack("badkey", STACK)
    wrong = "wrong-key-0123456789abcdef"
    set_key = project.cli(
        "pulumi",
        "--stack",
        "badkey",
        "--",
        "config",
        "set",
        "--secret",
        "didww:apiKey",
        wrong,
        key_in_env=False,
    )
    assert set_key.returncode == 0, set_key.stderr
    applied = project.cli("up", "--stack", "badkey", key_in_env=False)
    assert applied.returncode == 1
    # Refused by the preflight, before the engine plans anything.
    assert "401" in applied.stderr and "check the DIDWW API key" in applied.stderr
    assert "Traceback" not in applied.stdout + applied.stderr
    assert wrong not in applied.stdout + applied.stderr
    assert project.live("voice_in_trunk_groups") == []
