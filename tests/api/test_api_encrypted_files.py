"""DidwwClient.public_keys / upload_encrypted_file against the emulator over HTTP: both versions'
upload formats, key caching and the one retry after "outdated fingerprint", retries of a lost
upload, the version pin, and no API key in errors or logs."""

from __future__ import annotations

import logging
import traceback

import pytest
from didww_api_helpers import clear_log, faults, logged, settings_for

from didww_iac.api import ClientSettings, DidwwClient, NotFoundError, ValidationError, VersionMismatchError
from didww_iac.api import client as client_module
from didww_iac.api.encryption import fingerprint
from didww_iac.emulator.clock import parse_iso
from didww_iac.emulator.resources import files
from didww_iac.emulator.testing import RunningEmulator, running_emulator

V2022, V2026 = "2022-05-10", "2026-04-16"
PDF = b"%PDF-1.7\n" + b"passport scan " * 100


def _calls(emu: RunningEmulator) -> list[tuple[str, str, int | None]]:
    return [(e["method"], e["path"], e["status"]) for e in logged(emu)]


@pytest.mark.parametrize("version", [V2022, V2026])
def test_public_keys_are_fetched_without_the_key(version: str) -> None:
    with (
        running_emulator(api_version=version, rate_limit=None, request_log=True) as emu,
        DidwwClient(settings_for(emu, api_version=version)) as c,
    ):
        keys = c.public_keys()
        assert keys == list(files.current_keys().pems)  # DIDWW's order
        assert fingerprint(keys) == files.current_keys().fingerprint  # the emulator's own computation
        (entry,) = logged(emu)
        assert entry["path"] == "/v3/public_keys" and entry["has_api_key"] is False
        assert entry["api_version_header"] == version


@pytest.mark.parametrize("version", [V2022, V2026])
def test_upload_returns_the_file_and_the_emulator_reads_it(version: str) -> None:
    with (
        running_emulator(api_version=version, rate_limit=None, request_log=True) as emu,
        DidwwClient(settings_for(emu, api_version=version)) as c,
    ):
        uploaded = c.upload_encrypted_file(PDF, "passport.pdf")
        assert uploaded.type == "encrypted_files"
        assert set(uploaded.attributes) == {"description", "expires_at"}  # canonical in both versions
        assert uploaded.attributes["description"] == "passport.pdf"
        record = emu.state.get("encrypted_files", uploaded.id)
        assert record.internal["content_kind"] == "pdf" and record.internal["plaintext_bytes"] == len(PDF)
        expires = parse_iso(uploaded.attributes["expires_at"])
        assert expires == pytest.approx(record.internal["uploaded"] + 86400, abs=0.002)
        assert c.get("encrypted_files", uploaded.id) == uploaded
        assert [f.id for f in c.list("encrypted_files")] == [uploaded.id]
        second = c.upload_encrypted_file(b"\x89PNG\r\n\x1a\nrest", None)
        assert second.attributes["description"] is None
        assert emu.state.get("encrypted_files", second.id).internal["content_kind"] == "png"
        # The keys were fetched once and kept.
        assert [p for m, p, _ in _calls(emu) if p == "/v3/public_keys"] == ["/v3/public_keys"]
        c.delete("encrypted_files", uploaded.id)
        with pytest.raises(NotFoundError):
            c.get("encrypted_files", uploaded.id)
        with pytest.raises(NotFoundError):
            c.delete("encrypted_files", uploaded.id)


@pytest.mark.parametrize("version", [V2022, V2026])
def test_outdated_fingerprint_fetches_the_keys_again_and_retries_once(version: str) -> None:
    with (
        running_emulator(api_version=version, rate_limit=None, request_log=True) as emu,
        DidwwClient(settings_for(emu, api_version=version)) as c,
    ):
        c.upload_encrypted_file(PDF, "first")
        files.rotate_keys()  # DIDWW changed its keys after the client fetched them
        clear_log(emu)
        uploaded = c.upload_encrypted_file(PDF, "after rotation")
        assert emu.state.get("encrypted_files", uploaded.id).internal["decryption"] == "ok"
        posts = [(m, s) for m, p, s in _calls(emu) if p in ("/v3/encrypted_files", "/v3/public_keys")]
        assert posts == [("POST", 422), ("GET", 200), ("POST", 201)]


def test_a_second_outdated_fingerprint_is_raised(monkeypatch: pytest.MonkeyPatch) -> None:
    with running_emulator(rate_limit=None, request_log=True) as emu, DidwwClient(settings_for(emu)) as c:
        stale = c.public_keys()
        files.rotate_keys()
        monkeypatch.setattr(c, "public_keys", lambda: stale)  # keys that stay outdated
        with pytest.raises(ValidationError) as info:
            c.upload_encrypted_file(PDF, "x")
        assert info.value.status == 422 and info.value.pointers == {"/data": ["outdated fingerprint"]}
        assert [s for m, p, s in _calls(emu) if m == "POST"] == [422, 422]


def test_an_upload_whose_answer_was_lost_is_sent_again() -> None:
    """A duplicate is harmless (it expires unused): see DidwwClient._upload."""
    with running_emulator(rate_limit=None, request_log=True) as emu, DidwwClient(settings_for(emu)) as c:
        c.public_keys()
        c.verify_version("encrypted_files")
        faults(emu, lose_answer_next=1, lose_answer_method="POST")
        uploaded = c.upload_encrypted_file(PDF, "scan")
        listed = [f.id for f in c.list("encrypted_files")]
        assert len(listed) == 2 and listed[-1] == uploaded.id  # the lost one stays until it expires
        faults(emu, fail_next=1, error_status=503)
        c.upload_encrypted_file(PDF, "after a 503")
        outcomes = [e["outcome"] for e in logged(emu) if e["method"] == "POST"]
        assert outcomes == ["answer_lost", "response", "error", "response"]


def test_a_pin_the_account_ignores_stops_before_the_upload() -> None:
    with (
        running_emulator(api_version=V2026, rate_limit=None, request_log=True) as emu,
        DidwwClient(settings_for(emu, api_version=V2022)) as c,
    ):
        c.public_keys()  # no meta in 2026, so nothing to check yet
        with pytest.raises(VersionMismatchError):
            c.upload_encrypted_file(PDF, "x")
        assert [m for m, _, _ in _calls(emu)] == ["GET", "GET"]  # the keys, then the preflight


def test_refused_before_sending(monkeypatch: pytest.MonkeyPatch) -> None:
    with running_emulator(rate_limit=None, request_log=True) as emu, DidwwClient(settings_for(emu)) as c:
        with pytest.raises(ValueError, match="empty"):
            c.upload_encrypted_file(b"", "x")
        monkeypatch.setattr(client_module, "MAX_ENCRYPTED_FILE_BYTES", 1024)
        with pytest.raises(ValueError, match="20 MB"):
            c.upload_encrypted_file(PDF, "too big")
        assert [m for m, _, _ in _calls(emu)] == ["GET"]  # the keys only


def test_api_key_appears_in_no_error_and_no_log_line(
    caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    key = "KEY-upl0ad-5ecret-0123456789"
    caplog.set_level(logging.DEBUG)
    with (
        running_emulator(api_keys=[key], rate_limit=None) as emu,
        DidwwClient(ClientSettings(api_key=key, endpoint=emu.base_url, backoff_base=0.01)) as c,
    ):
        c.upload_encrypted_file(PDF, key)  # even as the description
        stale = c.public_keys()
        files.rotate_keys()
        monkeypatch.setattr(c, "public_keys", lambda: stale)
        with pytest.raises(ValidationError) as info:
            c.upload_encrypted_file(PDF, key)
        with pytest.raises(NotFoundError) as missing:
            c.get("encrypted_files", key)
    for exc in (info.value, missing.value):
        text = "".join(traceback.format_exception(exc)) + repr(vars(exc))
        assert key not in text
    assert caplog.records
    assert all(key not in r.getMessage() for r in caplog.records)
