"""Scheduled syncs, the scheduler command, and the sync run list with its connector filter."""

from __future__ import annotations

import json
import logging
from dataclasses import replace
from datetime import datetime, timedelta, timezone

import pytest
import responses
from click.testing import CliRunner

from hub import runtime as runtime_module
from hub.cli import main
from hub.config import ConfigError, load_settings
from hub.models import ConnectorState, SyncRun, utcnow
from hub.sync import SYNC_JOB_TIMEOUT_SECONDS, SyncScheduler, due_connectors, fail_abandoned_runs, run_sync

NOW = datetime(2026, 3, 2, 12, 0, tzinfo=timezone.utc)
HIBOB_URL = "https://hibob.test/v1/"
HIBOB_EMPLOYEES = {"employees": [{"id": "7", "email": "first007.last007@example.com", "internal": {"status": "Active"}}]}


@pytest.fixture
def schedule_runtime(runtime, clean_db):
    """The test runtime with HiBob configured and scheduled every hour, restored afterwards."""
    original_settings, original_current = runtime.settings, runtime_module._current
    runtime.settings = replace(original_settings, hibob_service_user_id="SERVICE-1", hibob_service_user_token="t",
                               hibob_base_url=HIBOB_URL, sync_schedule={"hibob": 3600},
                               sync_retry_attempts=1, sync_backoff_seconds=0.0)
    runtime_module.set_current(runtime)
    yield runtime
    runtime.settings = original_settings
    runtime_module.set_current(original_current)


def add_run(runtime, connector: str, started_at: datetime, status: str = "succeeded",
            cursor_before: str | None = None) -> int:
    with runtime.sessions.begin() as session:
        run = SyncRun(connector=connector, status=status, started_at=started_at, errors=[],
                      cursor_before=cursor_before)
        session.add(run)
        session.flush()
        return run.id


def load_run(runtime, run_id: int) -> SyncRun:
    with runtime.sessions() as session:
        return session.get(SyncRun, run_id)


def store_cursor(runtime, connector: str, cursor: str) -> None:
    with runtime.sessions.begin() as session:
        session.add(ConnectorState(connector=connector, cursor=cursor))


def stored_cursor(runtime, connector: str) -> str | None:
    with runtime.sessions() as session:
        return session.get(ConnectorState, connector).cursor


def due(runtime, schedule: dict[str, int]) -> list[str]:
    with runtime.sessions() as session:
        return due_connectors(session, schedule, NOW)


def test_never_run_connector_is_due(schedule_runtime):
    assert due(schedule_runtime, {"hibob": 3600, "personio": 86400}) == ["hibob", "personio"]


def test_recent_run_not_due(schedule_runtime):
    add_run(schedule_runtime, "hibob", NOW - timedelta(minutes=59))

    assert due(schedule_runtime, {"hibob": 3600}) == []


def test_run_older_than_interval_due(schedule_runtime):
    add_run(schedule_runtime, "hibob", NOW - timedelta(hours=1))

    assert due(schedule_runtime, {"hibob": 3600}) == ["hibob"]


def test_failed_run_waits_for_interval(schedule_runtime):
    add_run(schedule_runtime, "hibob", NOW - timedelta(minutes=10), status="failed")

    assert due(schedule_runtime, {"hibob": 3600}) == []


def test_running_run_blocks_connector(schedule_runtime):
    add_run(schedule_runtime, "hibob", NOW - timedelta(minutes=50), status="running")

    assert due(schedule_runtime, {"hibob": 60}) == []


def test_abandoned_running_run_due_again(schedule_runtime):
    add_run(schedule_runtime, "hibob", NOW - timedelta(seconds=SYNC_JOB_TIMEOUT_SECONDS), status="running")

    assert due(schedule_runtime, {"hibob": 60}) == ["hibob"]


def test_webhook_runs_do_not_count(schedule_runtime):
    add_run(schedule_runtime, "hibob-webhook", NOW - timedelta(minutes=1))

    assert due(schedule_runtime, {"hibob": 3600}) == ["hibob"]


def test_scheduler_tick_runs_due_sync_in_process(schedule_runtime):
    scheduler = SyncScheduler(schedule_runtime, clock=lambda: datetime.now(timezone.utc))
    with responses.RequestsMock() as mocked:
        mocked.post(HIBOB_URL + "people/search", json=HIBOB_EMPLOYEES)

        first = scheduler.tick()
        second = scheduler.tick()

    assert first == ["hibob"]
    assert second == []
    with schedule_runtime.sessions() as session:
        runs = session.query(SyncRun).filter_by(connector="hibob").all()
    assert [(run.status, run.created) for run in runs] == [("succeeded", 1)]


def test_scheduler_does_not_repeat_pending_enqueue(schedule_runtime):
    # A queued job has no SyncRun yet, so the scheduler remembers what it enqueued.
    clock = [NOW]
    scheduler = SyncScheduler(schedule_runtime, clock=lambda: clock[0])
    with responses.RequestsMock() as mocked:
        mocked.post(HIBOB_URL + "people/search", status=503)
        scheduler.tick()
        with schedule_runtime.sessions.begin() as session:
            session.query(SyncRun).delete()

        clock[0] = NOW + timedelta(minutes=30)
        repeated = scheduler.tick()
        clock[0] = NOW + timedelta(hours=1)
        later = scheduler.tick()

    assert repeated == []
    assert later == ["hibob"]


def test_scheduler_tick_fails_abandoned_run(schedule_runtime, caplog):
    caplog.set_level(logging.WARNING, logger="hub.sync")
    add_run(schedule_runtime, "hibob", NOW - timedelta(minutes=10))
    store_cursor(schedule_runtime, "personio", "2026-03-02T09:00:00")
    run_id = add_run(schedule_runtime, "personio", NOW - timedelta(hours=2), status="running",
                     cursor_before="2026-03-02T09:00:00")

    enqueued = SyncScheduler(schedule_runtime, clock=lambda: NOW).tick()

    run = load_run(schedule_runtime, run_id)
    assert enqueued == []
    assert run.status == "failed"
    assert run.finished_at is not None
    assert run.errors[0]["field"] == "abandoned"
    assert "worker running it stopped" in run.errors[0]["message"]
    assert "starts from the last saved cursor" in run.errors[0]["message"]
    assert run.cursor_after == "2026-03-02T09:00:00"
    assert stored_cursor(schedule_runtime, "personio") == "2026-03-02T09:00:00"
    warnings = [record.getMessage() for record in caplog.records if record.name == "hub.sync"]
    assert any(f"run_id={run_id} connector=personio" in message for message in warnings)


def test_scheduler_tick_keeps_recent_running_run(schedule_runtime):
    run_id = add_run(schedule_runtime, "hibob", NOW - timedelta(minutes=10), status="running")

    enqueued = SyncScheduler(schedule_runtime, clock=lambda: NOW).tick()

    run = load_run(schedule_runtime, run_id)
    assert enqueued == []
    assert run.status == "running"
    assert run.finished_at is None
    assert run.errors == []


@pytest.mark.parametrize(
    ("connector", "status", "fragment"),
    [("workday", "failed", "last saved cursor"), ("hibob-webhook", "failed", "skillwire sync hibob"),
     ("csv", "running", None)],
)
def test_scheduler_tick_abandoned_run_by_connector(schedule_runtime, connector, status, fragment):
    add_run(schedule_runtime, "hibob", NOW - timedelta(minutes=10))
    run_id = add_run(schedule_runtime, connector, NOW - timedelta(hours=2), status="running")

    SyncScheduler(schedule_runtime, clock=lambda: NOW).tick()

    run = load_run(schedule_runtime, run_id)
    assert run.status == status
    if fragment is not None:
        assert fragment in run.errors[0]["message"]


def test_abandoned_run_limit_inclusive(schedule_runtime):
    timeout = timedelta(seconds=SYNC_JOB_TIMEOUT_SECONDS)
    at_limit = add_run(schedule_runtime, "hibob", NOW - timeout, status="running")
    add_run(schedule_runtime, "hibob", NOW - timeout + timedelta(seconds=1), status="running")

    with schedule_runtime.sessions.begin() as session:
        failed_ids = fail_abandoned_runs(session, NOW)

    assert failed_ids == [at_limit]


def test_new_sync_fails_abandoned_run(schedule_runtime):
    started_at = utcnow() - timedelta(hours=2)
    abandoned_id = add_run(schedule_runtime, "hibob", started_at, status="running", cursor_before="hibob-cursor")
    other_id = add_run(schedule_runtime, "personio", started_at, status="running")

    with responses.RequestsMock() as mocked:
        mocked.post(HIBOB_URL + "people/search", json=HIBOB_EMPLOYEES)
        new_run = run_sync(schedule_runtime, "hibob")

    abandoned = load_run(schedule_runtime, abandoned_id)
    assert new_run["status"] == "succeeded"
    assert new_run["created"] == 1
    assert new_run["id"] != abandoned_id
    assert abandoned.status == "failed"
    assert abandoned.finished_at is not None
    assert abandoned.errors[0]["field"] == "abandoned"
    assert abandoned.cursor_after == "hibob-cursor"
    assert load_run(schedule_runtime, other_id).status == "running"


def test_sync_runs_list_abandoned_run(make_client, schedule_runtime):
    client = make_client("people/read")
    add_run(schedule_runtime, "hibob", NOW - timedelta(minutes=10))
    run_id = add_run(schedule_runtime, "personio", NOW - timedelta(hours=2), status="running")
    SyncScheduler(schedule_runtime, clock=lambda: NOW).tick()

    runs = client.get("/api/v1/sync-runs", params={"connector": "personio"}).json()["data"]

    assert [run["id"] for run in runs] == [run_id]
    assert runs[0]["status"] == "failed"
    assert runs[0]["finished_at"] is not None
    assert runs[0]["errors"][0]["field"] == "abandoned"
    assert "worker running it stopped" in runs[0]["errors"][0]["message"]


@pytest.mark.parametrize(
    ("raw", "fragment"),
    [("workday=30", "too short"), ("sap=3600", "unknown connector 'sap'"), ("hibob=hourly", "whole seconds"),
     ("hibob", "KEY=VALUE")],
)
def test_invalid_schedule_rejected(raw, fragment):
    with pytest.raises(ConfigError) as caught:
        load_settings({"SKILLWIRE_SYNC_SCHEDULE": raw})

    assert "SKILLWIRE_SYNC_SCHEDULE" in str(caught.value)
    assert fragment in str(caught.value)


def test_schedule_parsed():
    settings = load_settings({"SKILLWIRE_SYNC_SCHEDULE": "bamboohr=3600, personio=86400"})

    assert settings.sync_schedule == {"bamboohr": 3600, "personio": 86400}


def test_sync_runs_filtered_by_connector(make_client, schedule_runtime):
    client = make_client("people/read")
    add_run(schedule_runtime, "hibob", NOW - timedelta(hours=2))
    add_run(schedule_runtime, "personio", NOW - timedelta(hours=1))
    add_run(schedule_runtime, "hibob", NOW)

    everything = client.get("/api/v1/sync-runs").json()["data"]
    hibob_runs = client.get("/api/v1/sync-runs", params={"connector": "hibob"}).json()["data"]
    latest = client.get("/api/v1/sync-runs", params={"limit": 1}).json()["data"]

    assert [run["connector"] for run in everything] == ["hibob", "personio", "hibob"]
    assert [run["connector"] for run in hibob_runs] == ["hibob", "hibob"]
    assert hibob_runs[0]["started_at"] > hibob_runs[1]["started_at"]
    assert len(latest) == 1


@pytest.mark.parametrize("params", [{"limit": "0"}, {"connector": ""}, {"status": "failed"}])
def test_sync_runs_invalid_parameters(make_client, schedule_runtime, params):
    client = make_client("people/read")

    response = client.get("/api/v1/sync-runs", params=params)

    assert response.status_code == 400
    assert response.json()["error"]["field"] == next(iter(params))


def test_sync_runs_need_people_scope(make_client, schedule_runtime):
    client = make_client("statements/read")

    assert client.get("/api/v1/sync-runs").status_code == 403


@pytest.fixture
def cli(tmp_path, runtime):
    """Invoke the CLI on its own migrated SQLite database; the test runtime is current again afterwards."""
    original_current = runtime_module._current
    env = {"SKILLWIRE_INSTANCE_DIR": str(tmp_path), "SKILLWIRE_DATABASE_URL": f"sqlite:///{tmp_path / 'cli.db'}",
           "SKILLWIRE_REDIS_URL": "", "SKILLWIRE_SYNC_BACKOFF_SECONDS": "0"}
    runner = CliRunner()

    def invoke(*args, **extra_env):
        return runner.invoke(main, list(args), env={**env, **extra_env}, catch_exceptions=False)

    assert invoke("db", "upgrade").exit_code == 0
    yield invoke
    runtime_module.set_current(original_current)


def test_scheduler_once_runs_due_syncs(cli):
    hibob_env = {"SKILLWIRE_SYNC_SCHEDULE": "hibob=3600", "SKILLWIRE_HIBOB_SERVICE_USER_ID": "SERVICE-1",
                 "SKILLWIRE_HIBOB_SERVICE_USER_TOKEN": "t", "SKILLWIRE_HIBOB_BASE_URL": HIBOB_URL}
    with responses.RequestsMock() as mocked:
        mocked.post(HIBOB_URL + "people/search", json=HIBOB_EMPLOYEES)
        first = cli("scheduler", "--once", **hibob_env)
        second = cli("scheduler", "--once", **hibob_env)

    assert first.exit_code == 0
    assert json.loads(first.stdout) == {"enqueued": ["hibob"]}
    assert json.loads(second.stdout) == {"enqueued": []}


def test_scheduler_needs_schedule(cli):
    result = cli("scheduler", "--once")

    assert result.exit_code == 1
    assert "SKILLWIRE_SYNC_SCHEDULE" in result.output


def test_scheduler_rejects_unconfigured_connector(cli):
    result = cli("scheduler", "--once", SKILLWIRE_SYNC_SCHEDULE="workday=86400")

    assert result.exit_code == 1
    assert "SKILLWIRE_WORKDAY_REPORT_URL" in result.output


def test_sync_command_accepts_new_connectors(cli):
    result = cli("sync", "personio")

    assert result.exit_code == 1
    assert "SKILLWIRE_PERSONIO_CLIENT_ID" in result.output
