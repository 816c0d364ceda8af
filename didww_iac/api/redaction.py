"""Keeps API keys out of log records, including httpx's own "HTTP Request: GET <url>" lines.

A URL can carry a key when a caller passes one where an id belongs (DIDWW echoes ids back in
paths and error details), so every record of our logger and of httpx's is scrubbed.
"""

from __future__ import annotations

import logging
import threading

_lock = threading.Lock()
_secrets: set[str] = set()
_installed = False
LOGGERS = ("didww_iac.api", "httpx")


def redact(text: str) -> str:
    for secret in _secrets:
        if secret in text:
            text = text.replace(secret, "***")
    return text


class SecretFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if _secrets:
            message = record.getMessage()
            cleaned = redact(message)
            if cleaned != message:
                record.msg, record.args = cleaned, None
        return True


def register_secret(secret: str) -> None:
    """Scrub ``secret`` from every later record of the client's and httpx's loggers."""
    global _installed
    with _lock:
        _secrets.add(secret)
        if not _installed:
            for name in LOGGERS:
                logging.getLogger(name).addFilter(SecretFilter())
            _installed = True
