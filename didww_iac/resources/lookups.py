"""Catalogue records declared by name: a country by ISO code, a proof type by its name, a POP.

The stack file says `country: DE` or `proof_type: Passport`; DIDWW's relationship wants the
record's id. A `Lookup` on the field (spec.py) names the catalogue and the attribute; this module
reads each catalogue once per client and process and translates both ways, so the properties
(and the diff, and drift, and `import`) hold the name people wrote.
"""

from __future__ import annotations

import difflib
import threading
from collections.abc import Mapping
from typing import Any

from didww_iac.api import DidwwClient
from didww_iac.resources.errors import DidwwResourceError
from didww_iac.resources.spec import Kind, Lookup, ResourceSpec

# How many known values an error lists before "...".
SHOWN_CHOICES = 12


class Catalogue:
    """The names and ids of the catalogue records one client has looked up."""

    def __init__(self, client: DidwwClient) -> None:
        self._client = client
        self._lock = threading.Lock()
        self._by_name: dict[Lookup, dict[str, str]] = {}

    def _names(self, lookup: Lookup) -> dict[str, str]:
        with self._lock:
            names = self._by_name.get(lookup)
            if names is None:
                names = self._by_name[lookup] = self._listed(lookup)
            return names

    def _listed(self, lookup: Lookup) -> dict[str, str]:
        """Name -> id; a name that repeats is known only with its qualifier ("Personal/Other")."""
        plain: dict[str, list[str]] = {}
        qualified: dict[str, str] = {}
        for record in self._client.iter(lookup.api_type):
            value = record.attributes.get(lookup.attribute)
            if not isinstance(value, str):
                continue
            plain.setdefault(value, []).append(record.id)
            if lookup.qualifier is not None:
                qualified[f"{record.attributes.get(lookup.qualifier)}/{value}"] = record.id
        unique = {name: ids[0] for name, ids in plain.items() if len(ids) == 1}
        # Qualified names first: name_of answers the plain name where it is enough.
        return {**qualified, **unique}

    def id_of(self, lookup: Lookup, name: str) -> str:
        names = self._names(lookup)
        found = names.get(name)
        if found is None:
            known = self.names(lookup)
            close = difflib.get_close_matches(name, known, n=3)
            hint = f"did you mean {' or '.join(repr(c) for c in close)}? " if close else ""
            shown = ", ".join(known[:SHOWN_CHOICES]) + (", ..." if len(known) > SHOWN_CHOICES else "")
            raise DidwwResourceError(
                f"no {lookup.api_type} with {lookup.attribute} {name!r} in DIDWW's catalogue: {hint}"
                f"(known: {shown}; `didww-iac catalogue --names` lists them all)"
            )
        return found

    def names(self, lookup: Lookup) -> list[str]:
        """The names an entry may write, each record once (qualified only where needed)."""
        return sorted({self.name_of(lookup, id_) or id_ for id_ in self._names(lookup).values()})

    def name_of(self, lookup: Lookup, id_: str) -> str | None:
        found = None
        for name, known in self._names(lookup).items():
            if known == id_:
                found = name  # the plain name comes last, where there is one
        return found


def looked_up_fields(spec: ResourceSpec) -> tuple[tuple[str, Lookup], ...]:
    return tuple((f.name, f.lookup) for f in spec.fields if f.lookup is not None and f.kind is Kind.TO_ONE)


def with_ids(spec: ResourceSpec, props: Mapping[str, Any], catalogue: Catalogue) -> dict[str, Any]:
    """Properties as DIDWW's relationships hold them: catalogue names replaced by ids."""
    translated = dict(props)
    for name, lookup in looked_up_fields(spec):
        value = props.get(name)
        if isinstance(value, str) and value:
            translated[name] = catalogue.id_of(lookup, value)
    return translated


def with_names(spec: ResourceSpec, props: Mapping[str, Any], catalogue: Catalogue) -> dict[str, Any]:
    """Properties read from DIDWW with catalogue ids replaced by the names the stack declares."""
    translated = dict(props)
    for name, lookup in looked_up_fields(spec):
        value = props.get(name)
        if isinstance(value, str) and value:
            translated[name] = catalogue.name_of(lookup, value) or value
    return translated


_shared: dict[int, Catalogue] = {}
_shared_lock = threading.Lock()


def forget_catalogues() -> None:
    with _shared_lock:
        _shared.clear()


def shared_catalogue(client: DidwwClient) -> Catalogue:
    """The one catalogue of this client in the process (every provider of a run shares it)."""
    with _shared_lock:
        catalogue = _shared.get(id(client))
        if catalogue is None:
            catalogue = _shared[id(client)] = Catalogue(client)
        return catalogue
