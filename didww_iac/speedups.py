"""Speed tricks that benchmarks/bench_scale.py showed to pay, fenced here behind one switch.

`DIDWW_IAC_SPEEDUPS=off` turns every one of them off (to compare, or when one is suspected of a
fault); the scale benchmark runs a size with and without them in the same process.

One is the project's own:

- **A stack file is parsed once.** What loading a stack file ends with is kept by its content
  (`didww_iac/stack/cache.py`): the command line and the Pulumi program of one command, and the
  commands after it, do not parse the same bytes again (0.55 s per 1,000 entries each time).

The others work around costs of the pinned Pulumi Python SDK (pyproject.toml pins it exactly; on
any other release they stay off, since they lean on its internals):

- **Linear wait for registrations.** When the program's function returns, the SDK waits first
  for its registration RPCs, then for every pending Output with `asyncio.wait(FIRST_COMPLETED)`
  in a loop, re-arming a callback on every pending Output each time one resolves. The RPC wrappers
  only list themselves once the event loop runs, which it has not yet when the wait starts, so
  the first wait finds no RPC and the whole apply is spent in the second: quadratic in the
  resources (1,000 resources: 1.2 million callbacks, 6 s of the program's CPU). A finished
  placeholder in the RPC list makes the first wait run, which awaits the RPCs one by one.
- **No automatic engine log.** The engine writes every verbose log line it could print (the
  properties of every step included) gzip-compressed into `$PULUMI_HOME/logs`, whatever the
  verbosity: 40 % of its CPU time in a 1,000-resource preview. It skips that log when it cannot
  create the folder, so the project's own Pulumi home (`.state/home`) holds a file by that name.
  `-v`/`--logtostderr` output is unaffected. A PULUMI_HOME set by the user is left alone.
- **No SDK debug messages.** The SDK sends ~4 debug messages per resource to the engine, each a
  blocking gRPC call from the program's event loop, which the engine then drops unless it runs
  with `--debug`. `DIDWW_IAC_SDK_DEBUG=1` keeps them.
"""

from __future__ import annotations

import asyncio
import os
import shutil
from importlib.metadata import version
from pathlib import Path
from typing import Any

SWITCH_ENV = "DIDWW_IAC_SPEEDUPS"
SDK_DEBUG_ENV = "DIDWW_IAC_SDK_DEBUG"
# The SDK release whose internals these were written against and measured with.
SDK_RELEASE = "3.260.0"


def switched_on() -> bool:
    """The switch alone: for tricks of this project's own that lean on no SDK internals."""
    return os.environ.get(SWITCH_ENV, "on").lower() not in {"off", "0", "false", "no"}


def enabled() -> bool:
    """For the tricks that lean on the SDK's internals: on only with the release they were
    written against."""
    return switched_on() and version("pulumi") == SDK_RELEASE


def _no_debug(*_args: Any, **_kwargs: Any) -> None:
    return None


AUTOMATIC_LOG_FOLDER = "logs"
_NO_LOG_MARKER = "didww-iac: the engine's automatic log is off (didww_iac/speedups.py)\n"


def prepare_engine_home(home: Path) -> None:
    """Called for the project's own Pulumi home before the engine runs."""
    logs = home / AUTOMATIC_LOG_FOLDER
    if not enabled():
        if logs.is_file():
            logs.unlink()
        return
    if logs.is_file():
        return
    home.mkdir(parents=True, exist_ok=True)
    if logs.is_dir():
        shutil.rmtree(logs)  # only the engine's own rotated logs live there
    logs.write_text(_NO_LOG_MARKER)


def before_declaring() -> None:
    """Called by the Pulumi program before it declares resources."""
    from pulumi import log as pulumi_log

    if enabled() and os.environ.get(SDK_DEBUG_ENV) != "1":
        pulumi_log.debug = _no_debug


def after_declaring() -> None:
    """Called by the Pulumi program once every resource is declared, still inside the SDK's
    event loop (the program's function runs in it)."""
    from pulumi.runtime import settings as pulumi_settings

    if not enabled():
        return
    placeholder: asyncio.Future[None] = asyncio.get_running_loop().create_future()
    placeholder.set_result(None)
    pulumi_settings._get_rpc_manager().rpcs.append(placeholder)
