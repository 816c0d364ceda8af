"""Facts shared by the command line, the Pulumi program and the providers."""

import os
from pathlib import Path
from typing import Final

LATEST_API_VERSION: Final = "2026-04-16"
DEFAULT_RATE_LIMIT: Final = 20.0

# The embedded emulator's local account. Not a secret: it only opens a server on loopback.
LOCAL_EMULATOR_API_KEY: Final = "local-emulator-key"
LOCAL_EMULATOR_PORT: Final = 8765

# Where the API key comes from, in order: stack config (secret), then the environment.
API_KEY_CONFIG: Final = "didww:apiKey"
API_KEY_ENV: Final = "DIDWW_API_KEY"

# Set by the command line for the provider process: {"dids": 3000, ...}, the entries per type of
# the stack being run, so reads choose between listing and one-by-one by cost (live_index.py).
MANAGED_COUNTS_ENV: Final = "DIDWW_IAC_MANAGED_COUNTS"


def user_cache_folder() -> Path:
    """Where the tool keeps what it can rebuild: the SQLite limiter's buckets, validated stacks."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "didww-iac"
