"""Reading stacks/<env>.yaml into a validated `Stack`, with errors a person can act on.

ruamel.yaml keeps the line of every key, so each problem (a YAML syntax error, a wrong type, an
unknown field, a dangling reference) is reported as `file:line: field: what is wrong`, all of
them at once, before any API call.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import MarkedYAMLError

# The module, not its names: the types' declarations import the stack schema, which imports
# this package, so their names exist only once both have loaded.
from didww_iac import resource_types
from didww_iac.api.versions import attributes_missing_in, relationships_missing_in, types_missing_in
from didww_iac.resources.documents import missing_documents
from didww_iac.resources.mapping import entry_key, references
from didww_iac.settings import LATEST_API_VERSION
from didww_iac.stack import cache
from didww_iac.stack.schema import Stack


@dataclass(frozen=True)
class Problem:
    line: int | None
    field: str
    message: str
    # For a dangling reference: the (section, name) it names, so that a reference to an entry
    # that exists but failed the schema is not reported as dangling too.
    refers_to: tuple[str, str] | None = None

    def render(self, path: Path) -> str:
        where = f"{path}:{self.line}" if self.line is not None else str(path)
        return f"{where}: {self.field}: {self.message}" if self.field else f"{where}: {self.message}"


class StackFileError(Exception):
    """Raised with every problem found in one stack file."""

    def __init__(self, path: Path, problems: Sequence[Problem]) -> None:
        self.path = path
        self.problems = tuple(problems)
        super().__init__("\n".join(p.render(path) for p in self.problems))


def stack_path(project_dir: Path, stack_name: str) -> Path:
    return project_dir / "stacks" / f"{stack_name}.yaml"


@dataclass(frozen=True)
class LoadedStack:
    """A validated stack and where each of its entries' settings stands in the file."""

    stack: Stack
    path: Path
    # (section, logical name) -> 1-based line of every setting of the entry, by dotted path
    # relative to it ("" is the entry itself), e.g. {"": 7, "name": 8, "sip": 10, "sip.port": 12}.
    lines: dict[tuple[str, str], dict[str, int]]

    def entry_lines(self, section: str, name: str) -> dict[str, int]:
        return self.lines.get((section, name), {})


def _entry_lines(document: CommentedMap) -> dict[tuple[str, str], dict[str, int]]:
    found: dict[tuple[str, str], dict[str, int]] = {}
    for section, entries in document.items():
        if not isinstance(entries, CommentedMap):
            continue
        for name, entry in entries.items():
            lines = {"": entries.lc.key(name)[0] + 1}
            _collect_lines(entry, "", lines)
            found[(str(section), str(name))] = lines
    return found


def _collect_lines(node: Any, dotted: str, lines: dict[str, int]) -> None:
    if isinstance(node, CommentedMap):
        for key, value in node.items():
            path = f"{dotted}.{key}" if dotted else str(key)
            lines[path] = node.lc.key(key)[0] + 1
            _collect_lines(value, path, lines)


def load_stack(path: Path) -> Stack:
    return load(path).stack


def load(path: Path) -> LoadedStack:
    if not path.is_file():
        stacks = sorted(p.stem for p in path.parent.glob("*.yaml")) if path.parent.is_dir() else []
        hint = f" (stacks here: {', '.join(stacks)})" if stacks else ""
        raise StackFileError(
            path, [Problem(None, "", f"no such stack file; create it, e.g. from stacks/local.yaml{hint}")]
        )
    content = path.read_bytes()
    known = cache.validated(content)
    if known is not None:
        return _with_documents(LoadedStack(known.stack, path, known.lines))
    try:
        document = YAML(typ="rt").load(content.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise StackFileError(path, [Problem(None, "", f"not UTF-8 text: {exc.reason} at byte {exc.start}")]) from None
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        raise StackFileError(path, [Problem(line, "", f"YAML syntax error: {exc.problem or exc}")]) from None
    if document is None:
        document = CommentedMap()
    if not isinstance(document, CommentedMap):
        raise StackFileError(path, [Problem(1, "", "the stack file must be a mapping of settings")])
    try:
        stack = Stack.model_validate(document)
    except ValidationError as exc:
        errors = exc.errors()
        problems = [Problem(_line_of(document, err["loc"]), _dotted(err["loc"]), _message(err)) for err in errors]
        found = sorted(problems + _references_beside(document, errors), key=lambda p: p.line or 0)
        raise StackFileError(path, found) from None
    problems = _reference_problems(stack, document)
    if problems:
        raise StackFileError(path, problems)
    lines = _entry_lines(document)
    cache.remember(content, cache.Validated(stack, lines))
    return _with_documents(LoadedStack(stack, path, lines))


def _with_documents(loaded: LoadedStack) -> LoadedStack:
    """Every declared document can be read. Checked on every load, cached or not: the files
    change apart from the stack file."""
    problems = [
        Problem(loaded.entry_lines(section, name).get(missing.key), f"{section}.{name}.{missing.key}", str(missing))
        for section, spec in resource_types.SPECS.items()
        for name, entry in getattr(loaded.stack, section).items()
        for missing in missing_documents(spec, entry, loaded.path)
    ]
    if problems:
        raise StackFileError(loaded.path, problems)
    return loaded


def _references_beside(document: CommentedMap, errors: Sequence[Any]) -> list[Problem]:
    """The reference problems of the entries that passed the schema, so one run reports both
    kinds: the broken entries are left out (a reference to one is not dangling: it is fixed
    with the entry), and so are top-level settings that failed."""
    broken: set[tuple[str, str]] = set()
    partial = {key: dict(value) if isinstance(value, dict) else value for key, value in document.items()}
    for err in errors:
        loc = err["loc"]
        if not loc:
            return []  # a rule on the whole file: nothing to check beside it
        section = partial.get(loc[0])
        if len(loc) >= 2 and isinstance(section, dict) and isinstance(loc[1], str):
            section.pop(loc[1], None)
            broken.add((str(loc[0]), loc[1]))
        else:
            partial.pop(loc[0], None)
    try:
        stack = Stack.model_validate(partial)
    except ValidationError:
        return []
    return [p for p in _reference_problems(stack, document) if p.refers_to not in broken]


def _message(err: Any) -> str:
    if err["type"] == "extra_forbidden":
        return "unknown field (check the spelling; see the README for the fields of each resource)"
    msg: str = err["msg"]
    return msg.removeprefix("Value error, ")


def _dotted(loc: Sequence[int | str]) -> str:
    return ".".join(str(p) for p in loc if p not in ("function-after",))


def _line_of(document: Any, loc: Sequence[int | str]) -> int | None:
    """The 1-based line of the deepest part of `loc` that exists in the document."""
    node = document
    line: int | None = (document.lc.line + 1) if hasattr(document, "lc") else None
    for part in loc:
        if isinstance(node, CommentedMap) and part in node:
            line = node.lc.key(part)[0] + 1
            node = node[part]
        elif isinstance(node, CommentedSeq) and isinstance(part, int) and 0 <= part < len(node):
            line = node.lc.item(part)[0] + 1
            node = node[part]
        else:
            break
    return line


def _reference_problems(stack: Stack, document: CommentedMap) -> list[Problem]:
    """Cross-references by logical name: members must exist and belong to one group only;
    DIDs must name declared trunks, groups and orders, and no number may be claimed twice."""
    problems = (
        _dangling_references(stack, document)
        + _membership_problems(stack, document)
        + _unique_name_problems(stack, document)
        + _version_problems(stack, document)
    )

    def refused(loc: tuple[str | int, ...], message: str, refers_to: tuple[str, str] | None = None) -> None:
        problems.append(Problem(_line_of(document, loc), _dotted(loc), message, refers_to))

    if stack.api_version != LATEST_API_VERSION:
        for name, placed in stack.orders.items():
            if placed.adopt_id is None:
                refused(
                    ("orders", name),
                    f"placing orders needs api_version {LATEST_API_VERSION}: its external_reference_id is what "
                    "makes a retried `up` find the order instead of paying twice; pin that version, or adopt an "
                    "existing order with `adopt_id`",
                )
    claimed: dict[tuple[str, str], str] = {}
    for name, did in stack.dids.items():
        ordered = stack.orders.get(did.order) if did.order is not None else None
        if ordered is not None and did.index >= ordered.numbers:
            refused(
                ("dids", name, "index"),
                f"order '{did.order}' delivers {ordered.numbers} numbers: index must be below {ordered.numbers}",
            )
        key = ("order", f"{did.order}#{did.index}") if did.order else ("number", str(did.number or did.adopt_id))
        if key in claimed:
            refused(("dids", name), f"the same number is already declared by dids.{claimed[key]}")
        claimed.setdefault(key, name)
    problems.extend(_capacity_problems(stack, document))
    return problems


def _dangling_references(stack: Stack, document: CommentedMap) -> list[Problem]:
    """Every logical name an entry refers to (as each type declares its references) names an
    entry of the section it refers to."""
    problems: list[Problem] = []
    for section, spec in resource_types.SPECS.items():
        for name, entry in getattr(stack, section).items():
            for ref in references(spec, entry):
                targets = getattr(stack, ref.section)
                if ref.name in targets:
                    continue
                loc = (section, name, *ref.loc)
                known = ", ".join(sorted(targets)) or "none declared"
                message = f"no entry named '{ref.name}' under {ref.section} (known: {known})"
                problems.append(Problem(_line_of(document, loc), _dotted(loc), message, (ref.section, ref.name)))
    return problems


def _version_problems(stack: Stack, document: CommentedMap) -> list[Problem]:
    """Settings the pinned API version does not have: DIDWW would never hold them, so they
    would differ on every refresh. Read from the versions' declared differences."""
    problems: list[Problem] = []
    for missing in attributes_missing_in(stack.api_version):
        spec = resource_types.SPECS.get(missing.resource)
        if spec is None:
            continue
        for name, entry in getattr(stack, missing.resource).items():
            if missing.within is None:
                key = entry_key(spec, missing.attribute, set())
                declared = getattr(entry, key, None) is not None
                loc: tuple[str | int, ...] = (missing.resource, name, key)
            else:
                prop, variant = missing.within
                key = entry_key(spec, prop, set(), variant)
                nested = getattr(entry, key, None)
                declared = nested is not None and getattr(nested, missing.attribute, None) is not None
                loc = (missing.resource, name, key, missing.attribute)
            if declared:
                problems.append(
                    Problem(
                        _line_of(document, loc),
                        _dotted(loc),
                        f"not in API {stack.api_version} (this stack's api_version): it exists from "
                        f"{LATEST_API_VERSION} on; remove it, or pin api_version {LATEST_API_VERSION}",
                    )
                )
    for relationship in relationships_missing_in(stack.api_version):
        spec = resource_types.SPECS.get(relationship.resource)
        if spec is None:
            continue
        key = entry_key(spec, relationship.name, set())
        for name, entry in getattr(stack, relationship.resource).items():
            if getattr(entry, key, None) is not None:
                loc = (relationship.resource, name, key)
                problems.append(Problem(_line_of(document, loc), _dotted(loc), _newer(stack.api_version)))
    for new_type in types_missing_in(stack.api_version):
        if new_type.resource in resource_types.SPECS and getattr(stack, new_type.resource):
            loc = (new_type.resource,)
            message = f"{new_type.note or new_type.resource + ' is new'}: " + _newer(stack.api_version)
            problems.append(Problem(_line_of(document, loc), _dotted(loc), message))
    return problems


def _newer(version: str) -> str:
    return (
        f"not in API {version} (this stack's api_version): it exists from {LATEST_API_VERSION} on; "
        f"remove it, or pin api_version {LATEST_API_VERSION}"
    )


def _capacity_problems(stack: Stack, document: CommentedMap) -> list[Problem]:
    """Pools adopted once each; groups and DIDs name declared pools and groups; a number is in
    one shared capacity group at most, its membership declared in one place; a number is
    reserved once."""
    problems: list[Problem] = []

    def refused(loc: tuple[str | int, ...], message: str, refers_to: tuple[str, str] | None = None) -> None:
        problems.append(Problem(_line_of(document, loc), _dotted(loc), message, refers_to))

    adopted: dict[str, str] = {}
    for name, pool in stack.capacity_pools.items():
        key = f"name {pool.name}" if pool.name is not None else f"id {pool.adopt_id}"
        if key in adopted:
            refused(("capacity_pools", name), f"the same pool is already declared by capacity_pools.{adopted[key]}")
        adopted.setdefault(key, name)
    member_of: dict[str, str] = {}
    for name, group in stack.shared_capacity_groups.items():
        for i, did_name in enumerate(group.dids or []):
            loc = ("shared_capacity_groups", name, "dids", i)
            did = stack.dids.get(did_name)
            if did is None:
                continue  # a dangling reference, reported as one
            if did_name in member_of and member_of[did_name] != name:
                refused(
                    loc,
                    f"'{did_name}' is already in group '{member_of[did_name]}'; "
                    "a number belongs to one shared capacity group at most",
                )
            elif did.shared_capacity_group is not None or did.shared_capacity_group_id is not None:
                refused(
                    loc,
                    f"dids.{did_name} names its own shared capacity group: declare the membership in one "
                    "place (here, or on the number)",
                )
            member_of.setdefault(did_name, name)
    for name, did in stack.dids.items():
        if did.shared_capacity_group is None:
            continue
        named = stack.shared_capacity_groups.get(did.shared_capacity_group)
        at = ("dids", name, "shared_capacity_group")
        if named is not None and named.dids is not None:
            refused(
                at,
                f"group '{did.shared_capacity_group}' lists its numbers under `dids:`; add '{name}' there "
                "instead (the membership is declared in one place)",
            )
    reserved: dict[str, str] = {}
    for name, reservation in stack.did_reservations.items():
        if reservation.available_did_id in reserved:
            refused(
                ("did_reservations", name, "available_did_id"),
                f"the same number is already reserved by did_reservations.{reserved[reservation.available_did_id]}",
            )
        reserved.setdefault(reservation.available_did_id, name)
    return problems


def unique_name_sections() -> tuple[str, ...]:
    """Sections whose `name` DIDWW keeps unique in an account (`unique=True` on the type's name):
    a second entry with the same name would be refused mid-apply."""
    return tuple(
        section
        for section, spec in resource_types.SPECS.items()
        if (field := spec.field_index.get("name")) is not None and field.unique
    )


def _unique_name_problems(stack: Stack, document: CommentedMap) -> list[Problem]:
    problems: list[Problem] = []
    for section in unique_name_sections():
        first: dict[str, str] = {}
        for entry, declared in getattr(stack, section).items():
            name = getattr(declared, "name", None)
            if name is None:
                continue
            if name in first:
                other = first[name]
                line = _line_of(document, (section, other, "name"))
                problems.append(
                    Problem(
                        _line_of(document, (section, entry, "name")),
                        f"{section}.{entry}.name",
                        f"{name!r} is also the name of {section}.{other} (line {line}); DIDWW keeps the names "
                        f"of {section} unique in an account: give each entry its own",
                    )
                )
            else:
                first[name] = entry
    return problems


def _membership_problems(stack: Stack, document: CommentedMap) -> list[Problem]:
    problems: list[Problem] = []
    owner: dict[str, str] = {}
    for group_name, group in stack.voice_in_trunk_groups.items():
        for i, trunk in enumerate(group.trunks or []):
            loc = ("voice_in_trunk_groups", group_name, "trunks", i)
            if trunk not in stack.voice_in_trunks:
                continue  # a dangling reference, reported as one
            if trunk in owner and owner[trunk] != group_name:
                problems.append(
                    Problem(
                        _line_of(document, loc),
                        _dotted(loc),
                        f"trunk '{trunk}' is already a member of group '{owner[trunk]}'; "
                        "a trunk belongs to one group at most",
                    )
                )
            else:
                owner[trunk] = group_name
    return problems
