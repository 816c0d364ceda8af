"""Settings a pinned API version does not have are refused offline, at their file and line,
naming the version that has them (they would otherwise be dropped and differ on every refresh)."""

from __future__ import annotations

from pathlib import Path

import pytest

from didww_iac.stack import StackFileError, load_stack

ON_2026_ONLY = """\
api_version: "{version}"
voice_in_trunks:
  pbx:
    name: PBX
    external_reference_id: mine
    sip:
      username: "{{DID}}"
      cnam_lookup: true
voice_out_trunks:
  sbc:
    name: SBC
    rtp_timeout: 30
    emergency_enable_all: false
    authentication:
      type: credentials_and_ip
      tech_prefix: "12"
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "stacks" / "pinned.yaml"
    path.parent.mkdir(exist_ok=True)
    path.write_text(text)
    return path


def test_settings_of_2026_only_are_refused_on_a_2022_pin(tmp_path: Path) -> None:
    with pytest.raises(StackFileError) as info:
        load_stack(write(tmp_path, ON_2026_ONLY.format(version="2022-05-10")))
    lines = str(info.value).splitlines()
    expected = [
        ("5", "voice_in_trunks.pbx.external_reference_id"),
        ("8", "voice_in_trunks.pbx.sip.cnam_lookup"),
        ("12", "voice_out_trunks.sbc.rtp_timeout"),
        ("13", "voice_out_trunks.sbc.emergency_enable_all"),
        ("16", "voice_out_trunks.sbc.authentication.tech_prefix"),
    ]
    for line, setting in expected:
        assert any(f"pinned.yaml:{line}: {setting}: not in API 2022-05-10" in x and "2026-04-16" in x for x in lines), (
            setting,
            lines,
        )
    assert len(lines) == len(expected)


def test_the_same_settings_load_on_a_2026_pin(tmp_path: Path) -> None:
    stack = load_stack(write(tmp_path, ON_2026_ONLY.format(version="2026-04-16")))
    assert stack.voice_out_trunks["sbc"].rtp_timeout == 30
