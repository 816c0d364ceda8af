"""The stack file loader: valid files load; every kind of bad input names file, line and field."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from didww_iac.stack import StackFileError, load_stack
from didww_iac.stack.schema import Stack

VALID = """\
api_version: "2026-04-16"
endpoint: emulator
voice_in_trunks:
  pbx:
    name: PBX
    capacity_limit: 10
    sip:
      username: "{DID}"
      host: pbx.example.com
      port: 5060
  mobile:
    name: Mobile
    pstn:
      dst: "442080000000"
voice_in_trunk_groups:
  office:
    name: Office
    trunks: [pbx, mobile]
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "stacks" / "test.yaml"
    path.parent.mkdir(exist_ok=True)
    path.write_text(text)
    return path


def problems(path: Path) -> list[str]:
    with pytest.raises(StackFileError) as info:
        load_stack(path)
    return str(info.value).splitlines()


def test_valid_stack_loads_and_leaves_out_what_it_does_not_declare(tmp_path: Path) -> None:
    stack = load_stack(write(tmp_path, VALID))
    assert stack.voice_in_trunks["pbx"].sip is not None
    assert stack.voice_in_trunks["pbx"].sip.port == 5060
    # Not declared, not managed: no default of the tool's own stands in for DIDWW's.
    mobile = stack.voice_in_trunks["mobile"]
    assert (mobile.priority, mobile.weight, mobile.ringing_timeout, mobile.cli_format) == (None, None, None, None)
    assert stack.voice_in_trunk_groups["office"].trunks == ["pbx", "mobile"]
    assert stack.rate_limit == 20.0


def test_missing_file_names_the_file_and_the_stacks_that_exist(tmp_path: Path) -> None:
    write(tmp_path, VALID)
    lines = problems(tmp_path / "stacks" / "nope.yaml")
    assert lines == [
        f"{tmp_path}/stacks/nope.yaml: no such stack file; create it, e.g. from stacks/local.yaml (stacks here: test)"
    ]


def test_yaml_syntax_error_names_the_line(tmp_path: Path) -> None:
    path = write(tmp_path, VALID.replace("    capacity_limit: 10\n", "    capacity_limit: [10\n"))
    (line,) = problems(path)
    assert line.startswith(f"{path}:7: YAML syntax error")


def test_unknown_field_names_line_and_dotted_field(tmp_path: Path) -> None:
    path = write(tmp_path, VALID.replace("      port: 5060\n", "      port: 5060\n      colour: red\n"))
    assert problems(path) == [
        f"{path}:11: voice_in_trunks.pbx.sip.colour: unknown field "
        "(check the spelling; see the README for the fields of each resource)"
    ]


def test_wrong_type_and_range_are_all_reported_at_once(tmp_path: Path) -> None:
    text = VALID.replace("capacity_limit: 10", 'capacity_limit: "10"').replace("port: 5060", "port: 70000")
    lines = problems(write(tmp_path, text))
    assert len(lines) == 2
    assert ":6: voice_in_trunks.pbx.capacity_limit: Input should be a valid integer" in lines[0]
    assert ":10: voice_in_trunks.pbx.sip.port: Input should be less than or equal to 65535" in lines[1]


def test_trunk_needs_exactly_one_configuration(tmp_path: Path) -> None:
    text = VALID.replace('    pstn:\n      dst: "442080000000"\n', "")
    (line,) = problems(write(tmp_path, text))
    assert ":11: voice_in_trunks.mobile: declare exactly one of `sip:` or `pstn:`" in line


def test_dangling_trunk_reference(tmp_path: Path) -> None:
    (line,) = problems(write(tmp_path, VALID.replace("[pbx, mobile]", "[pbx, fax]")))
    assert ":18: voice_in_trunk_groups.office.trunks.1: no entry named 'fax'" in line


def test_trunk_in_two_groups_is_refused(tmp_path: Path) -> None:
    text = VALID + "  other:\n    name: Other\n    trunks: [pbx]\n"
    (line,) = problems(write(tmp_path, text))
    assert ":21: voice_in_trunk_groups.other.trunks.0: trunk 'pbx' is already a member of group 'office'" in line


def test_schema_and_reference_problems_are_reported_together(tmp_path: Path) -> None:
    text = VALID.replace("    capacity_limit: 10\n", "    capacity: 10\n").replace(
        "    trunks: [pbx, mobile]\n", "    trunks: [pbx, mobile, fax]\n"
    )
    lines = problems(write(tmp_path, text))
    # pbx is broken (an unknown key) but declared: the group's reference to it is not dangling.
    assert [line.split(": ", 1)[1] for line in lines] == [
        "voice_in_trunks.pbx.capacity: unknown field (check the spelling; see the README for the fields of each "
        "resource)",
        "voice_in_trunk_groups.office.trunks.2: no entry named 'fax' under voice_in_trunks (known: mobile)",
    ]
    assert lines[0].startswith(f"{tmp_path / 'stacks' / 'test.yaml'}:6: ")
    assert ":18: " in lines[1]


def test_unsupported_api_version(tmp_path: Path) -> None:
    (line,) = problems(write(tmp_path, VALID.replace("2026-04-16", "2024-01-01")))
    assert ":1: api_version: Input should be '2022-05-10' or '2026-04-16'" in line


# YAML 1.2 reads these as booleans or null, not as field names.
YAML_RESERVED = {"true", "false", "null"}


@given(
    st.text(alphabet="abcdefghijklmnopqrstuvwxyz_", min_size=1, max_size=12).filter(lambda k: k not in YAML_RESERVED)
)
def test_any_unknown_top_level_key_is_reported_on_its_line(key: str) -> None:
    import tempfile

    if key in Stack.model_fields:  # a section or setting of the stack file
        return
    with tempfile.TemporaryDirectory() as tmp:
        path = write(Path(tmp), VALID + f"{key}: 1\n")
        (line,) = problems(path)
        assert line.startswith(f"{path}:19: {key}: unknown field")


def test_two_entries_with_one_name_name_both_lines(tmp_path: Path) -> None:
    path = tmp_path / "dup.yaml"
    path.write_text(
        'api_version: "2026-04-16"\nendpoint: emulator\nvoice_in_trunk_groups:\n'
        "  a:\n    name: Office\n  b:\n    name: Other\n  c:\n    name: Office\n"
    )
    with pytest.raises(StackFileError) as raised:
        load_stack(path)
    (problem,) = raised.value.problems
    assert (problem.line, problem.field) == (9, "voice_in_trunk_groups.c.name")
    assert "voice_in_trunk_groups.a (line 5)" in problem.message
