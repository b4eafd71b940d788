"""Sync runs as RQ jobs on a real Redis server (SKILLWIRE_TEST_REDIS_URL)."""

from __future__ import annotations

import os
from dataclasses import replace

import pytest
import responses
from redis import Redis

from hub import runtime as runtime_module
from hub.jobs import RQRunner, worker_classes
from hub.models import SyncRun
from hub.sync import SYNC_JOB_TIMEOUT_SECONDS, SyncScheduler, enqueue_sync

pytestmark = pytest.mark.redis

HIBOB_URL = "https://hibob.test/v1/"
HIBOB_EMPLOYEES = {"employees": [{"id": "7", "email": "first007.last007@example.com", "internal": {"status": "Active"}}]}
QUEUE = "skillwire-sync-test"


@pytest.fixture
def redis_url() -> str:
    url = os.environ.get("SKILLWIRE_TEST_REDIS_URL")
    if not url:
        pytest.skip("SKILLWIRE_TEST_REDIS_URL is not set; CI sets it to a real Redis")
    Redis.from_url(url).flushdb()
    return url


@pytest.fixture
def rq_runtime(runtime, clean_db, redis_url):
    """The test runtime with HiBob configured and jobs sent to RQ on the test Redis, restored afterwards."""
    original_settings, original_jobs, original_current = runtime.settings, runtime.jobs, runtime_module._current
    runtime.settings = replace(original_settings, redis_url=redis_url, queue_name=QUEUE,
                               hibob_service_user_id="SERVICE-1", hibob_service_user_token="t",
                               hibob_base_url=HIBOB_URL, sync_schedule={"hibob": 3600},
                               sync_retry_attempts=1, sync_backoff_seconds=0.0)
    runtime.jobs = RQRunner(redis_url, QUEUE)
    runtime_module.set_current(runtime)
    yield runtime
    runtime.settings, runtime.jobs = original_settings, original_jobs
    runtime_module.set_current(original_current)


def run_worker(runtime) -> None:
    _, simple_worker_class = worker_classes()
    simple_worker_class([runtime.jobs.queue], connection=runtime.jobs.connection).work(burst=True)


def hibob_runs(runtime) -> list[SyncRun]:
    with runtime.sessions() as session:
        return session.query(SyncRun).filter_by(connector="hibob").all()


def test_sync_job_runs_on_rq_worker(rq_runtime):
    job_id = enqueue_sync(rq_runtime, "hibob")

    job = rq_runtime.jobs.queue.fetch_job(job_id)
    assert job.timeout == SYNC_JOB_TIMEOUT_SECONDS
    assert hibob_runs(rq_runtime) == []

    with responses.RequestsMock() as mocked:
        mocked.post(HIBOB_URL + "people/search", json=HIBOB_EMPLOYEES)
        run_worker(rq_runtime)

    runs = hibob_runs(rq_runtime)
    assert [(run.status, run.created) for run in runs] == [("succeeded", 1)]
    assert job.get_status(refresh=True) == "finished"


def test_failed_sync_job_recorded_not_retried(rq_runtime):
    enqueue_sync(rq_runtime, "hibob")

    with responses.RequestsMock() as mocked:
        mocked.post(HIBOB_URL + "people/search", status=503)
        run_worker(rq_runtime)

    assert [run.status for run in hibob_runs(rq_runtime)] == ["failed"]
    assert rq_runtime.jobs.queue.count == 0


def test_scheduler_enqueues_without_running(rq_runtime):
    scheduler = SyncScheduler(rq_runtime)

    first = scheduler.tick()
    second = scheduler.tick()

    assert first == ["hibob"]
    assert second == []
    assert rq_runtime.jobs.queue.count == 1
    assert hibob_runs(rq_runtime) == []
