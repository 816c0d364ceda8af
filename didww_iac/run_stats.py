"""API request counters of one engine operation, carried from the provider process to the CLI.

The engine runs providers in a process of its own and ends it without notice, so the provider
writes its clients' counters to a small file after every operation (when the CLI asked for it
through DIDWW_IAC_STATS_DIR); the CLI sums the files when the operation is over.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Iterable
from dataclasses import asdict, fields, replace
from pathlib import Path

from didww_iac.api import RequestStats

STATS_DIR_ENV = "DIDWW_IAC_STATS_DIR"


def publish(stats: Iterable[RequestStats]) -> None:
    directory = os.environ.get(STATS_DIR_ENV)
    if not directory:
        return
    total = sum_stats(stats)
    target = Path(directory) / f"provider-{os.getpid()}.json"
    # Write then rename, so a reader never sees half a file.
    with tempfile.NamedTemporaryFile("w", dir=directory, delete=False, suffix=".tmp") as handle:
        json.dump(asdict(total), handle)
    os.replace(handle.name, target)


def collect(directory: Path) -> RequestStats:
    return sum_stats(RequestStats(**json.loads(p.read_text())) for p in directory.glob("provider-*.json"))


def sum_stats(stats: Iterable[RequestStats]) -> RequestStats:
    total = RequestStats()
    for s in stats:
        total = replace(total, **{f.name: getattr(total, f.name) + getattr(s, f.name) for f in fields(RequestStats)})
    return total
