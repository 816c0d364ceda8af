"""How a dynamic resource carries its provider: serialized once per provider, not once per resource.

Pulumi's `serialize_provider` (pulumi.dynamic) wraps `pickle._Pickler._batch_setitems` in a new
sorting wrapper on every call and never restores it, so each resource declared adds one level of
nesting until Python's recursion limit stops the program (about 475 of our resources; 314 with a
trivial provider). Every resource of one type and connection carries the same provider, so the
program serializes it once, restores the pickler after that one call, and hands every later
resource the same string: the bytes are exactly Pulumi's (states written before are unchanged).
"""

from __future__ import annotations

import pickle
import threading
from collections.abc import Hashable
from typing import Any

import pulumi
from pulumi.dynamic import ResourceProvider
from pulumi.dynamic import dynamic as pulumi_dynamic

PROVIDER_KEY = "__provider"
# The pickler attributes Pulumi's serializer replaces and leaves replaced.
_PATCHED_PICKLER_ATTRIBUTES = ("_batch_setitems", "save_dict")

_serialized: dict[Hashable, str] = {}
_lock = threading.Lock()


def serialize_restoring_pickler(provider: ResourceProvider) -> str:
    """Pulumi's own serialization of `provider`, with the pickler left as it was found."""
    saved = {name: pickle._Pickler.__dict__[name] for name in _PATCHED_PICKLER_ATTRIBUTES}
    try:
        serialized: str = pulumi_dynamic.serialize_provider(provider)
        return serialized
    finally:
        for name, value in saved.items():
            setattr(pickle._Pickler, name, value)


def serialized_provider(provider: ResourceProvider, identity: Hashable) -> str:
    """One serialization per `identity` (the provider's class and everything it pickles)."""
    with _lock:
        found = _serialized.get(identity)
        if found is None:
            found = _serialized[identity] = serialize_restoring_pickler(provider)
        return found


class SharedProviderResource(pulumi_dynamic.Resource):
    """A dynamic resource whose provider string is shared by every resource of its identity.

    The provider holds no secret and never captures a secret Output (the API key is resolved in
    the provider process), so the string goes into the inputs as plain text, as Pulumi does for
    providers with `serialize_as_secret_always = False`."""

    def __init__(
        self,
        provider: ResourceProvider,
        identity: Hashable,
        name: str,
        props: dict[str, Any],
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        if PROVIDER_KEY in props:
            raise ValueError(f"a dynamic resource must not define {PROVIDER_KEY}")
        inputs = {**props, PROVIDER_KEY: serialized_provider(provider, identity)}
        # pulumi.dynamic.Resource.__init__ would serialize the provider again: go to its base.
        pulumi.CustomResource.__init__(self, f"pulumi-python:{self._resource_type_name}", name, inputs, opts)
