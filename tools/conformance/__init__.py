"""Conformance of the emulator to DIDWW's OpenAPI document (`make conformance`).

A tool, not a test module: it reads ../shared/reference/ beside the checkout, which `make test`
must not (a fresh clone has none), and drives schemathesis' own runner, so it lives here, out of
pytest's tests/ tree, and runs only from its make target.
"""
