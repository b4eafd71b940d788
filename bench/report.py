"""The benchmark's output: the machine it ran on and a short table of the figures."""

from __future__ import annotations

import os
from pathlib import Path

# The targets the table checks each figure against.
INGEST_TARGET_PER_SECOND = 4000
INGEST_TARGET_RATIO = 0.30
SQLITE_TARGET_PER_SECOND = 1000
P50_TARGET_MS = 20
P95_TARGET_MS = 50
RSS_TARGET_MB = 300


def machine() -> dict:
    """Return the core count, CPU model and memory of this machine, read from /proc where it exists."""
    return {"nproc": os.cpu_count(), "cpu": _cpu_model(), "memory_gib": _memory_gib(),
            "load_average_at_start": load_average()}


def load_average() -> list[float] | None:
    """Return the 1, 5 and 15 minute load averages, which show other work competing for the cores."""
    try:
        return [round(value, 2) for value in os.getloadavg()]
    except OSError:
        return None


def _cpu_model() -> str | None:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return None


def _memory_gib() -> float | None:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return round(int(line.split()[1]) / 2**20, 1)
    except OSError:
        pass
    return None


def _mark(ok: bool) -> str:
    return "ok" if ok else "MISS"


def print_table(results: dict) -> None:
    machine_info = results["machine"]
    print(f"Skillwire benchmark, {results['date']}, {machine_info['nproc']} cores, {machine_info['cpu']}, "
          f"{machine_info['memory_gib']} GiB RAM; statements of {results['statement_bytes_mean']} bytes on average")
    print(f"Load average at start {machine_info['load_average_at_start']}, at end {results['load_average_at_end']}")
    postgresql = results.get("postgresql")
    if postgresql:
        _print_ingest(postgresql["ingest"])
    sqlite = results.get("sqlite")
    if sqlite:
        rate = sqlite["http_per_second"]
        print(f"  SQLite HTTP ingest (embedded server)    {rate:>8} statements/s   "
              f"target >= {SQLITE_TARGET_PER_SECOND}: {_mark(rate >= SQLITE_TARGET_PER_SECOND)}")
    if postgresql:
        for level, figures in postgresql["levels"].items():
            _print_level(int(level), figures)
        _print_memory(postgresql["peak_rss_mb"])


def _print_ingest(ingest: dict) -> None:
    median = ingest["median"]
    runs = len(ingest["runs"])
    print(f"\nIngest on PostgreSQL: {ingest['statements']} statements, {ingest['clients']} clients, "
          f"batches of {ingest['batch']}, median of {runs} run(s)")
    print(f"  COPY into equivalent tables             {median['copy_per_second']:>8.0f} statements/s")
    http_ok = median["http_per_second"] >= INGEST_TARGET_PER_SECOND
    ratio_ok = median["ratio_to_copy"] >= INGEST_TARGET_RATIO
    print(f"  HTTP POST /xapi/statements              {median['http_per_second']:>8.0f} statements/s   "
          f"target >= {INGEST_TARGET_PER_SECOND}: {_mark(http_ok)}")
    print(f"  HTTP rate / COPY rate                   {median['ratio_to_copy']:>8.1%}                "
          f"target >= {INGEST_TARGET_RATIO:.0%}: {_mark(ratio_ok)}")
    print(f"  evidence mapped, from first POST        {median['mapping_done_after_seconds']:>8.1f} s")
    shares = ", ".join(f"{role} {share:.0f}%" for role, share in median["cpu_percent_during_http"].items())
    print(f"  CPU of all cores during HTTP ingest     {shares}")


def _print_level(level: int, figures: dict) -> None:
    print(f"\nQueries at {level:,} stored statements ({figures['bulk_loaded_with_copy']:,} of them bulk-loaded "
          f"with COPY into the hub tables); milliseconds, HTTP round trip included")
    print(f"  {'query':<34}{'p50':>8}{'p95':>8}{'max':>8}  rows  target p50 < {P50_TARGET_MS}, p95 < {P95_TARGET_MS}")
    for name, latency in figures["queries"].items():
        _print_latency(f"GET statements, {name}", latency, latency["first_page_statements"])
    for name, latency in figures["paging"].items():
        _print_latency(f"more x{latency['pages']}, {name}", latency, None)
        print(f"  {'':<34}first pages {latency['first_pages_mean_ms']} ms, last pages "
              f"{latency['last_pages_mean_ms']} ms")
    for name, latency in figures["evidence_feed"].items():
        _print_latency(name, latency, None)


def _print_latency(name: str, latency: dict, rows: int | None) -> None:
    ok = latency["p50_ms"] < P50_TARGET_MS and latency["p95_ms"] < P95_TARGET_MS
    rows_text = f"{rows:>6}" if rows is not None else " " * 6
    print(f"  {name:<34}{latency['p50_ms']:>8.1f}{latency['p95_ms']:>8.1f}{latency['max_ms']:>8.1f}{rows_text}  "
          f"{_mark(ok)}")


def _print_memory(peaks: dict) -> None:
    print(f"\nPeak RSS per process (MB), target < {RSS_TARGET_MB}")
    for role, megabytes in peaks.items():
        print(f"  {role:<34}{megabytes:>8.1f}  {_mark(megabytes < RSS_TARGET_MB)}")
