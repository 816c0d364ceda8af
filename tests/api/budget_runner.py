"""One CI runner of tests/api/test_multi_runner_budget.py, as a program of its own.

`python budget_runner.py ENDPOINT LIMITER THREADS REQUESTS` builds its client the way a provider
does (`Connection` + `shared_client`: the key from DIDWW_API_KEY, `limiter: redis` from
DIDWW_IAC_REDIS_URL), sends one request to open its connection, prints `ready` and waits for a
line on stdin, so that every runner starts its load at the same moment. Then THREADS threads send
REQUESTS requests each, and it prints its figures as one JSON line.
"""

from __future__ import annotations

import json
import sys
import threading
import time

from didww_iac.resources.connection import Connection, resolve_api_key, shared_client
from didww_iac.settings import DEFAULT_RATE_LIMIT, LATEST_API_VERSION


def main(endpoint: str, limiter: str, threads: int, requests: int) -> None:
    connection = Connection(endpoint, LATEST_API_VERSION, DEFAULT_RATE_LIMIT, limiter)
    client = shared_client(connection, resolve_api_key(None, connection))
    client.list("voice_in_trunk_groups")
    print("ready", flush=True)
    sys.stdin.readline()
    go_at = time.time()
    errors: list[str] = []

    def work() -> None:
        for _ in range(requests):
            try:
                client.list("voice_in_trunk_groups")
            except Exception as exc:  # reported, not raised: the control run expects some
                errors.append(type(exc).__name__)

    pool = [threading.Thread(target=work) for _ in range(threads)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    stats = client.stats
    report = {
        "go_at": go_at,
        "done_at": time.time(),
        "requests": stats.requests,
        "responses_429": stats.responses_429,
        "retries": stats.retries,
        "errors": errors,
    }
    client.close()
    print(json.dumps(report), flush=True)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]))
