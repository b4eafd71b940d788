"""Ingest and query benchmark for Skillwire on PostgreSQL, run as ``python -m bench``; see docs/benchmarks.md."""
