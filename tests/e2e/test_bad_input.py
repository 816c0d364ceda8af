"""Bad input stops the command with file and line before any API call."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import Project

pytestmark = pytest.mark.e2e


def assert_refused(project: Project, stack: str, expected: str) -> None:
    proc = project.cli("up", "--stack", stack)
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert expected in " ".join(proc.stderr.split()), proc.stderr
    assert project.api_requests() == []


def test_missing_stack_file(project: Project) -> None:
    assert_refused(project, "nowhere", "stacks/nowhere.yaml: no such stack file")


def test_yaml_syntax_error(project: Project) -> None:
    project.write_stack("broken", "voice_in_trunks:\n  pbx: {name: PBX\n")
    assert_refused(project, "broken", "stacks/broken.yaml:6: YAML syntax error")


def test_unknown_field(project: Project) -> None:
    project.write_stack("typo", "voice_in_trunks:\n  pbx:\n    name: PBX\n    capacty_limit: 3\n    pstn: {dst: '1'}\n")
    assert_refused(project, "typo", "stacks/typo.yaml:7: voice_in_trunks.pbx.capacty_limit: unknown field")
