"""Run the benchmark: ``python -m bench [--size N]``; prints a table, then every figure as JSON on one line."""

from __future__ import annotations

import argparse
import logging
import os
import statistics
import sys
import tempfile
import time
from dataclasses import replace
from datetime import datetime, timezone
from pathlib import Path

import orjson
import psycopg

from hub.bootstrap import create_credential
from hub.config import load_settings
from hub.db import upgrade_database
from hub.runtime import Runtime
from hub.services.evidence import ensure_skills
from hub.services.statements import Writer

from . import database, processes, queries, report
from .client import Connection, basic_auth, post_batches
from .generate import Population, generate_statements

log = logging.getLogger("bench")

DEFAULT_DATABASE_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/skillwire_bench"
# Redis database 11 and a queue of its own keep the benchmark's jobs apart from other users of the server.
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/11"
QUEUE_NAME = "skillwire-bench"
MAPPING_TIMEOUT_SECONDS = 1800
WORKER_SETTLE_SECONDS = 3.0


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--size", type=int, default=1_000_000,
                        help="statements stored at the last query level (default 1000000); the first level "
                             "is a tenth of it")
    parser.add_argument("--seed", type=int, default=1, help="seed of the generated statements (default 1)")
    parser.add_argument("--ingest", type=int, default=None,
                        help="statements posted over HTTP per ingest run (default: a tenth of --size)")
    parser.add_argument("--runs", type=int, default=3, help="ingest runs; the median is reported (default 3)")
    parser.add_argument("--workers", type=int, default=3, help="gunicorn worker processes (default 3)")
    parser.add_argument("--threads", type=int, default=2,
                        help="threads per gunicorn worker; more than 1 selects the gthread worker (default 2)")
    parser.add_argument("--clients", type=int, default=4, help="concurrent HTTP clients (default 4)")
    parser.add_argument("--batch", type=int, default=100, help="statements per POST (default 100)")
    parser.add_argument("--samples", type=int, default=200, help="requests per query filter (default 200)")
    parser.add_argument("--pages", type=int, default=50, help="pages followed through 'more' (default 50)")
    parser.add_argument("--sqlite-size", type=int, default=10_000,
                        help="statements posted to the embedded SQLite server; 0 skips it (default 10000)")
    parser.add_argument("--log-level", default="INFO", help="SKILLWIRE_LOG_LEVEL of the servers (default INFO)")
    parser.add_argument("--keep", action="store_true", help="keep the benchmark database afterwards")
    args = parser.parse_args(argv)
    args.ingest = args.ingest or max(args.batch, args.size // 10)
    return args


def main(argv: list[str] | None = None) -> int:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s bench %(message)s", stream=sys.stderr)
    args = parse_args(argv)
    database_url = os.environ.get("SKILLWIRE_BENCH_DATABASE_URL", DEFAULT_DATABASE_URL)
    work_dir = Path(tempfile.mkdtemp(prefix="skillwire-bench-"))
    results = {"machine": report.machine(), "date": datetime.now(timezone.utc).isoformat(timespec="seconds"),
               "settings": {key: value for key, value in vars(args).items()}}

    population = Population.create(args.size, args.seed)
    ingest_statements = list(generate_statements(args.ingest, args.seed, population))
    results["statement_bytes_mean"] = round(statistics.fmean(len(orjson.dumps(s)) for s in ingest_statements))

    try:
        results["postgresql"] = run_postgresql(args, database_url, population, ingest_statements, work_dir)
    finally:
        if not args.keep:
            database.drop_database(database_url)

    if args.sqlite_size:
        results["sqlite"] = run_sqlite(args, ingest_statements[: args.sqlite_size], work_dir)

    results["load_average_at_end"] = report.load_average()
    report.print_table(results)
    print(orjson.dumps(results).decode())
    return 0


def run_postgresql(args, database_url: str, population: Population, ingest_statements: list[dict],
                   work_dir: Path) -> dict:
    database.recreate_database(database_url)
    key, secret, credential_id = prepare_hub(database_url, work_dir)
    writer = Writer(credential_id=credential_id, authority={"objectType": "Agent", "name": "bench",
                                                            "account": {"homePage": "http://127.0.0.1",
                                                                        "name": key}})
    flush_redis(DEFAULT_REDIS_URL)

    port = processes.free_port()
    env = processes.hub_environment(database_url, DEFAULT_REDIS_URL, QUEUE_NAME, port, work_dir / "instance",
                                    args.log_level)
    web = processes.WebServer(env, port, args.workers, args.threads, work_dir / "gunicorn.log")
    worker = processes.Worker(env, work_dir / "worker.log")
    sampler = None
    try:
        web.start()
        worker.start()
        # NOTE: the worker's sweep thread and its first job can deadlock on a module import at start, so the
        # benchmark lets the first sweep finish before posting.
        time.sleep(WORKER_SETTLE_SECONDS)
        sampler = processes.MemorySampler({"web": web.process.pid, "rq worker": worker.process.pid})
        sampler.start()

        authorization = basic_auth(key, secret)
        meter = processes.CpuMeter({"web": web.process.pid, "rq worker": worker.process.pid})
        ingest = run_ingest(args, database_url, web.base_url, authorization, ingest_statements, writer, meter)
        levels = run_levels(args, database_url, web.base_url, authorization, population, ingest_statements,
                            writer)
    finally:
        peaks = sampler.stop() if sampler else {}
        web.stop()
        worker.stop()

    return {"ingest": ingest, "levels": levels,
            "peak_rss_mb": {role: round(value / 2**20, 1) for role, value in sorted(peaks.items())},
            "logs": str(work_dir)}


def prepare_hub(database_url: str, work_dir: Path) -> tuple[str, str, int]:
    """Migrate the database, load the skills and create a credential with scope "all"."""
    upgrade_database(database_url)
    settings = replace(load_settings({"SKILLWIRE_INSTANCE_DIR": str(work_dir / "instance")}),
                       database_url=database_url, redis_url=None)
    runtime = Runtime.from_settings(settings)
    try:
        with runtime.sessions.begin() as session:
            ensure_skills(session, runtime.mappings)
        body = create_credential(runtime, "bench", ["all"])
    finally:
        runtime.close()

    with psycopg.connect(database.libpq_url(database_url)) as connection:
        credential_id = connection.execute("SELECT id FROM credentials WHERE key = %s", (body["key"],)).fetchone()[0]
    return body["key"], body["secret"], credential_id


def flush_redis(url: str) -> None:
    from redis import Redis

    Redis.from_url(url).flushdb()


def encode_batches(statements: list[dict], size: int) -> list[bytes]:
    return [orjson.dumps(statements[index:index + size]) for index in range(0, len(statements), size)]


def run_ingest(args, database_url: str, base_url: str, authorization: str, statements: list[dict],
               writer: Writer, meter: processes.CpuMeter) -> dict:
    """Measure COPY and HTTP ingest of the same statements ``args.runs`` times; report medians.

    Each run also records how the machine's CPU time was shared while the HTTP clients posted.
    """
    bodies = encode_batches(statements, args.batch)
    runs = []
    for run in range(1, args.runs + 1):
        database.truncate_ingest_tables(database_url)
        copy_rate = database.measure_copy_rate(database_url, statements, writer, datetime.now(timezone.utc))

        cpu_before = meter.snapshot()
        seconds = post_batches(base_url, authorization, bodies, args.clients)
        cpu_shares = processes.cpu_shares(cpu_before, meter.snapshot(), seconds)
        http_rate = len(statements) / seconds
        mapping_seconds = wait_for_mapping(database_url, DEFAULT_REDIS_URL)
        runs.append({"copy_per_second": round(copy_rate), "http_per_second": round(http_rate),
                     "ratio_to_copy": round(http_rate / copy_rate, 3), "http_seconds": round(seconds, 2),
                     "mapping_done_after_seconds": round(seconds + mapping_seconds, 2),
                     "cpu_percent_during_http": cpu_shares})
        log.info("ingest run %d: %s", run, runs[-1])

    median = {key: statistics.median(run[key] for run in runs) for key in runs[0]
              if key != "cpu_percent_during_http"}
    median["cpu_percent_during_http"] = {
        role: statistics.median(run["cpu_percent_during_http"][role] for run in runs)
        for role in runs[0]["cpu_percent_during_http"]}
    return {"statements": len(statements), "batch": args.batch, "clients": args.clients, "runs": runs,
            "median": median}


def wait_for_mapping(database_url: str, redis_url: str) -> float:
    """Wait until the RQ queue is empty and no statement waits for mapping; return the seconds waited."""
    from redis import Redis
    from rq import Queue

    queue = Queue(QUEUE_NAME, connection=Redis.from_url(redis_url))
    started = time.perf_counter()
    with psycopg.connect(database.libpq_url(database_url), autocommit=True) as connection:
        while time.perf_counter() - started < MAPPING_TIMEOUT_SECONDS:
            pending = connection.execute("SELECT count(*) FROM pending_mappings").fetchone()[0]
            if pending == 0 and queue.count == 0:
                return time.perf_counter() - started
            time.sleep(0.2)
    raise RuntimeError(f"evidence mapping did not finish within {MAPPING_TIMEOUT_SECONDS} s")


def run_levels(args, database_url: str, base_url: str, authorization: str, population: Population,
               ingest_statements: list[dict], writer: Writer) -> dict:
    """Fill the database to each level with COPY and measure the queries there."""
    now = datetime.now(timezone.utc)
    history = database.history_window(now)
    registrations = sorted({s["context"]["registration"] for s in ingest_statements})
    filter_paths = queries.statement_filter_paths(population, registrations, history, args.samples, args.seed)
    stored = len(ingest_statements)
    bulk_source = generate_statements(args.size - stored, args.seed, population, start=stored)

    results = {}
    for level in sorted({max(args.size // 10, stored), args.size}):
        load_seconds = database.bulk_load(database_url, bulk_source, level - stored, writer, *history)
        log.info("level %d reached: bulk-loaded %d statements with COPY in %.1f s", level, level - stored,
                 load_seconds)
        stored = level
        results[str(level)] = measure_level(args, database_url, base_url, authorization, population, filter_paths)
        results[str(level)]["bulk_loaded_with_copy"] = level - len(ingest_statements)
    return results


def measure_level(args, database_url: str, base_url: str, authorization: str, population: Population,
                  filter_paths: dict[str, list[str]]) -> dict:
    with psycopg.connect(database.libpq_url(database_url)) as connection:
        last_seq = connection.execute("SELECT coalesce(max(seq), 0) FROM evidence_changes").fetchone()[0]

    connection = Connection(base_url, authorization)
    try:
        return {
            "queries": queries.measure_statement_queries(connection, filter_paths),
            "paging": queries.measure_paging(connection, population, args.pages, args.seed),
            "evidence_feed": queries.measure_evidence_feed(connection, last_seq, args.samples, args.seed),
            "evidence_changes": last_seq,
        }
    finally:
        connection.close()


def run_sqlite(args, statements: list[dict], work_dir: Path) -> dict:
    """Post statements to the embedded default: ``skillwire run`` on SQLite with jobs in-process."""
    from .sqlite import measure_sqlite_ingest

    return measure_sqlite_ingest(statements, work_dir / "sqlite", args.batch, args.clients, args.log_level)


if __name__ == "__main__":
    sys.exit(main())
