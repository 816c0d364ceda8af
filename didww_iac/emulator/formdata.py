"""A strict multipart/form-data parser (RFC 7578) for the one upload DIDWW takes (encrypted_files).

Written here rather than depending on python-multipart: the emulator needs whole in-memory
bodies of a few parts only, and every malformation must become DIDWW's 400 "invalid params".
"""

from __future__ import annotations

import re

from didww_iac.emulator.behaviour import FormPart

MULTIPART = "multipart/form-data"


class MalformedForm(ValueError):
    """The body is not a well-formed multipart/form-data document."""


_PARAM_RE = re.compile(r';\s*([A-Za-z0-9_*-]+)\s*=\s*("(?:[^"\\]|\\.)*"|[^;]*)')


def _params(header_value: str) -> tuple[str, dict[str, str]]:
    """``form-data; name="x"; filename="y"`` -> ("form-data", {"name": "x", "filename": "y"})."""
    kind, _, rest = header_value.partition(";")
    params: dict[str, str] = {}
    for match in _PARAM_RE.finditer(";" + rest):
        value = match.group(2).strip()
        if len(value) >= 2 and value[0] == value[-1] == '"':
            value = re.sub(r"\\(.)", r"\1", value[1:-1])
        params[match.group(1).lower()] = value
    return kind.strip().lower(), params


def boundary_of(content_type: str | None) -> str | None:
    """The boundary of a multipart/form-data Content-Type; None for any other type."""
    kind, params = _params(content_type or "")
    if kind != MULTIPART:
        return None
    boundary = params.get("boundary", "")
    if not 1 <= len(boundary) <= 70:
        raise MalformedForm("a multipart body needs a boundary of 1 to 70 characters")
    return boundary


def parse(body: bytes, boundary: str) -> list[FormPart]:
    """The parts of ``body`` in order (repeated names are kept: the caller decides)."""
    delimiter = b"--" + boundary.encode("latin-1")
    if body.startswith(delimiter):
        rest = body[len(delimiter) :]
    else:  # a preamble is allowed before the first delimiter, which then follows a CRLF
        at = body.find(b"\r\n" + delimiter)
        if at < 0:
            raise MalformedForm("no opening boundary")
        rest = body[at + 2 + len(delimiter) :]
    parts: list[FormPart] = []
    for section in rest.split(b"\r\n" + delimiter):
        if section.startswith(b"--"):
            return parts  # the closing delimiter; what follows is an epilogue
        line_end = section.find(b"\r\n")
        if line_end < 0 or section[:line_end].strip(b" \t"):
            raise MalformedForm("a boundary must end its line")
        content = section[line_end + 2 :]
        if content.startswith(b"\r\n"):
            raise MalformedForm("a part has no headers, so no name")
        head, separator, value = content.partition(b"\r\n\r\n")
        if not separator:
            raise MalformedForm("a part has no blank line after its headers")
        parts.append(_part(head, value))
    raise MalformedForm("no closing boundary")


def _part(head: bytes, value: bytes) -> FormPart:
    headers: dict[str, str] = {}
    for line in head.decode("utf-8", "replace").split("\r\n"):
        name, colon, text = line.partition(":")
        if not colon:
            raise MalformedForm(f"bad part header {line!r}")
        headers[name.strip().lower()] = text.strip()
    kind, params = _params(headers.get("content-disposition", ""))
    if kind != "form-data" or "name" not in params:
        raise MalformedForm("every part needs Content-Disposition: form-data with a name")
    return FormPart(params["name"], value, params.get("filename"), headers.get("content-type"))
