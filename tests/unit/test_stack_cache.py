"""Validated stacks kept by content: the same bytes load once; anything else is parsed afresh."""

from __future__ import annotations

from pathlib import Path

import pytest

from didww_iac.speedups import SWITCH_ENV
from didww_iac.stack import StackFileError, load

STACK = """\
voice_in_trunks:
  pbx:
    name: PBX
    sip:
      username: "{DID}"
      port: 5060
"""


@pytest.fixture
def cache_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.delenv(SWITCH_ENV, raising=False)
    return tmp_path / "cache" / "didww-iac"


def write(tmp_path: Path, text: str, name: str = "test") -> Path:
    path = tmp_path / "stacks" / f"{name}.yaml"
    path.parent.mkdir(exist_ok=True)
    path.write_text(text)
    return path


def kept(cache_home: Path) -> list[Path]:
    return sorted(cache_home.glob("stack-*.pickle"))


def test_a_valid_file_is_kept_and_loads_the_same_from_the_cache(tmp_path: Path, cache_home: Path) -> None:
    path = write(tmp_path, STACK)
    first = load(path)
    assert len(kept(cache_home)) == 1
    second = load(path)
    assert second.stack == first.stack
    assert second.entry_lines("voice_in_trunks", "pbx") == {
        "": 2,
        "name": 3,
        "sip": 4,
        "sip.username": 5,
        "sip.port": 6,
    }
    # Another file with the same bytes is the same answer, under its own path.
    other = load(write(tmp_path, STACK, "other"))
    assert other.path.name == "other.yaml" and other.stack == first.stack
    assert len(kept(cache_home)) == 1


def test_changed_bytes_are_parsed_afresh(tmp_path: Path, cache_home: Path) -> None:
    path = write(tmp_path, STACK)
    load(path)
    path.write_text(STACK.replace("port: 5060", "port: 5070"))
    config = load(path).stack.voice_in_trunks["pbx"].sip
    assert config is not None and config.port == 5070
    assert len(kept(cache_home)) == 2


def test_a_file_that_fails_validation_is_never_kept(tmp_path: Path, cache_home: Path) -> None:
    path = write(tmp_path, STACK.replace("port: 5060", "port: 70000"))
    for _ in range(2):
        with pytest.raises(StackFileError, match=r"test.yaml:6: voice_in_trunks.pbx.sip.port"):
            load(path)
    assert kept(cache_home) == []


def test_a_damaged_entry_is_a_miss(tmp_path: Path, cache_home: Path) -> None:
    path = write(tmp_path, STACK)
    load(path)
    (entry,) = kept(cache_home)
    entry.write_bytes(b"not a pickle")
    assert load(path).stack.voice_in_trunks["pbx"].name == "PBX"
    assert entry.read_bytes() != b"not a pickle"  # written again


def test_the_switch_turns_it_off(tmp_path: Path, cache_home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(SWITCH_ENV, "off")
    load(write(tmp_path, STACK))
    assert kept(cache_home) == []


def test_an_unwritable_cache_only_costs_the_parse(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    blocked = tmp_path / "file"
    blocked.write_text("a file where the cache folder would go")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocked))
    monkeypatch.delenv(SWITCH_ENV, raising=False)
    assert load(write(tmp_path, STACK)).stack.voice_in_trunks["pbx"].name == "PBX"
