"""`skillwire worker` as a real process on a real Redis server (SKILLWIRE_TEST_REDIS_URL): it maps queued
statements whether jobs run in the worker process or, with --fork, in a child process each."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from dataclasses import replace

import pytest
from redis import Redis

from hub.jobs import RQRunner
from hub.models import Evidence, PendingMapping

pytestmark = pytest.mark.redis

QUEUE = "skillwire-worker-cli-test"
COMPLETION = {
    "actor": {"mbox": "mailto:worker@example.com"},
    "verb": {"id": "http://adlnet.gov/expapi/verbs/completed"},
    "object": {"id": "http://www.example.org/course/view.php?id=1"},
    "context": {"platform": "Moodle"},
}


@pytest.fixture
def queued_runtime(runtime, clean_db):
    """The test runtime sending jobs to RQ on the test Redis, restored afterwards."""
    url = os.environ.get("SKILLWIRE_TEST_REDIS_URL")
    if not url:
        pytest.skip("SKILLWIRE_TEST_REDIS_URL is not set; CI sets it to a real Redis")
    Redis.from_url(url).flushdb()

    original_settings, original_jobs = runtime.settings, runtime.jobs
    runtime.settings = replace(original_settings, redis_url=url, queue_name=QUEUE)
    runtime.jobs = RQRunner(url, QUEUE)
    yield runtime
    runtime.settings, runtime.jobs = original_settings, original_jobs


def _evidence_count(runtime) -> int:
    with runtime.sessions() as session:
        return session.query(Evidence).count()


def _pending_count(runtime) -> int:
    with runtime.sessions() as session:
        return session.query(PendingMapping).count()


def _start_worker(runtime, tmp_path, *options: str) -> subprocess.Popen:
    env = {**os.environ, "SKILLWIRE_DATABASE_URL": runtime.settings.database_url,
           "SKILLWIRE_REDIS_URL": runtime.settings.redis_url, "SKILLWIRE_QUEUE": QUEUE,
           "SKILLWIRE_INSTANCE_DIR": str(tmp_path), "SKILLWIRE_SWEEP_SECONDS": "0"}
    command = [os.path.join(os.path.dirname(sys.executable), "skillwire"), "worker", *options]
    return subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def _wait_for(condition, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return False


@pytest.mark.parametrize("options", [(), ("--fork",)], ids=["jobs in the worker", "a child per job"])
def test_worker_maps_queued_statements(client, queued_runtime, tmp_path, options):
    second = dict(COMPLETION, actor={"mbox": "mailto:second@example.com"})
    response = client.post("/xapi/statements", json=[COMPLETION, second])
    assert response.status_code == 200
    assert _pending_count(queued_runtime) == 2

    worker = _start_worker(queued_runtime, tmp_path, *options)
    try:
        mapped = _wait_for(lambda: _pending_count(queued_runtime) == 0, seconds=30)
    finally:
        worker.send_signal(signal.SIGTERM)
        output, _ = worker.communicate(timeout=30)

    assert mapped, output
    assert _evidence_count(queued_runtime) == 2
    assert "worker starting" in output
