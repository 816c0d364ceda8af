"""`didww-iac import`: entries for what the account holds and the stack does not manage yet.

For each importable type (trunks, trunk groups, numbers, outbound trunks, capacity pools, shared
capacity groups, identities, addresses) the account is listed once (ceil(M/100) requests), and every resource that no
entry manages (neither by `adopt_id` nor through the stack's state) becomes an entry: every
setting the stack file can hold, with its live value (resources/mapping.py `live_entry`),
references by logical name, and `adopt_id`. The next `up` adopts them without a write.

Decisions:
- Orders are not imported: a completed order is history, and what it bought are numbers, which
  are imported as `dids` entries (by `adopt_id`). Reservations last minutes: not imported.
- Proofs, permanent documents and verifications are not imported: DIDWW never gives uploaded
  documents back, and a verification is a request kept as history. Identities and addresses
  are, with catalogue records by name (`country: DE`).
- A number's membership in a shared capacity group is declared on the number
  (`shared_capacity_group:`); if the group's entry lists its numbers (`dids:`), the number is
  added to that list instead, so the next `up` does not take it out of the group.
- Credentials are never written into the file (a SIP trunk's auth password, an outbound trunk's
  generated username and password): left out, they are not managed, and DIDWW keeps them.
- A terminated number is on its way out of the account (listed until its billing cycle ends):
  not imported.
- A live resource whose unique name an entry of the stack already declares (not yet applied) is
  skipped: the next `up` adopts it or says what differs.
- Logical names come from the name (a number: `did-<number>`), lower-cased with anything but
  letters, digits, `-` and `_` turned into `-`; a name taken gets `-2`, `-3`... in the order of
  the DIDWW ids, so the same account gives the same names on every run.

The file keeps its comments, key order and quoting (ruamel.yaml round trip); the new entries are
validated before the file is replaced.
"""

from __future__ import annotations

import io
import os
import re
import tempfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq

from didww_iac.api import DidwwClient, Resource
from didww_iac.resource_types import SPECS
from didww_iac.resources.lookups import shared_catalogue, with_names
from didww_iac.resources.mapping import live_entry, live_props
from didww_iac.resources.spec import ADOPT_ID, Reference, ResourceSpec
from didww_iac.stack import LoadedStack, StackFileError, load
from didww_iac.unmanaged import given_back


# The order entries are written in: what is referred to comes before what refers to it.
def _import_order() -> tuple[str, ...]:
    """The importable types (`ResourceSpec.importable`), each after the types it refers to, so a
    reference can be written by logical name (a number names its trunk, an address its identity)."""
    placed: list[str] = []
    visiting: set[str] = set()

    def place(section: str) -> None:
        if section in placed or section in visiting or not SPECS[section].importable:
            return  # a pair referring both ways (groups and numbers) keeps the order it meets
        visiting.add(section)
        for setting in SPECS[section].settings:
            if isinstance(setting, Reference):
                place(setting.section)
        placed.append(section)

    for section in SPECS:
        place(section)
    return tuple(placed)


IMPORT_ORDER = _import_order()
LOGICAL_NAME_LENGTH = 63
# Sections keyed by logical name -> DIDWW id, as the stack's outputs hold them.
ManagedIds = Mapping[str, Mapping[str, str]]


class ImportRefused(Exception):
    """What stops an import before the file is touched (bad input, an entry that would not load)."""


@dataclass
class Imported:
    """What an import adds: per section, logical name -> entry; and what it chose not to."""

    entries: dict[str, dict[str, dict[str, Any]]] = field(default_factory=dict)
    # (group's logical name, number's logical name): numbers to add to the `dids:` list of a
    # shared capacity group the stack declares.
    group_members: list[tuple[str, str]] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)

    @property
    def count(self) -> int:
        return sum(len(e) for e in self.entries.values())


def importable_types(requested: Iterable[str] = ()) -> tuple[str, ...]:
    wanted = tuple(requested)
    unknown = [t for t in wanted if t not in IMPORT_ORDER]
    if unknown:
        raise ImportRefused(
            f"cannot import {', '.join(unknown)}: importable types are {', '.join(IMPORT_ORDER)} "
            "(orders are history: their numbers are imported as dids; reservations last minutes)"
        )
    return tuple(t for t in IMPORT_ORDER if not wanted or t in wanted)


def logical_base(spec: ResourceSpec, live: Mapping[str, Any], id_: str) -> str:
    shown = live.get(spec.display) or live.get("name") or ""
    if spec.api_type == "dids":
        shown = f"did-{shown}"
    slug = re.sub(r"[^a-z0-9_-]+", "-", str(shown).lower()).strip("-_")
    if not slug or not slug[0].isalnum():
        slug = f"{spec.api_type.rstrip('s').replace('_', '-')}-{id_[:8]}"
    return slug[:LOGICAL_NAME_LENGTH].rstrip("-_")


def _unique(base: str, taken: set[str]) -> str:
    name, n = base, 1
    while name in taken:
        n += 1
        suffix = f"-{n}"
        name = base[: LOGICAL_NAME_LENGTH - len(suffix)].rstrip("-_") + suffix
    taken.add(name)
    return name


def plan(loaded: LoadedStack, client: DidwwClient, managed: ManagedIds, types: Iterable[str] = ()) -> Imported:
    """What importing the account into this stack adds; the account is only read."""
    stack = loaded.stack
    result = Imported()
    # (section, id) -> logical name, for every resource the stack manages or this import adds.
    logical: dict[tuple[str, str], str] = {}
    for section, ids in managed.items():
        for name, id_ in ids.items():
            logical[(section, id_)] = name
    for section in SPECS:
        for name, entry in getattr(stack, section).items():
            adopted = getattr(entry, ADOPT_ID, None)
            if adopted:
                logical[(section, adopted)] = name

    def logical_of(section: str, id_: str) -> str | None:
        return logical.get((section, id_))

    listed: dict[str, list[Resource]] = {}
    for section in importable_types(types):
        spec = SPECS[section]
        include = [r for r in spec.include if client.supports_relationship(section, r)]
        listed[section] = sorted(client.iter(section, include=include), key=lambda r: r.id)
    for section, resources in listed.items():
        spec = SPECS[section]
        declared = getattr(stack, section)
        taken = set(declared)
        declared_names = _declared_unique_names(spec, declared)
        fresh: list[tuple[str, Resource, dict[str, Any]]] = []
        for resource in resources:
            if (section, resource.id) in logical or given_back(resource):
                continue
            # Catalogue records (a country) by the name the stack declares them by.
            live = with_names(spec, live_props(spec, resource), shared_catalogue(client))
            holder = declared_names.get(live.get("name"))
            if holder is not None:
                result.skipped.append(
                    f"{section} {resource.id} ({live.get('name')!r}): its name is declared by {section}.{holder}, "
                    "which the next `up` adopts or reports"
                )
                continue
            name = _unique(logical_base(spec, live, resource.id), taken)
            logical[(section, resource.id)] = name
            fresh.append((name, resource, live))
        for name, resource, live in fresh:
            entry = live_entry(spec, live, logical_of)
            entry[ADOPT_ID] = resource.id
            if section == "shared_capacity_groups":
                entry.pop("dids", None)  # declared on the numbers (see the module's decisions)
            if section == "dids":
                _membership_on_the_number(stack, entry, name, result)
            result.entries.setdefault(section, {})[name] = entry
    return result


def _declared_unique_names(spec: ResourceSpec, declared: Mapping[str, Any]) -> dict[Any, str]:
    field_ = spec.field_index.get("name")
    if field_ is None or not field_.unique:
        return {}
    return {getattr(entry, "name", None): logical for logical, entry in declared.items()}


def _membership_on_the_number(stack: Any, entry: dict[str, Any], name: str, result: Imported) -> None:
    group = entry.get("shared_capacity_group")
    if not isinstance(group, str):
        return
    declared = stack.shared_capacity_groups.get(group)
    if declared is not None and declared.dids is not None:
        del entry["shared_capacity_group"]
        result.group_members.append((group, name))


# --- writing the file ---------------------------------------------------------------------------


def _yaml() -> YAML:
    yaml = YAML(typ="rt")
    yaml.preserve_quotes = True
    yaml.indent(mapping=2, sequence=4, offset=2)
    yaml.width = 4096  # long values stay on one line
    return yaml


def _commented(value: Any) -> Any:
    if isinstance(value, Mapping):
        node = CommentedMap()
        for k, v in value.items():
            node[k] = _commented(v)
        return node
    if isinstance(value, list):
        seq = CommentedSeq(_commented(v) for v in value)
        if all(not isinstance(v, (Mapping, list)) for v in value):
            seq.fa.set_flow_style()  # codec_ids: [9, 7]
        return seq
    return value


def merged_text(path: Path, imported: Imported) -> str:
    """The stack file with the imported entries added, as text."""
    yaml = _yaml()
    document = yaml.load(path.read_text(encoding="utf-8")) or CommentedMap()
    for group, member in imported.group_members:
        members = document["shared_capacity_groups"][group]["dids"]
        members.append(member)
    for section in IMPORT_ORDER:
        entries = imported.entries.get(section)
        if not entries:
            continue
        if not isinstance(document.get(section), CommentedMap):
            document[section] = CommentedMap()
        for name, entry in entries.items():
            document[section][name] = _commented(entry)
    out = io.StringIO()
    yaml.dump(document, out)
    return out.getvalue()


def additions_text(imported: Imported) -> str:
    """What `--dry-run` shows: the entries, as they would be written."""
    yaml = _yaml()
    document = CommentedMap()
    for section in IMPORT_ORDER:
        if imported.entries.get(section):
            document[section] = _commented(imported.entries[section])
    out = io.StringIO()
    if document:
        yaml.dump(document, out)
    for group, member in imported.group_members:
        out.write(f"# and {member} added to shared_capacity_groups.{group}.dids\n")
    return out.getvalue()


def write(path: Path, imported: Imported) -> None:
    """Replaces the stack file with the merged one, once the merged one loads cleanly."""
    text = merged_text(path, imported)
    with tempfile.NamedTemporaryFile(
        "w", dir=path.parent, prefix=f".{path.stem}-import-", suffix=".yaml", delete=False, encoding="utf-8"
    ) as out:
        out.write(text)
    candidate = Path(out.name)
    try:
        load(candidate)
    except StackFileError as exc:
        candidate.unlink()
        problems = "\n".join(p.render(path) for p in exc.problems)
        raise ImportRefused(f"the imported entries would not load, so {path} was left as it was:\n{problems}") from None
    os.replace(candidate, path)
