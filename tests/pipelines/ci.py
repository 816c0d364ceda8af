"""Stand-ins for the two CI systems, enough to run the jobs of examples/gitops/ on this machine.

They run a job's own commands (GitHub's `run:` steps, GitLab's `script:` lines) the way the
runner does (the same shell and flags, one script per step or one per job, `if:` of a step,
`after_script:` after a failure), with CI-provided values (GITHUB_STEP_SUMMARY, CI_* variables,
secrets) given by the test. What belongs to the CI system itself (`uses:` actions: checkout,
set-up, caches, artifact upload) is not run; nor is `make setup`, which the suite's own checkout
has done (the copies share its .venv and tools/bin)."""

from __future__ import annotations

import os
import re
import subprocess
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

from ruamel.yaml import YAML

GITOPS = Path(__file__).resolve().parents[2] / "examples" / "gitops"
STEP_TIMEOUT = 600

# What a job's own commands may take from the machine running the test.
_PASSED_THROUGH = ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR", "GOPATH", "GOCACHE", "GOMODCACHE")


def load_yaml(path: Path) -> dict[str, Any]:
    return cast(dict[str, Any], YAML(typ="safe").load(path.read_text()))


def machine_env(project: Path) -> dict[str, str]:
    env = {k: os.environ[k] for k in _PASSED_THROUGH if k in os.environ}
    env["XDG_CACHE_HOME"] = str(project / ".cache")  # the tool's own caches, apart from the suite's
    env["CI"] = "true"
    return env


def run_script(command: list[str], cwd: Path, env: Mapping[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        command,
        cwd=cwd,
        env=dict(env),
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=STEP_TIMEOUT,
        check=False,
    )


# --- GitHub Actions -------------------------------------------------------------------------

EXPRESSION = re.compile(r"\$\{\{\s*(.*?)\s*\}\}")
# The shell GitHub runs a `run:` step with on Linux: `shell: bash`, or the default without it.
GITHUB_SHELLS = {
    "bash": ["bash", "--noprofile", "--norc", "-eo", "pipefail"],
    None: ["bash", "-e"],
}


@dataclass
class StepRun:
    name: str
    skipped: bool
    returncode: int = 0
    stdout: str = ""
    stderr: str = ""
    summary: str = ""
    outputs: dict[str, str] = field(default_factory=dict)


@dataclass
class GitHubJobRun:
    job: str
    steps: list[StepRun]
    outputs: dict[str, str]

    @property
    def failed(self) -> bool:
        return any(s.returncode != 0 for s in self.steps)

    @property
    def summary(self) -> str:
        """The job summary: GitHub joins the steps' GITHUB_STEP_SUMMARY files."""
        return "".join(s.summary for s in self.steps)

    def step(self, name: str) -> StepRun:
        return next(s for s in self.steps if s.name == name)

    def log(self) -> str:
        return "\n".join(f"--- {s.name} (exit {s.returncode}):\n{s.stdout}{s.stderr}" for s in self.steps)


def _parse_github_file(text: str) -> dict[str, str]:
    """GITHUB_OUTPUT lines: `name=value`, or `name<<DELIM` ... `DELIM`."""
    values: dict[str, str] = {}
    lines = iter(text.splitlines())
    for line in lines:
        if "<<" in line and ("=" not in line or line.index("<<") < line.index("=")):
            name, delimiter = line.split("<<", 1)
            body = []
            for inner in lines:
                if inner == delimiter:
                    break
                body.append(inner)
            values[name] = "\n".join(body)
        elif "=" in line:
            name, value = line.split("=", 1)
            values[name] = value
    return values


def _step_condition(step: Mapping[str, Any]) -> str:
    condition = str(step.get("if", "success()")).strip()
    match = EXPRESSION.fullmatch(condition)
    return (match.group(1) if match else condition).replace(" ", "")


class GitHubWorkflow:
    def __init__(self, path: Path = GITOPS / "github-actions.yml") -> None:
        self.path = path
        self.doc = load_yaml(path)

    def job(self, name: str) -> dict[str, Any]:
        return cast(dict[str, Any], self.doc["jobs"][name])

    def _env(self, levels: list[Mapping[str, Any]], values: Mapping[str, str]) -> dict[str, str]:
        """`env:` of the workflow, the job and the step; a value that is an expression takes the
        test's stand-in for that variable (a secret, the matrix's stack, the event's base)."""
        env: dict[str, str] = {}
        for level in levels:
            for key, value in (level or {}).items():
                if isinstance(value, str) and EXPRESSION.search(value):
                    if key not in values:
                        raise AssertionError(f"{self.path.name}: no stand-in for env {key}: {value}")
                    env[key] = values[key]
                else:
                    env[key] = str(value)
        return env

    def run_job(self, name: str, project: Path, event: str, values: Mapping[str, str]) -> GitHubJobRun:
        job = self.job(name)
        shell_default = (job.get("defaults") or self.doc.get("defaults") or {}).get("run", {}).get("shell")
        steps: list[StepRun] = []
        failed = False
        for index, step in enumerate(job["steps"]):
            step_name = str(step.get("name") or step.get("id") or step.get("run") or step.get("uses"))
            condition = _step_condition(step)
            if condition not in {"success()", "always()", "!cancelled()", "failure()"}:
                raise AssertionError(f"{name}: step {step_name}: a condition this stand-in cannot judge: {condition}")
            wanted = condition in {"always()", "!cancelled()"} or (condition == "failure()") == failed
            if "run" not in step or str(step["run"]).strip() == "make setup" or not wanted:
                steps.append(StepRun(step_name, skipped=True))
                continue
            # The runner's own files live outside the checkout, as on GitHub.
            work = Path(tempfile.mkdtemp(prefix=f"github-{name}-{index}-", dir=project.parent))
            summary, output = work / "summary.md", work / "output"
            summary.touch()
            output.touch()
            script = work / "script.sh"
            script.write_text(str(step["run"]))
            env = machine_env(project)
            env.update(
                GITHUB_ACTIONS="true",
                GITHUB_EVENT_NAME=event,
                GITHUB_WORKSPACE=str(project),
                GITHUB_STEP_SUMMARY=str(summary),
                GITHUB_OUTPUT=str(output),
                RUNNER_TEMP=str(work),
            )
            env.update(self._env([self.doc.get("env") or {}, job.get("env") or {}, step.get("env") or {}], values))
            shell = GITHUB_SHELLS[step.get("shell", shell_default)]
            proc = run_script([*shell, str(script)], project, env)
            run = StepRun(
                step_name,
                skipped=False,
                returncode=proc.returncode,
                stdout=proc.stdout,
                stderr=proc.stderr,
                summary=summary.read_text(),
                outputs=_parse_github_file(output.read_text()),
            )
            steps.append(run)
            failed = failed or proc.returncode != 0
        outputs = {}
        for key, expression in (job.get("outputs") or {}).items():
            match = re.fullmatch(r"\$\{\{\s*steps\.([\w-]+)\.outputs\.([\w-]+)\s*\}\}", str(expression))
            assert match, f"{name}: output {key}: only steps.<id>.outputs.<name> is understood here"
            step_id, output_name = match.groups()
            index = next(i for i, s in enumerate(job["steps"]) if s.get("id") == step_id)
            outputs[key] = steps[index].outputs.get(output_name, "")
        return GitHubJobRun(name, steps, outputs)


# --- GitLab CI ------------------------------------------------------------------------------

VARIABLE = re.compile(r"\$(?:\{(\w+)\}|(\w+))")


def expand(value: str, variables: Mapping[str, str]) -> str:
    """GitLab's expansion of `$NAME` / `${NAME}` in a variable's value (unknown: empty)."""
    return VARIABLE.sub(lambda m: variables.get(m.group(1) or m.group(2), ""), value)


def flatten(lines: Any) -> list[str]:
    """A script: a string, or a list of strings and nested lists (YAML anchors), flattened."""
    if lines is None:
        return []
    if isinstance(lines, str):
        return [lines]
    return [line for item in lines for line in flatten(item)]


@dataclass
class GitLabJobRun:
    job: str
    returncode: int
    after_returncode: int | None
    log: str

    @property
    def failed(self) -> bool:
        return self.returncode != 0


class GitLabPipeline:
    def __init__(self, path: Path = GITOPS / "gitlab-ci.yml") -> None:
        self.path = path
        self.doc = load_yaml(path)

    def job(self, name: str) -> dict[str, Any]:
        """The job with its `extends:` merged in, as GitLab does (mappings deeply, the rest replaced)."""
        job = cast(dict[str, Any], self.doc[name])
        parents = job.get("extends") or []
        merged: dict[str, Any] = {}
        for parent in [parents] if isinstance(parents, str) else parents:
            merged = _deep_merge(merged, self.job(parent))
        merged = _deep_merge(merged, job)
        merged.pop("extends", None)
        return merged

    def jobs(self) -> list[str]:
        reserved = {"stages", "variables", "default", "workflow", "include", "image", "services", "cache"}
        return [k for k in self.doc if not k.startswith(".") and k not in reserved]

    def setup_lines(self) -> set[str]:
        """The `.setup` lines (the image's packages, `make setup`): done by the suite already."""
        return set(flatten(self.doc.get(".setup")))

    def matrix(self, name: str) -> list[dict[str, str]]:
        """One mapping of variables per job of the `parallel: matrix:`."""
        combos: list[dict[str, str]] = []
        for entry in (self.job(name).get("parallel") or {}).get("matrix") or []:
            partial: list[dict[str, str]] = [{}]
            for key, value in entry.items():
                options = value if isinstance(value, list) else [value]
                partial = [{**p, key: str(option)} for p in partial for option in options]
            combos.extend(partial)
        return combos

    def run_job(self, name: str, project: Path, ci: Mapping[str, str]) -> GitLabJobRun:
        """`ci`: what GitLab would give the job (CI_* values, the matrix's variables, the masked
        CI/CD variables standing in for the secret store)."""
        job = self.job(name)
        variables = dict(ci)
        for level in (self.doc.get("variables") or {}, job.get("variables") or {}):
            for key, value in level.items():
                variables[key] = expand(str(value), variables)
        env = machine_env(project)
        env.update(variables)
        skipped = self.setup_lines()
        lines = [line for line in flatten(job.get("before_script")) + flatten(job["script"]) if line not in skipped]
        # GitLab's bash runs before_script and script as one script that stops at the first
        # failing command (`set -e`); after_script runs in a shell of its own, also after a failure.
        work = Path(tempfile.mkdtemp(prefix=f"gitlab-{name}-", dir=project.parent))
        script = work / "script.sh"
        script.write_text("set -e\n" + "\n".join(lines) + "\n")
        proc = run_script(["bash", str(script)], project, env)
        log = f"--- script (exit {proc.returncode}):\n{proc.stdout}{proc.stderr}"
        after_returncode = None
        after = flatten(job.get("after_script"))
        if after:
            env["CI_JOB_STATUS"] = "success" if proc.returncode == 0 else "failed"
            (work / "after.sh").write_text("set -e\n" + "\n".join(after) + "\n")
            after_proc = run_script(["bash", str(work / "after.sh")], project, env)
            after_returncode = after_proc.returncode
            log += f"--- after_script (exit {after_returncode}):\n{after_proc.stdout}{after_proc.stderr}"
        return GitLabJobRun(name, proc.returncode, after_returncode, log)


def _deep_merge(base: Mapping[str, Any], override: Mapping[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in override.items():
        if isinstance(value, Mapping) and isinstance(merged.get(key), Mapping):
            merged[key] = _deep_merge(merged[key], value)
        else:
            merged[key] = value
    return merged
