"""A background thread that maps statements whose mapping job was lost, at start and then periodically."""

from __future__ import annotations

import logging
import threading

from .logs import context_id

log = logging.getLogger(__name__)


class Sweeper:
    """Run ``map_pending_statements_job`` every ``interval`` seconds until ``stop()``.

    A crash between storing statements and mapping them, or a job that failed all its retries, leaves
    statements in ``pending_mappings``; the sweep maps them, so no accepted statement waits forever.
    """

    def __init__(self, interval: float):
        self.interval = interval
        self._stopped = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="skillwire-sweeper", daemon=True)

    def start(self) -> None:
        # Import the job modules before the thread starts: a first import racing with one in an RQ job
        # deadlocked a worker on Python's module import lock.
        from . import jobs  # noqa: F401
        from .services import evidence  # noqa: F401

        log.info("sweeper started: interval_seconds=%s", self.interval)
        self._thread.start()

    def stop(self) -> None:
        self._stopped.set()
        self._thread.join(timeout=self.interval + 5)
        log.info("sweeper stopped")

    def _loop(self) -> None:
        from .jobs import map_pending_statements_job

        context_id.set("sweeper")
        while not self._stopped.is_set():
            try:
                created = map_pending_statements_job()
                if created:
                    log.info("sweep mapped pending statements: evidence_created=%d", created)
            except Exception:  # The sweep must survive a database outage and try again next round.
                log.exception("sweep failed; retrying in %s seconds", self.interval)
            self._stopped.wait(self.interval)
