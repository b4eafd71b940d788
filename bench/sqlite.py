"""Ingest into the embedded default: ``skillwire run`` on a SQLite file, with jobs run in-process."""

from __future__ import annotations

import logging
import subprocess
from dataclasses import replace
from pathlib import Path

from hub.bootstrap import create_credential
from hub.config import load_settings
from hub.db import upgrade_database
from hub.runtime import Runtime
from hub.services.evidence import ensure_skills

from . import processes
from .client import basic_auth, post_batches

log = logging.getLogger(__name__)


def measure_sqlite_ingest(statements: list[dict], folder: Path, batch: int, clients: int, log_level: str) -> dict:
    """Return statements per second posted to a fresh embedded server, evidence mapping included."""
    import orjson

    folder.mkdir(parents=True, exist_ok=True)
    database_url = f"sqlite:///{folder / 'skillwire.db'}"
    key, secret = _prepare(database_url, folder)

    port = processes.free_port()
    env = processes.hub_environment(database_url, None, "unused", port, folder, log_level)
    with open(folder / "server.log", "ab") as output:
        server = subprocess.Popen([str(processes.BIN_DIR / "skillwire"), "run", "--port", str(port)], env=env,
                                  cwd=processes.REPO_ROOT, stdout=output, stderr=subprocess.STDOUT)
    try:
        processes.wait_until_ready(f"http://127.0.0.1:{port}/health", server)
        bodies = [orjson.dumps(statements[i:i + batch]) for i in range(0, len(statements), batch)]
        seconds = post_batches(f"http://127.0.0.1:{port}", basic_auth(key, secret), bodies, clients)
        peak = processes.peak_rss_bytes(server.pid)
    finally:
        server.terminate()
        server.wait(timeout=15)

    rate = len(statements) / seconds
    log.info("SQLite ingest: statements=%d seconds=%.2f rate=%.0f", len(statements), seconds, rate)
    return {"statements": len(statements), "http_per_second": round(rate), "http_seconds": round(seconds, 2),
            "peak_rss_mb": round(peak / 2**20, 1) if peak else None}


def _prepare(database_url: str, folder: Path) -> tuple[str, str]:
    upgrade_database(database_url)
    settings = replace(load_settings({"SKILLWIRE_INSTANCE_DIR": str(folder)}), database_url=database_url,
                       redis_url=None)
    runtime = Runtime.from_settings(settings)
    try:
        with runtime.sessions.begin() as session:
            ensure_skills(session, runtime.mappings)
        body = create_credential(runtime, "bench", ["all"])
    finally:
        runtime.close()
    return body["key"], body["secret"]
