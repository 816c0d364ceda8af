"""Temporary Pulumi projects for the engine benchmarks: this project's program, or a trivial
dynamic provider (no API at all) as the baseline of what the engine itself costs."""

from __future__ import annotations

import shutil
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]

# Serialized once per resource type as the project's own resources are, so that the baseline
# holds at thousands of resources too (Pulumi's own serializer stops near 314 of these).
TRIVIAL_PROGRAM = """
import pulumi
from pulumi.dynamic import CreateResult, ResourceProvider

from didww_iac.resources.serialization import SharedProviderResource


class Trivial(ResourceProvider):
    def create(self, props):
        return CreateResult(props["name"], props)


class Thing(SharedProviderResource):
    def __init__(self, name, props):
        super().__init__(Trivial(), Trivial, name, props)


for i in range(int(pulumi.Config().require("count"))):
    Thing(f"thing-{i}", {"name": f"thing-{i}"})
"""


def project(root: Path, program: str | None) -> Path:
    """A project in `root` sharing this checkout's virtual environment and engine; `program`
    replaces `__main__.py` (None: the project's own program)."""
    root.mkdir()
    shutil.copy(REPO / "Pulumi.yaml", root / "Pulumi.yaml")
    (root / "__main__.py").write_text(program or (REPO / "__main__.py").read_text())
    (root / ".venv").symlink_to(REPO / ".venv")
    (root / "tools").symlink_to(REPO / "tools")
    (root / "stacks").mkdir()
    return root
