"""Every stack file shipped in stacks/ and examples/ is valid, so docs never rot."""

from __future__ import annotations

from pathlib import Path

import pytest

from didww_iac.stack import load_stack

REPO = Path(__file__).resolve().parents[2]
STACK_FILES = sorted([*REPO.glob("stacks/*.yaml"), *REPO.glob("examples/*/stacks/*.yaml")])


def test_there_are_stack_files_to_check() -> None:
    assert {p.name for p in STACK_FILES} >= {"local.yaml", "dev.yaml", "prod.yaml", "office.yaml"}


@pytest.mark.parametrize("path", STACK_FILES, ids=lambda p: str(p.relative_to(REPO)))
def test_stack_file_is_valid(path: Path) -> None:
    stack = load_stack(path)
    assert stack.voice_in_trunks or stack.voice_in_trunk_groups
