"""Evidence mapping as RQ jobs on a real Redis server (SKILLWIRE_TEST_REDIS_URL)."""

from __future__ import annotations

import os
from dataclasses import replace

import pytest
from redis import Redis

from hub.jobs import RQRunner, map_pending_statements_job, worker_classes
from hub.models import Evidence, PendingMapping
from hub.services.statements import Writer, store_statements
from hub.services.evidence import schedule_mapping

pytestmark = pytest.mark.redis

COMPLETED_COURSE = {
    "actor": {"mbox": "mailto:rq-learner@example.com"},
    "verb": {"id": "http://adlnet.gov/expapi/verbs/completed"},
    "object": {"id": "http://www.example.org/course/view.php?id=1",
               "definition": {"type": "http://id.tincanapi.com/activitytype/lms/course"}},
    "context": {"platform": "Moodle"},
}


@pytest.fixture
def redis_url() -> str:
    url = os.environ.get("SKILLWIRE_TEST_REDIS_URL")
    if not url:
        pytest.skip("SKILLWIRE_TEST_REDIS_URL is not set; CI sets it to a real Redis")
    Redis.from_url(url).flushdb()
    return url


@pytest.fixture
def rq_runtime(runtime, clean_db, redis_url):
    """The test runtime with jobs sent to RQ on the test Redis, restored afterwards."""
    original_settings, original_jobs = runtime.settings, runtime.jobs
    runtime.settings = replace(original_settings, redis_url=redis_url, queue_name="skillwire-test")
    runtime.jobs = RQRunner(redis_url, "skillwire-test")
    yield runtime
    runtime.settings, runtime.jobs = original_settings, original_jobs


def _store(runtime, statements) -> list[int]:
    writer = Writer(credential_id=None, authority={"objectType": "Agent", "mbox": "mailto:test@example.com"})
    with runtime.sessions.begin() as session:
        result = store_statements(session, statements, "1.0.3", writer)
    return result.inserted_pks


def _run_worker(runtime) -> None:
    _, simple_worker_class = worker_classes()
    simple_worker_class([runtime.jobs.queue], connection=runtime.jobs.connection).work(burst=True)


def _count(runtime, model) -> int:
    with runtime.sessions() as session:
        return session.query(model).count()


def test_mapping_job_runs_on_rq_worker(rq_runtime):
    pks = _store(rq_runtime, [COMPLETED_COURSE])

    schedule_mapping(rq_runtime, pks)
    assert rq_runtime.jobs.queue.count == 1
    assert _count(rq_runtime, Evidence) == 0

    _run_worker(rq_runtime)

    assert rq_runtime.jobs.queue.count == 0
    assert _count(rq_runtime, Evidence) > 0
    with rq_runtime.sessions() as session:
        assert session.query(PendingMapping).count() == 0


def test_job_run_twice_maps_once(rq_runtime):
    pks = _store(rq_runtime, [COMPLETED_COURSE])

    schedule_mapping(rq_runtime, pks)
    schedule_mapping(rq_runtime, pks)
    _run_worker(rq_runtime)

    assert _count(rq_runtime, Evidence) == 1


def test_lost_job_is_recovered_by_sweep(rq_runtime):
    """Statements whose job never ran (a worker died, Redis was flushed) are mapped by the sweep."""
    _store(rq_runtime, [COMPLETED_COURSE])
    Redis.from_url(rq_runtime.settings.redis_url).flushdb()

    created = map_pending_statements_job()

    assert created == 1
    assert _count(rq_runtime, Evidence) == 1
