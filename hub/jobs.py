"""Background jobs: run in-process on the embedded default, or queued on RQ when Redis is configured.

Jobs are idempotent: each one finds its work in the database (the statements in ``pending_mappings``), so a
job that fails or a worker that dies loses nothing, and the next sweep picks the work up again.
"""

from __future__ import annotations

import logging
import uuid
from typing import Callable

from . import runtime as runtime_module
from .errors import HubError
from .logs import context_id

log = logging.getLogger(__name__)

# RQ retries a failed job after these delays, in seconds.
RETRY_INTERVALS = [5, 30, 120]


class JobQueueError(HubError):
    """Redis could not take a job."""

    status = 503
    code = "queue_unavailable"


class JobRunner:
    def enqueue(self, func: Callable, *args) -> str:
        raise NotImplementedError


class InProcessRunner(JobRunner):
    """Run the job at once in the calling thread; a failure is logged and left for the next sweep."""

    def enqueue(self, func: Callable, *args) -> str:
        job_id = uuid.uuid4().hex
        token = context_id.set(f"job:{job_id}")
        try:
            log.info("job started: job_id=%s func=%s", job_id, func.__name__)
            func(*args)
            log.info("job finished: job_id=%s func=%s", job_id, func.__name__)
        except Exception:
            log.exception("job failed: job_id=%s func=%s; its work stays pending for the next sweep",
                          job_id, func.__name__)
        finally:
            context_id.reset(token)
        return job_id


class RQRunner(JobRunner):
    def __init__(self, redis_url: str, queue_name: str):
        from redis import Redis
        from rq import Queue

        self.connection = Redis.from_url(redis_url)
        self.queue = Queue(queue_name, connection=self.connection)

    def enqueue(self, func: Callable, *args) -> str:
        from redis.exceptions import RedisError
        from rq import Retry

        try:
            job = self.queue.enqueue(func, *args, retry=Retry(max=len(RETRY_INTERVALS), interval=RETRY_INTERVALS))
        except RedisError as error:
            log.warning("job not queued: func=%s queue=%s error=%r", func.__name__, self.queue.name, error)
            raise JobQueueError(f"the job queue is unavailable ({type(error).__name__}); try again later") from error
        log.info("job queued: job_id=%s func=%s queue=%s", job.id, func.__name__, self.queue.name)
        return job.id


def worker_classes():
    """Return RQ's Worker and SimpleWorker with a command channel that stops at once.

    RQ 3.0 polls a worker's command channel with a 60-second timeout, and with redis-py 8 stopping that
    polling thread waits out the whole timeout, so every worker took up to a minute to shut down.
    """
    from rq import SimpleWorker, Worker

    class QuickStop:
        def subscribe(self):
            self.pubsub = self.connection.pubsub()
            self.pubsub.subscribe(**{self.pubsub_channel_name: self.handle_payload})
            self.pubsub_thread = self.pubsub.run_in_thread(
                sleep_time=1, daemon=True, exception_handler=self._pubsub_exception_handler)

    return (type("HubWorker", (QuickStop, Worker), {}), type("HubSimpleWorker", (QuickStop, SimpleWorker), {}))


def create_runner(redis_url: str | None, queue_name: str) -> JobRunner:
    if redis_url is None:
        return InProcessRunner()
    return RQRunner(redis_url, queue_name)


def map_statements_job(statement_pks: list[int]) -> int:
    """Turn the given stored statements into evidence; statements already mapped are skipped."""
    from .services.evidence import map_statements

    runtime = runtime_module.current()
    with runtime.sessions.begin() as session:
        return map_statements(session, runtime.mappings, statement_pks, runtime.settings.account_homepages)


def map_pending_statements_job(batch_size: int = 500) -> int:
    """Map every statement still waiting for evidence mapping; the sweep after failures and restarts."""
    from .services.evidence import map_pending_statements

    runtime = runtime_module.current()
    return map_pending_statements(runtime.sessions, runtime.mappings, runtime.settings.account_homepages,
                                  batch_size)


def sync_connector_job(connector: str, full: bool = False) -> dict:
    """Run one sync of an HR connector and return its run summary (see hub.sync.run_sync)."""
    from .sync import run_sync

    return run_sync(runtime_module.current(), connector, full=full)


def hibob_employee_job(employee_id: str, event_type: str) -> dict:
    """Upsert one HiBob employee named by a webhook event and return the run summary."""
    from .sync import import_hibob_employee

    return import_hibob_employee(runtime_module.current(), employee_id, event_type)
