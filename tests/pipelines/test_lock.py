"""requirements.lock and requirements-dev.lock (written by `make lock`) pin, with hashes, every
dependency pyproject.toml declares, at a version it allows: a dependency added to pyproject.toml
without `make lock` fails here, not on a runner's install."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

REPO = Path(__file__).resolve().parents[2]
LOCKS = {"runtime": REPO / "requirements.lock", "dev": REPO / "requirements-dev.lock"}
BUILD_INPUT = REPO / "tools" / "lock" / "build.in"
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s;\\]+)")


def pins(lock: Path) -> dict[str, tuple[Version, int]]:
    """{package: (version, number of hashes)} of a lock file."""
    found: dict[str, tuple[Version, int]] = {}
    name = ""
    for line in lock.read_text().splitlines():
        match = PIN.match(line)
        if match:
            name = canonicalize_name(match.group(1))
            found[name] = (Version(match.group(2)), 0)
        elif line.strip().startswith("--hash=sha256:") and name:
            version, hashes = found[name]
            found[name] = (version, hashes + 1)
    return found


def declared() -> dict[str, list[Requirement]]:
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    build = [Requirement(line) for line in BUILD_INPUT.read_text().splitlines() if line and not line.startswith("#")]
    runtime = [Requirement(r) for r in project["dependencies"]]
    dev = [Requirement(r) for r in project["optional-dependencies"]["dev"]]
    return {"runtime": runtime + build, "dev": runtime + build + dev}


@pytest.mark.parametrize("kind", ["runtime", "dev"])
def test_lock_pins_every_declared_dependency_with_hashes(kind: str) -> None:
    locked = pins(LOCKS[kind])
    assert locked, LOCKS[kind]
    for requirement in declared()[kind]:
        name = canonicalize_name(requirement.name)
        assert name in locked, f"{requirement} is not in {LOCKS[kind].name}: run `make lock`"
        version, _ = locked[name]
        assert requirement.specifier.contains(version, prereleases=True), (
            f"{LOCKS[kind].name} pins {name}=={version}, outside {requirement}: run `make lock`"
        )
    unhashed = sorted(name for name, (_, hashes) in locked.items() if hashes == 0)
    assert unhashed == [], f"pinned without a hash in {LOCKS[kind].name}"


def test_the_two_locks_agree() -> None:
    runtime, dev = pins(LOCKS["runtime"]), pins(LOCKS["dev"])
    assert {name: dev[name][0] for name in runtime} == {name: v for name, (v, _) in runtime.items()}


def test_the_engine_pin_is_kept() -> None:
    # tools/pulumi-build/go.mod builds the engine of this same release.
    assert pins(LOCKS["runtime"])["pulumi"][0] == Version("3.260.0")
    go_mod = (REPO / "tools" / "pulumi-build" / "go.mod").read_text()
    assert "github.com/pulumi/pulumi/pkg/v3 v3.260.0" in go_mod
