"""The jobs of examples/gitops/ do what their comments say, run for real: each job's own commands
(the shared scripts, `didww-iac` and the real engine), on a copy of a project whose stacks/ has
a history (the change a pull request or a push brings), against an emulator. The CI systems are
stood in for by tests/pipelines/ci.py; a small HTTP server stands in for GitLab's notes API."""

from __future__ import annotations

import json
import shutil
import subprocess
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import httpx
import pytest

from didww_iac.emulator.testing import RunningEmulator, running_emulator
from tests.pipelines.ci import GITOPS, GitHubWorkflow, GitLabPipeline

pytestmark = pytest.mark.e2e

REPO = Path(__file__).resolve().parents[2]
API_KEY = "pipeline-key-3b1e9c"  # the secret store's DIDWW_API_KEY
PASSPHRASE = "pipeline-passphrase"
NOTES_TOKEN = "glpat-stand-in"

STACK = """\
api_version: "2026-04-16"
endpoint: "{url}"
limiter: process
voice_in_trunks:
  pbx:
    name: Pipeline PBX {stack}
    capacity_limit: {capacity}
    sip:
      username: "+{{DID}}"
      host: pbx.example.com
"""


@dataclass
class Repo:
    """A project checkout: stacks/ with two commits, the second changing stacks/dev.yaml only."""

    root: Path
    base: str  # the commit before the change (the pull request's base, the commit before the push)
    emulator: RunningEmulator

    @property
    def backend(self) -> str:
        return (self.root / "backend").as_uri()  # standing in for postgres:// or s3://

    def fresh(self) -> Path:
        """The checkout as a new job finds it: what earlier jobs left (plan.md, drift.json, the
        engine's home in .state/) removed, as a runner's fresh clone or `git clean` does."""
        _git(self.root, "clean", "-q", "-ffdx", "-e", ".venv", "-e", "tools", "-e", "backend")
        return self.root

    def trunks(self) -> dict[str, dict[str, Any]]:
        response = httpx.get(
            self.emulator.base_url + "voice_in_trunks",
            headers={"Api-Key": API_KEY, "Accept": "application/vnd.api+json"},
        )
        response.raise_for_status()
        return {t["attributes"]["name"]: t for t in response.json()["data"]}

    def change_in_the_panel(self, name: str, **attributes: Any) -> None:
        trunk = self.trunks()[name]
        httpx.patch(
            self.emulator.admin_url + f"resources/voice_in_trunks/{trunk['id']}", json=attributes
        ).raise_for_status()


def _git(root: Path, *args: str) -> str:
    identity = [
        "-c",
        "user.name=pipeline test",
        "-c",
        "user.email=pipeline@example.com",
        "-c",
        "init.defaultBranch=main",
    ]
    return subprocess.run(
        ["git", *identity, *args], cwd=root, check=True, capture_output=True, text=True
    ).stdout.strip()


@pytest.fixture(scope="module")
def emulator() -> Iterator[RunningEmulator]:
    with running_emulator(api_keys=[API_KEY], rate_limit=20.0) as emu:
        yield emu


@pytest.fixture
def repo(tmp_path: Path, emulator: RunningEmulator) -> Repo:
    if not (REPO / "tools" / "bin" / "pulumi").exists():
        pytest.fail("the Pulumi engine is not built: run `make setup` (tools/pulumi.sh)")
    httpx.post(emulator.admin_url + "reset").raise_for_status()
    root = tmp_path / "checkout"
    (root / "stacks").mkdir(parents=True)
    for name in ("Pulumi.yaml", "__main__.py"):
        shutil.copy(REPO / name, root / name)
    shutil.copytree(GITOPS, root / "examples" / "gitops")
    (root / ".venv").symlink_to(REPO / ".venv")
    (root / "tools").symlink_to(REPO / "tools")
    (root / ".gitignore").write_text(".venv\ntools\n.state/\n.cache/\nbackend/\n")

    def write(stack: str, capacity: int) -> None:
        body = STACK.format(url=emulator.base_url, stack=stack, capacity=capacity)
        (root / "stacks" / f"{stack}.yaml").write_text(body)

    write("dev", 10)
    write("prod", 10)
    (root / "stacks" / "local.yaml").write_text((REPO / "stacks" / "local.yaml").read_text())
    _git(root, "init", "-q")
    _git(root, "add", "-A")
    _git(root, "commit", "-q", "-m", "dev and prod")
    base = _git(root, "rev-parse", "HEAD")
    write("dev", 12)
    _git(root, "commit", "-q", "-am", "dev: more channels")
    (root / "backend").mkdir()
    return Repo(root, base, emulator)


# --- GitHub Actions -------------------------------------------------------------------------


def github_values(repo: Repo, event: str, stack: str = "") -> dict[str, str]:
    """The test's values for the workflow's `${{ }}` env entries, by variable."""
    return {
        "PULUMI_BACKEND_URL": repo.backend,
        "EVENT": event,
        "DIDWW_IAC_DIFF_BASE": repo.base,
        "STACK": stack,
        "DIDWW_API_KEY": API_KEY,
        "PULUMI_CONFIG_PASSPHRASE": PASSPHRASE,
    }


def github_stacks(workflow: GitHubWorkflow, repo: Repo, event: str) -> list[str]:
    run = workflow.run_job("stacks", repo.fresh(), event, github_values(repo, event))
    assert not run.failed, run.log()
    stacks = json.loads(run.outputs["list"])
    assert isinstance(stacks, list)
    return [str(s) for s in stacks]


def test_github_jobs_follow_the_event(repo: Repo) -> None:
    workflow = GitHubWorkflow()
    for job, event in (("plan", "pull_request"), ("apply", "push"), ("drift", "schedule")):
        assert f"github.event_name == '{event}'" in workflow.job(job)["if"]
        assert workflow.job(job)["strategy"]["matrix"]["stack"] == "${{ fromJSON(needs.stacks.outputs.list) }}"

    # Pull request: the changed stack only (not prod, not the emulator's local stack).
    assert github_stacks(workflow, repo, "pull_request") == ["dev"]
    plan = workflow.run_job("plan", repo.fresh(), "pull_request", github_values(repo, "pull_request", "dev"))
    assert not plan.failed, plan.log()
    assert "### validate dev" in plan.summary
    assert "### preview dev" in plan.summary
    assert "`.venv/bin/didww-iac preview -s dev --lock-timeout 600`: succeeded" in plan.summary
    assert "to create" in plan.summary  # the engine's plan, in the job summary
    assert "\x1b[" not in plan.summary
    assert repo.trunks() == {}  # a preview changes nothing

    # Merge: `up` of the changed stack, its output in the summary; a second run changes nothing.
    assert github_stacks(workflow, repo, "push") == ["dev"]
    assert workflow.job("apply")["concurrency"] == {
        "group": "didww-up-${{ matrix.stack }}",
        "cancel-in-progress": False,
    }
    apply = workflow.run_job("apply", repo.fresh(), "push", github_values(repo, "push", "dev"))
    assert not apply.failed, apply.log()
    assert repo.trunks()["Pipeline PBX dev"]["attributes"]["capacity_limit"] == 12
    assert "### up dev" in apply.summary
    again = workflow.run_job("apply", repo.fresh(), "push", github_values(repo, "push", "dev"))
    assert not again.failed, again.log()
    assert "No changes" in again.summary

    # Schedule: every stack; a clean account passes, drift made in the panel fails the job
    # (exit 3 kept) and the report still reaches the summary.
    assert github_stacks(workflow, repo, "schedule") == ["dev", "prod"]
    clean = workflow.run_job("drift", repo.fresh(), "schedule", github_values(repo, "schedule", "dev"))
    assert not clean.failed, clean.log()
    assert json.loads((repo.root / "drift.json").read_text())["drifted"] is False
    assert "No drift" in clean.summary

    repo.change_in_the_panel("Pipeline PBX dev", capacity_limit=99)
    drifted = workflow.run_job("drift", repo.fresh(), "schedule", github_values(repo, "schedule", "dev"))
    assert drifted.failed
    assert drifted.step("drift").returncode == 3, drifted.log()
    assert not drifted.step("publish the report").skipped
    assert "`capacity_limit` | `12` | `99`" in drifted.summary
    assert json.loads((repo.root / "drift.json").read_text())["drifted"] is True
    assert repo.trunks()["Pipeline PBX dev"]["attributes"]["capacity_limit"] == 99  # drift changes nothing


# --- GitLab CI ------------------------------------------------------------------------------


@dataclass
class Notes:
    """GitLab's `POST /projects/:id/merge_requests/:iid/notes`, as far as the pipeline uses it."""

    url: str
    posted: list[dict[str, str]] = field(default_factory=list)


@pytest.fixture
def gitlab_api() -> Iterator[Notes]:
    posted: list[dict[str, str]] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            form = parse_qs(self.rfile.read(length).decode())
            posted.append(
                {
                    "path": self.path,
                    "token": self.headers.get("PRIVATE-TOKEN", ""),
                    "body": form.get("body", [""])[0],
                }
            )
            answer = b'{"id": 1}'
            self.send_response(201)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(answer)))
            self.end_headers()
            self.wfile.write(answer)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield Notes(f"http://127.0.0.1:{server.server_address[1]}/api/v4", posted)
    finally:
        server.shutdown()
        server.server_close()


def gitlab_ci(repo: Repo, notes: Notes, source: str, stack: str) -> dict[str, str]:
    """What GitLab gives a job: predefined CI_* variables, the matrix's, and the masked CI/CD
    variables of the secret store."""
    return {
        "CI_PROJECT_DIR": str(repo.root),
        "CI_PIPELINE_SOURCE": source,
        "CI_DEFAULT_BRANCH": "main",
        "CI_COMMIT_BRANCH": "main",
        "CI_COMMIT_BEFORE_SHA": repo.base,
        "CI_MERGE_REQUEST_DIFF_BASE_SHA": repo.base,
        "CI_MERGE_REQUEST_IID": "7",
        "CI_PROJECT_ID": "42",
        "CI_API_V4_URL": notes.url,
        "GITLAB_CI": "true",
        "STACK": stack,
        "DIDWW_API_KEY": API_KEY,
        "PULUMI_CONFIG_PASSPHRASE": PASSPHRASE,
        "PULUMI_BACKEND_URL": repo.backend,
        "GITLAB_API_TOKEN": NOTES_TOKEN,
    }


def test_gitlab_jobs_follow_the_pipeline_source(repo: Repo, gitlab_api: Notes) -> None:
    pipeline = GitLabPipeline()
    for job, source in (("plan", "merge_request_event"), ("apply", "push"), ("drift", "schedule")):
        assert f'$CI_PIPELINE_SOURCE == "{source}"' in pipeline.job(job)["rules"][0]["if"]
        assert pipeline.matrix(job) == [{"STACK": "dev"}, {"STACK": "prod"}]
    assert pipeline.job("apply")["resource_group"] == "didww-$STACK"

    # Merge request: the dev job previews and posts the plan; the prod job stops at once.
    plans = {
        s: pipeline.run_job("plan", repo.fresh(), gitlab_ci(repo, gitlab_api, "merge_request_event", s))
        for s in ("dev", "prod")
    }
    assert not plans["dev"].failed and not plans["prod"].failed, plans["dev"].log + plans["prod"].log
    assert "stacks/prod.yaml did not change" in plans["prod"].log
    assert len(gitlab_api.posted) == 1, plans["dev"].log
    note = gitlab_api.posted[0]
    assert note["path"] == "/api/v4/projects/42/merge_requests/7/notes"
    assert note["token"] == NOTES_TOKEN
    assert "### preview dev" in note["body"] and "to create" in note["body"]
    assert repo.trunks() == {}

    # Merge: dev is applied, prod (unchanged) is left alone.
    applies = {
        s: pipeline.run_job("apply", repo.fresh(), gitlab_ci(repo, gitlab_api, "push", s)) for s in ("dev", "prod")
    }
    assert not applies["dev"].failed and not applies["prod"].failed, applies["dev"].log + applies["prod"].log
    assert set(repo.trunks()) == {"Pipeline PBX dev"}

    # Schedule: drift in the panel fails the job; the report is left for the artifacts and the log.
    clean = pipeline.run_job("drift", repo.fresh(), gitlab_ci(repo, gitlab_api, "schedule", "dev"))
    assert not clean.failed, clean.log
    repo.change_in_the_panel("Pipeline PBX dev", capacity_limit=99)
    drifted = pipeline.run_job("drift", repo.fresh(), gitlab_ci(repo, gitlab_api, "schedule", "dev"))
    assert drifted.returncode == 3, drifted.log
    assert drifted.after_returncode == 0
    assert "`capacity_limit` | `12` | `99`" in drifted.log  # after_script prints the report
    for artifact in pipeline.job("drift")["artifacts"]["paths"]:
        assert (repo.root / artifact).is_file(), artifact
    assert pipeline.job("drift")["artifacts"]["when"] == "always"
