"""Suite-wide settings."""

from __future__ import annotations

import os

from hypothesis import settings

# A loaded 2-core CI machine can take longer than Hypothesis's 200 ms per example; a deadline
# there fails tests for being slow, not wrong. On CI the examples are also derandomized, so a
# failure reproduces from the log alone.
settings.register_profile("didww", deadline=None, derandomize=os.environ.get("CI") == "true")
settings.load_profile("didww")
