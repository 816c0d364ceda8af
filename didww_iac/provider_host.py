"""The process the Pulumi engine starts to run dynamic providers (`pulumi-resource-pulumi-python`).

Pulumi's own host (`python -m pulumi.dynamic`) serves at most 4 calls at once, a fixed thread
pool. At DIDWW's 20 requests/s with 100-200 ms round trips a run needs more than 4 requests in
flight, plus calls that only wait (an order being completed, a slot of the rate limiter), so 4
workers hold a run to about half the key's rate. This host serves the same gRPC contract with a
pool sized by `DIDWW_IAC_PROVIDER_WORKERS` (default below). tools/pulumi.sh installs the
launcher (tools/pulumi-resource-pulumi-python) that starts it, so every `pulumi` run of this
project, and any other dynamic provider run with that launcher, is served by it.

The contract, as the engine and the SDK's `pulumi.dynamic.Resource` define it: every resource's
inputs carry its serialized provider under `__provider`; it is unpickled (dill) once per process
and configured with the stack's config; outputs carry the same string back.
"""

from __future__ import annotations

import asyncio
import base64
import os
import sys
import threading
import time
import traceback
from collections.abc import Callable
from concurrent import futures
from typing import Any, TypeVar

import dill
import grpc
from google.protobuf import empty_pb2, struct_pb2
from pulumi.dynamic import Config, ConfigureRequest, ResourceProvider
from pulumi.metadata import get_project
from pulumi.runtime import Settings, configure, proto, rpc
from pulumi.runtime._grpc_settings import _GRPC_CHANNEL_OPTIONS
from pulumi.runtime._serialization import _deserialize
from pulumi.runtime.proto import provider_pb2_grpc

from didww_iac.api import ConfigurationError, DidwwError
from didww_iac.resources.connection import MissingApiKeyError
from didww_iac.resources.errors import DidwwResourceError

READABLE_ERRORS = (DidwwResourceError, DidwwError, ConfigurationError, MissingApiKeyError)
PROVIDER_KEY = "__provider"
WORKERS_ENV = "DIDWW_IAC_PROVIDER_WORKERS"
# Enough for the engine's default parallelism (see engine.py): the limiter, not the pool,
# decides how many requests are on the wire.
DEFAULT_WORKERS = 32
PLUGIN_VERSION = "0.1.0"

Handler = TypeVar("Handler", bound=Callable[..., Any])


def worker_count() -> int:
    raw = os.environ.get(WORKERS_ENV, "")
    try:
        count = int(raw) if raw else DEFAULT_WORKERS
    except ValueError:
        raise SystemExit(f"{WORKERS_ENV} must be a whole number, not {raw!r}") from None
    if count < 1:
        raise SystemExit(f"{WORKERS_ENV} must be at least 1, not {count}")
    return count


class ProviderCache:
    """One unpickled, configured provider per serialized string, for the life of the process."""

    def __init__(self) -> None:
        self._providers: dict[str, ResourceProvider] = {}
        self._lock = threading.Lock()
        self.config: dict[str, Any] = {}

    def get(self, serialized: str) -> ResourceProvider:
        provider = self._providers.get(serialized)
        if provider is not None:
            return provider
        with self._lock:
            provider = self._providers.get(serialized)
            if provider is None:
                provider = _deserialize(lambda: dill.loads(base64.b64decode(serialized)))
                provider.configure(ConfigureRequest(Config(raw_config=self.config, project_name=get_project())))
                self._providers[serialized] = provider
        return provider


def _props(struct: struct_pb2.Struct, keep_unknowns: bool = False) -> dict[str, Any]:
    props: dict[str, Any] = rpc.deserialize_properties(struct, keep_unknowns)
    return props


def _struct(props: dict[str, Any]) -> struct_pb2.Struct:
    # serialize_properties is a coroutine; each gRPC worker thread keeps an event loop of its own.
    loop = _thread_loop()
    struct: struct_pb2.Struct = loop.run_until_complete(rpc.serialize_properties(props, {}))
    return struct


_loops = threading.local()


def _thread_loop() -> asyncio.AbstractEventLoop:
    loop: asyncio.AbstractEventLoop | None = getattr(_loops, "loop", None)
    if loop is None:
        loop = _loops.loop = asyncio.new_event_loop()
    return loop


def _aborting(handler: Handler) -> Handler:
    """An exception leaves as a gRPC error whose text the engine shows for the resource."""

    def wrapper(self: DynamicProviderService, request: Any, context: grpc.ServicerContext) -> Any:
        try:
            return handler(self, request, context)
        except Exception as exc:
            context.abort(grpc.StatusCode.UNKNOWN, _readable(exc))

    return wrapper  # type: ignore[return-value]


def _readable(exc: Exception) -> str:
    """A refusal the user acts on (DIDWW's answer, a setting the provider refuses, a missing key)
    is its message alone, which names the stack file, line and setting; anything else is a bug of
    ours, whose traceback is what a report needs."""
    if isinstance(exc, READABLE_ERRORS):
        return str(exc)
    return traceback.format_exc()


class DynamicProviderService(provider_pb2_grpc.ResourceProviderServicer):
    def __init__(self) -> None:
        self.providers = ProviderCache()

    def _provider(self, news: dict[str, Any], olds: dict[str, Any] | None = None) -> ResourceProvider:
        # In a preview the new provider string can be unknown; the old one serves then.
        serialized = news.get(PROVIDER_KEY)
        if serialized == rpc.UNKNOWN and olds is not None:
            serialized = olds.get(PROVIDER_KEY)
        return self.providers.get(str(serialized))

    def GetPluginInfo(self, request: Any, context: grpc.ServicerContext) -> Any:
        return proto.PluginInfo(version=PLUGIN_VERSION)

    def Configure(self, request: Any, context: grpc.ServicerContext) -> Any:
        config = rpc.deserialize_properties(request.args)
        self.providers.config = {k: rpc.unwrap_rpc_secret(v) for k, v in config.items()}
        return proto.ConfigureResponse(acceptSecrets=False)

    def Cancel(self, request: Any, context: grpc.ServicerContext) -> Any:
        return empty_pb2.Empty()

    @_aborting
    def Check(self, request: Any, context: grpc.ServicerContext) -> Any:
        olds, news = _props(request.olds, True), _props(request.news, True)
        result = self._provider(news, olds).check(olds, news)
        inputs = {**result.inputs, PROVIDER_KEY: news[PROVIDER_KEY]}
        failures = [proto.CheckFailure(property=f.property, reason=f.reason) for f in result.failures]
        return proto.CheckResponse(inputs=_struct(inputs), failures=failures)

    @_aborting
    def Diff(self, request: Any, context: grpc.ServicerContext) -> Any:
        olds, news = _props(request.olds, True), _props(request.news, True)
        result = self._provider(news, olds).diff(request.id, olds, news)
        fields: dict[str, Any] = {
            "changes": proto.DiffResponse.DIFF_UNKNOWN
            if result.changes is None
            else proto.DiffResponse.DIFF_SOME
            if result.changes
            else proto.DiffResponse.DIFF_NONE
        }
        if result.replaces is not None:
            fields["replaces"] = result.replaces
        if result.delete_before_replace is not None:
            fields["deleteBeforeReplace"] = result.delete_before_replace
        return proto.DiffResponse(**fields)

    @_aborting
    def Create(self, request: Any, context: grpc.ServicerContext) -> Any:
        props = _props(request.properties)
        result = self._provider(props).create(props)
        outs = {**(result.outs or {}), PROVIDER_KEY: props[PROVIDER_KEY]}
        return proto.CreateResponse(id=result.id, properties=_struct(outs))

    @_aborting
    def Read(self, request: Any, context: grpc.ServicerContext) -> Any:
        props = _props(request.properties)
        result = self._provider(props).read(request.id, props)
        fields: dict[str, Any] = {
            "id": result.id,
            "properties": _struct({**(result.outs or {}), PROVIDER_KEY: props[PROVIDER_KEY]}),
        }
        if result.inputs is not None:
            fields["inputs"] = _struct({**result.inputs, PROVIDER_KEY: props[PROVIDER_KEY]})
        return proto.ReadResponse(**fields)

    @_aborting
    def Update(self, request: Any, context: grpc.ServicerContext) -> Any:
        olds, news = _props(request.olds), _props(request.news)
        result = self._provider(news).update(request.id, olds, news)
        outs = {**(result.outs or {}), PROVIDER_KEY: news[PROVIDER_KEY]}
        return proto.UpdateResponse(properties=_struct(outs))

    @_aborting
    def Delete(self, request: Any, context: grpc.ServicerContext) -> Any:
        props = _props(request.properties)
        self._provider(props).delete(request.id, props)
        return empty_pb2.Empty()


def _configure_sdk() -> None:
    """The SDK's settings are context variables, which every new thread starts without: each
    worker sets them once (the project is read while properties are (de)serialized)."""
    configure(Settings(project=os.environ.get("PULUMI_PROJECT", "project"), stack="stack", organization="organization"))


ORPHAN_CHECK_SECONDS = 1.0


def _exit_when_orphaned(engine_pid: int) -> None:
    """The engine ends its providers when it ends; an engine killed with SIGKILL (a cancelled CI
    job) cannot, and the host would wait forever. Its parent changes then: leave too."""
    while os.getppid() == engine_pid:
        time.sleep(ORPHAN_CHECK_SECONDS)
    os._exit(0)


def main() -> None:
    threading.Thread(target=_exit_when_orphaned, args=(os.getppid(),), name="orphan-check", daemon=True).start()
    _configure_sdk()
    workers = futures.ThreadPoolExecutor(max_workers=worker_count(), initializer=_configure_sdk)
    server = grpc.server(workers, options=_GRPC_CHANNEL_OPTIONS)
    provider_pb2_grpc.add_ResourceProviderServicer_to_server(DynamicProviderService(), server)
    port = server.add_insecure_port("127.0.0.1:0")
    server.start()
    # The engine reads the port from the first line of standard output.
    sys.stdout.write(f"{port}\n")
    sys.stdout.flush()
    try:
        server.wait_for_termination()
    except KeyboardInterrupt:
        # The engine ends its providers with SIGINT once an operation is done: a normal end,
        # not a traceback for every run's output.
        server.stop(grace=None)


if __name__ == "__main__":
    main()
