"""examples/gitops/changed-stacks.sh: which stacks a pipeline run is about, from a real history."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.pipelines.ci import GITOPS


def git(root: Path, *args: str) -> str:
    identity = ["-c", "user.name=t", "-c", "user.email=t@example.com", "-c", "init.defaultBranch=main"]
    return subprocess.run(
        ["git", *identity, *args], cwd=root, check=True, capture_output=True, text=True
    ).stdout.strip()


def changed(root: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    base_env = {"PATH": os.environ["PATH"], **env}
    script = root / "examples" / "gitops" / "changed-stacks.sh"
    return subprocess.run(["bash", str(script), *args], env=base_env, capture_output=True, text=True, check=False)


@pytest.fixture
def checkout(tmp_path: Path) -> tuple[Path, str]:
    """stacks/ with dev, prod, qa and local; then a commit that changes dev, adds staging,
    deletes qa, touches local and a file outside stacks/."""
    root = tmp_path / "repo"
    (root / "stacks" / "nested").mkdir(parents=True)
    shutil.copytree(GITOPS, root / "examples" / "gitops")
    for name in ("dev", "prod", "qa", "local"):
        (root / "stacks" / f"{name}.yaml").write_text(f"# {name}\n")
    (root / "stacks" / "nested" / "x.yaml").write_text("# not a stack\n")
    git(root, "init", "-q")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "one")
    base = git(root, "rev-parse", "HEAD")
    (root / "stacks" / "dev.yaml").write_text("# dev, changed\n")
    (root / "stacks" / "staging.yaml").write_text("# staging\n")
    (root / "stacks" / "local.yaml").write_text("# local, changed\n")
    (root / "stacks" / "nested" / "x.yaml").write_text("# changed\n")
    (root / "README").write_text("docs\n")
    (root / "stacks" / "qa.yaml").unlink()
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "two")
    return root, base


def test_lists_the_stacks_a_commit_range_adds_or_changes(checkout: tuple[Path, str]) -> None:
    root, base = checkout
    result = changed(root, DIDWW_IAC_DIFF_BASE=base)
    assert (result.returncode, result.stdout) == (0, "dev\nstaging\n"), result.stderr
    assert changed(root, "--json", DIDWW_IAC_DIFF_BASE=base).stdout == '["dev", "staging"]\n'
    assert changed(root, "--has", "dev", DIDWW_IAC_DIFF_BASE=base).returncode == 0
    assert changed(root, "--has", "prod", DIDWW_IAC_DIFF_BASE=base).returncode == 1
    assert changed(root, "--has", "qa", DIDWW_IAC_DIFF_BASE=base).returncode == 1  # deleted: not applied


def test_nothing_changed_is_an_empty_list(checkout: tuple[Path, str]) -> None:
    root, _ = checkout
    head = git(root, "rev-parse", "HEAD")
    assert changed(root, "--json", DIDWW_IAC_DIFF_BASE=head).stdout == "[]\n"
    assert changed(root, DIDWW_IAC_DIFF_BASE=head).stdout == ""


@pytest.mark.parametrize("base", ["", "0000000000000000000000000000000000000000", "not-a-commit"])
def test_without_a_base_commit_every_stack(checkout: tuple[Path, str], base: str) -> None:
    """A new branch's push (GitHub's `before` is all zeros) or a shallow clone: all but local."""
    root, _ = checkout
    result = changed(root, "--json", DIDWW_IAC_DIFF_BASE=base)
    assert result.stdout == '["dev", "prod", "staging"]\n'
    assert "every stack" in result.stderr


def test_all_and_the_explicit_list(checkout: tuple[Path, str]) -> None:
    root, base = checkout
    assert changed(root, "--all", "--json", DIDWW_IAC_DIFF_BASE=base).stdout == '["dev", "prod", "staging"]\n'
    assert changed(root, "--json", DIDWW_IAC_STACKS="prod  dev prod").stdout == '["dev", "prod"]\n'
    assert changed(root, "--json", DIDWW_IAC_STACKS="").stdout == "[]\n"


@pytest.mark.parametrize("name", ['a"b', "x*", "../etc"])
def test_a_name_that_is_not_plain_is_refused(checkout: tuple[Path, str], name: str) -> None:
    root, _ = checkout
    result = changed(root, "--json", DIDWW_IAC_STACKS=name)
    assert result.returncode == 2
    assert "not a stack name" in result.stderr
    assert json.dumps(name) not in result.stdout
