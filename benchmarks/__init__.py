"""Benchmarks: run all with `make bench` (python -m benchmarks); never part of `make test`."""
