"""API request counters of one engine operation, carried from the provider process to the CLI.

The engine runs providers in a process of its own and ends it without notice, so the provider
writes its clients' counters to a small file after every operation (when the CLI asked for it
through DIDWW_IAC_STATS_DIR); the CLI sums the files when the operation is over.
"""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Iterable
from dataclasses import asdict, fields, replace
from pathlib import Path

from didww_iac.api import RequestStats

STATS_DIR_ENV = "DIDWW_IAC_STATS_DIR"


# One fixed-size record per provider process, rewritten in place: publishing runs after every
# provider call (5,000 resources: 15,000 calls), where a temporary file and a rename per call
# cost a tenth of the provider's time. The CLI reads the records once the engine has ended its
# providers, so no reader ever races a write.
RECORD_BYTES = 512
_published: tuple[str, int, str] | None = None  # (directory, fd, last text) of this process
_publish_lock = threading.Lock()


def publish(stats: Iterable[RequestStats]) -> None:
    global _published
    directory = os.environ.get(STATS_DIR_ENV)
    if not directory:
        return
    text = json.dumps(asdict(sum_stats(stats)))
    with _publish_lock:
        if _published is not None and _published[0] == directory:
            if _published[2] == text:
                return
            fd = _published[1]
        else:
            if _published is not None:
                os.close(_published[1])
            target = Path(directory) / f"provider-{os.getpid()}.json"
            fd = os.open(target, os.O_WRONLY | os.O_CREAT, 0o600)
        os.pwrite(fd, text.encode().ljust(RECORD_BYTES), 0)
        _published = (directory, fd, text)


def collect(directory: Path) -> RequestStats:
    return sum_stats(RequestStats(**json.loads(p.read_text().strip())) for p in directory.glob("provider-*.json"))


def sum_stats(stats: Iterable[RequestStats]) -> RequestStats:
    total = RequestStats()
    for s in stats:
        total = replace(total, **{f.name: getattr(total, f.name) + getattr(s, f.name) for f in fields(RequestStats)})
    return total
