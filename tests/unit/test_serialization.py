"""The provider serialization that every dynamic resource carries: Pulumi's bytes, no nesting."""

from __future__ import annotations

import base64
import pickle
import sys

import dill

from didww_iac.resources import serialization
from didww_iac.resources.connection import Connection
from didww_iac.resources.voice_in_trunks import VoiceInTrunkProvider


def _provider() -> VoiceInTrunkProvider:
    return VoiceInTrunkProvider(Connection("emulator", "2026-04-16", 20.0, "process"))


def test_pulumis_serializer_leaves_the_pickler_as_it_found_it() -> None:
    before = {name: pickle._Pickler.__dict__[name] for name in ("_batch_setitems", "save_dict")}
    # Well past the recursion limit: each unrestored call would nest one wrapper deeper.
    for _ in range(sys.getrecursionlimit() + 100):
        serialization.serialize_restoring_pickler(_provider())
    after = {name: pickle._Pickler.__dict__[name] for name in ("_batch_setitems", "save_dict")}
    assert after == before


def test_one_serialization_per_identity_and_it_round_trips() -> None:
    provider = _provider()
    identity = (type(provider), provider.connection, "test")
    first = serialization.serialized_provider(provider, identity)
    second = serialization.serialized_provider(_provider(), identity)

    assert first is second  # the same string object: serialized once
    revived = dill.loads(base64.b64decode(first))
    assert type(revived) is VoiceInTrunkProvider and revived.connection == provider.connection
    # By reference to the installed class, never its code by value.
    assert b"didww_iac.resources.voice_in_trunks" in base64.b64decode(first)
