"""Sync runs of HR connectors, their scheduling, and single-employee imports from HiBob webhooks.

Each connector is a client factory that builds its client from Settings. Every client has
``sync_people(since) -> PeopleSync``. ``run_sync`` records a SyncRun, imports the records in
batches and moves the stored cursor only when the run succeeds. A ConnectorError (after the
client's retries) fails the run and keeps the old cursor, so the next run reads the same changes
again. A malformed record is counted in the run and the other records go on. A run left
"running" by a worker that stopped is marked failed with the old cursor by the scheduler's next
tick or the next run of its connector, once SYNC_JOB_TIMEOUT_SECONDS have passed since it started.

Scheduling: SKILLWIRE_SYNC_SCHEDULE gives seconds between syncs per connector, and
``skillwire scheduler`` enqueues the syncs that are due, as RQ jobs when Redis is configured and
in the scheduler's own process otherwise.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from connectors.bamboohr import BambooHRClient, PeopleSync
from connectors.hibob import HiBobClient
from connectors.http import ConnectorError, RetryPolicy
from connectors.personio import PersonioClient, PersonioV2Client, v2_base_url
from connectors.records import PersonRecord, RecordError
from connectors.workday import ReportLocation, WorkdayClient, check_field_map

from .config import ConfigError, Settings
from .models import ConnectorState, SyncRun, utcnow
from .services.people import ImportCounts, finish_run, import_records, run_summary, start_run

log = logging.getLogger(__name__)

# An RQ job running a sync is stopped after this many seconds. A run still "running" after this
# long was abandoned by a worker that stopped, so the scheduler starts a new one. The scheduler's
# tick and the next run of the same connector mark it failed (see fail_abandoned_runs).
# NOTE: a sync run in-process (`skillwire sync`, or the scheduler without Redis) has no such limit,
# so one that really takes longer is marked failed while it goes on. Its own result replaces that
# status when it finishes.
SYNC_JOB_TIMEOUT_SECONDS = 3600

# Records imported per database transaction. A failed run keeps the batches committed before it.
IMPORT_BATCH_SIZE = 200

# The SyncRun connector name of single-employee imports triggered by HiBob webhooks. They keep no
# cursor and do not count as scheduled HiBob syncs.
HIBOB_WEBHOOK_CONNECTOR = "hibob-webhook"

# The error field of a run marked failed by fail_abandoned_runs.
ABANDONED_REASON = "abandoned"


def _retry_policy(settings: Settings) -> RetryPolicy:
    return RetryPolicy(max_attempts=settings.sync_retry_attempts, backoff_base=settings.sync_backoff_seconds)


def _require(connector: str, variables: Mapping[str, object]) -> None:
    missing = [name for name, value in variables.items() if not value]
    if missing:
        raise ConfigError(f"{' and '.join(missing)} must be set to sync {connector}")


def bamboohr_client(settings: Settings) -> BambooHRClient:
    _require("BambooHR", {"SKILLWIRE_BAMBOOHR_SUBDOMAIN": settings.bamboohr_subdomain,
                          "SKILLWIRE_BAMBOOHR_API_KEY": settings.bamboohr_api_key})
    try:
        return BambooHRClient(settings.bamboohr_subdomain, settings.bamboohr_api_key,
                              identifier_fields=settings.bamboohr_identifier_fields, retry=_retry_policy(settings))
    except ValueError as error:
        raise ConfigError(f"SKILLWIRE_BAMBOOHR_SUBDOMAIN: {error}") from None


def personio_client(settings: Settings) -> PersonioClient | PersonioV2Client:
    _require("Personio", {"SKILLWIRE_PERSONIO_CLIENT_ID": settings.personio_client_id,
                          "SKILLWIRE_PERSONIO_CLIENT_SECRET": settings.personio_client_secret})
    if settings.personio_api_version == "v2":
        # SKILLWIRE_PERSONIO_BASE_URL names the v1 base; v2 paths start at the API root.
        return PersonioV2Client(settings.personio_client_id, settings.personio_client_secret,
                                base_url=v2_base_url(settings.personio_base_url),
                                identifier_attributes=settings.personio_identifier_attributes,
                                retry=_retry_policy(settings))
    return PersonioClient(settings.personio_client_id, settings.personio_client_secret,
                          base_url=settings.personio_base_url,
                          identifier_attributes=settings.personio_identifier_attributes,
                          retry=_retry_policy(settings))


def hibob_client(settings: Settings) -> HiBobClient:
    _require("HiBob", {"SKILLWIRE_HIBOB_SERVICE_USER_ID": settings.hibob_service_user_id,
                       "SKILLWIRE_HIBOB_SERVICE_USER_TOKEN": settings.hibob_service_user_token})
    return HiBobClient(settings.hibob_service_user_id, settings.hibob_service_user_token,
                       base_url=settings.hibob_base_url, identifier_fields=settings.hibob_identifier_fields,
                       retry=_retry_policy(settings))


def workday_client(settings: Settings) -> WorkdayClient:
    _require("Workday", {"SKILLWIRE_WORKDAY_REPORT_URL": settings.workday_report_url,
                         "SKILLWIRE_WORKDAY_USERNAME": settings.workday_username,
                         "SKILLWIRE_WORKDAY_PASSWORD": settings.workday_password})
    for variable, check in (("SKILLWIRE_WORKDAY_REPORT_URL", lambda: ReportLocation.parse(settings.workday_report_url)),
                            ("SKILLWIRE_WORKDAY_FIELD_MAP", lambda: check_field_map(settings.workday_field_map))):
        try:
            check()
        except ValueError as error:
            raise ConfigError(f"{variable}: {error}") from None

    return WorkdayClient(settings.workday_report_url, settings.workday_username, settings.workday_password,
                         field_map=settings.workday_field_map, since_param=settings.workday_since_param,
                         retry=_retry_policy(settings))


CLIENT_FACTORIES: dict[str, Callable[[Settings], object]] = {
    "bamboohr": bamboohr_client,
    "personio": personio_client,
    "hibob": hibob_client,
    "workday": workday_client,
}


def build_client(settings: Settings, connector: str):
    """Return the client of a connector, raising ConfigError when it is unknown or not configured."""
    factory = CLIENT_FACTORIES.get(connector)
    if factory is None:
        raise ConfigError(f"unknown connector '{connector}'; use one of {', '.join(CLIENT_FACTORIES)}")
    return factory(settings)


def run_sync(runtime, connector: str, full: bool = False) -> dict:
    """Run one sync and return its run summary; a failed run is recorded and keeps the old cursor.

    Raises ConfigError before any run is recorded when the connector is unknown or not configured.
    An error other than ConnectorError is recorded in the failed run and raised again.
    """
    client = build_client(runtime.settings, connector)

    with runtime.sessions.begin() as session:
        fail_abandoned_runs(session, utcnow(), connector)
        cursor = None if full else _stored_cursor(session, connector)
        run_id = start_run(session, connector, cursor).id

    return _execute(runtime, run_id, connector, cursor, lambda: client.sync_people(since=cursor), keep_cursor=True)


def import_hibob_employee(runtime, employee_id: str, event_type: str) -> dict:
    """Upsert the HiBob employee named by a webhook event, recorded as a run of HIBOB_WEBHOOK_CONNECTOR.

    A deletion event fetches nothing and is noted in the run, because people are never deleted by a
    sync. Raises ConfigError when the HiBob service user is not configured.
    """
    client = hibob_client(runtime.settings)

    def read() -> PeopleSync:
        if event_type.endswith(".deleted"):
            return PeopleSync(cursor="", full=False, deleted_ids=(employee_id,), records=iter(()))
        return PeopleSync(cursor="", full=False, deleted_ids=(), records=iter([client.fetch_person(employee_id)]))

    with runtime.sessions.begin() as session:
        fail_abandoned_runs(session, utcnow(), HIBOB_WEBHOOK_CONNECTOR)
        run_id = start_run(session, HIBOB_WEBHOOK_CONNECTOR, None).id
    log.info("HiBob webhook import: run_id=%s employee_id=%s event=%s", run_id, employee_id, event_type)

    return _execute(runtime, run_id, HIBOB_WEBHOOK_CONNECTOR, None, read, keep_cursor=False)


def _execute(runtime, run_id: int, connector: str, cursor: str | None, read: Callable[[], PeopleSync],
             *, keep_cursor: bool) -> dict:
    """Import what `read` returns in batches and finish the run as succeeded or failed.

    Records are read from the vendor outside any database transaction, and each batch commits on
    its own, so a failed run keeps the people it imported before the failure and counts them.
    """
    counts = ImportCounts()
    try:
        result = read()
        _import_in_batches(runtime, result.records, counts)

        with runtime.sessions.begin() as session:
            _note_deletions(counts, result.deleted_ids)
            if keep_cursor:
                _store_cursor(session, connector, result.cursor)

            run = session.get(SyncRun, run_id)
            finish_run(run, counts, result.cursor if keep_cursor else None)
            return run_summary(run)
    except ConnectorError as error:
        log.warning("sync run failed: run_id=%s connector=%s reason=%s error=%s", run_id, connector,
                    error.reason, error)
        return _record_failure(runtime, run_id, cursor, counts, error.reason, str(error))
    except Exception as error:
        log.exception("sync run failed with an unexpected error: run_id=%s connector=%s", run_id, connector)
        _record_failure(runtime, run_id, cursor, counts, "internal_error", f"{type(error).__name__}: {error}"[:500])
        raise


def _import_in_batches(runtime, records: Iterable[PersonRecord | RecordError], counts: ImportCounts) -> None:
    """Import records IMPORT_BATCH_SIZE at a time, adding to `counts`.

    When reading the next record raises ConnectorError, the records read before it are imported
    first, so the failed run keeps them.
    """
    batch: list[PersonRecord | RecordError] = []
    try:
        for record in records:
            batch.append(record)
            if len(batch) == IMPORT_BATCH_SIZE:
                _import_batch(runtime, batch, counts)
                batch = []
    except ConnectorError:
        _import_batch(runtime, batch, counts)
        raise
    _import_batch(runtime, batch, counts)


def _import_batch(runtime, batch: list[PersonRecord | RecordError], counts: ImportCounts) -> None:
    if not batch:
        return
    with runtime.sessions.begin() as session:
        _add_counts(counts, import_records(session, batch))


def _add_counts(total: ImportCounts, part: ImportCounts) -> None:
    total.created += part.created
    total.updated += part.updated
    total.unchanged += part.unchanged
    total.failed += part.failed
    total.errors.extend(part.errors)


def _record_failure(runtime, run_id: int, cursor: str | None, counts: ImportCounts, reason: str,
                    message: str) -> dict:
    """Finish the run as failed with the counts so far, the error first, and the cursor it started from."""
    counts.errors.insert(0, {"source_id": None, "line": None, "field": reason, "message": message})
    with runtime.sessions.begin() as session:
        run = session.get(SyncRun, run_id)
        finish_run(run, counts, cursor, status="failed")
        return run_summary(run)


def fail_abandoned_runs(session: Session, now: datetime, connector: str | None = None) -> list[int]:
    """Mark failed the sync runs still "running" SYNC_JOB_TIMEOUT_SECONDS after they started, and return their ids.

    Only runs of the HR connectors and of HIBOB_WEBHOOK_CONNECTOR are checked, all of them or only
    those of `connector`. CSV imports are left alone because they do not run as RQ jobs with a job
    timeout. An abandoned run keeps the cursor it started from, and the stored cursor is not moved.
    """
    connectors = [connector] if connector is not None else [*CLIENT_FACTORIES, HIBOB_WEBHOOK_CONNECTOR]
    cutoff = now - timedelta(seconds=SYNC_JOB_TIMEOUT_SECONDS)
    # The row lock makes PostgreSQL skip a run that finishes while this query waits, instead of failing it.
    query = (select(SyncRun)
             .where(SyncRun.status == "running", SyncRun.started_at <= cutoff, SyncRun.connector.in_(connectors))
             .order_by(SyncRun.id)
             .with_for_update())

    failed_ids = []
    for run in session.scalars(query):
        log.warning("sync run abandoned, marking it failed: run_id=%s connector=%s started_at=%s",
                    run.id, run.connector, run.started_at.isoformat())
        counts = ImportCounts(errors=[{"source_id": None, "line": None, "field": ABANDONED_REASON,
                                       "message": _abandoned_message(run.connector)}])
        finish_run(run, counts, run.cursor_before, status="failed")
        failed_ids.append(run.id)
    return failed_ids


def _abandoned_message(connector: str) -> str:
    stopped = (f"still running {SYNC_JOB_TIMEOUT_SECONDS} seconds after it started, so the worker running it "
               "stopped before the run finished (killed, out of memory or a machine restart). ")
    if connector == HIBOB_WEBHOOK_CONNECTOR:
        return stopped + ("The employee may not have been imported, so run `skillwire sync hibob` to import "
                          "every change since the last HiBob sync.")
    return stopped + ("People imported before it stopped are kept and the stored cursor was not moved, so the "
                      "next run starts from the last saved cursor. If this repeats, check the worker logs for "
                      "this run id.")


def _note_deletions(counts: ImportCounts, deleted_ids) -> None:
    # NOTE: employees deleted in the source are reported in the run but their people are kept unchanged.
    for source_id in deleted_ids:
        counts.errors.append({"source_id": source_id, "line": None, "field": None,
                              "message": "deleted in the source system; the person was kept"})


def _stored_cursor(session: Session, connector: str) -> str | None:
    state = session.get(ConnectorState, connector)
    return state.cursor if state else None


def _store_cursor(session: Session, connector: str, cursor: str) -> None:
    state = session.get(ConnectorState, connector)
    if state is None:
        session.add(ConnectorState(connector=connector, cursor=cursor))
    else:
        state.cursor = cursor


def enqueue_sync(runtime, connector: str, full: bool = False) -> str:
    """Queue one sync as a job and return the job id; without Redis the sync runs before this returns."""
    from .jobs import RQRunner, sync_connector_job

    if not isinstance(runtime.jobs, RQRunner):
        return runtime.jobs.enqueue(sync_connector_job, connector, full)

    # A full sync can take longer than RQ's default job timeout of 180 seconds.
    job = runtime.jobs.queue.enqueue(sync_connector_job, connector, full, job_timeout=SYNC_JOB_TIMEOUT_SECONDS)
    log.info("job queued: job_id=%s func=sync_connector_job connector=%s queue=%s", job.id, connector,
             runtime.jobs.queue.name)
    return job.id


def due_connectors(session: Session, schedule: Mapping[str, int], now: datetime) -> list[str]:
    """Return the scheduled connectors whose last run started at least their interval before `now`.

    A connector never run is due. A run still "running" blocks its connector until
    SYNC_JOB_TIMEOUT_SECONDS after it started, whatever the interval.
    """
    due = []
    for connector, interval in schedule.items():
        last = session.scalar(select(SyncRun).where(SyncRun.connector == connector)
                              .order_by(SyncRun.id.desc()).limit(1))
        if last is None:
            due.append(connector)
            continue

        age = now - last.started_at
        if last.status == "running" and age < timedelta(seconds=SYNC_JOB_TIMEOUT_SECONDS):
            continue
        if age >= timedelta(seconds=interval):
            due.append(connector)
    return due


class SyncScheduler:
    """Enqueue the syncs that SKILLWIRE_SYNC_SCHEDULE makes due, one `tick` at a time.

    Between an enqueue and the start of its run there is no SyncRun yet, so the scheduler also
    remembers when it last enqueued each connector. Run one scheduler per deployment: two would
    each enqueue the same due sync.
    """

    def __init__(self, runtime, clock: Callable[[], datetime] = utcnow) -> None:
        self.runtime = runtime
        self.clock = clock
        self._enqueued_at: dict[str, datetime] = {}

    def tick(self) -> list[str]:
        """Mark abandoned runs failed, enqueue every due sync and return the connectors enqueued."""
        schedule = self.runtime.settings.sync_schedule
        now = self.clock()
        with self.runtime.sessions.begin() as session:
            fail_abandoned_runs(session, now)
            due = due_connectors(session, schedule, now)

        enqueued = []
        for connector in due:
            last_enqueued = self._enqueued_at.get(connector)
            if last_enqueued is not None and now - last_enqueued < timedelta(seconds=schedule[connector]):
                continue

            self._enqueued_at[connector] = now
            job_id = enqueue_sync(self.runtime, connector)
            log.info("scheduled sync enqueued: connector=%s job_id=%s", connector, job_id)
            enqueued.append(connector)
        return enqueued

    def run(self, poll_seconds: float, stop: threading.Event) -> None:
        """Call `tick` every `poll_seconds` until `stop` is set; a failed tick is logged and retried."""
        log.info("sync scheduler started: schedule=%s poll_seconds=%s", dict(self.runtime.settings.sync_schedule),
                 poll_seconds)
        while not stop.is_set():
            try:
                self.tick()
            except Exception:  # The scheduler must outlive a database or Redis outage.
                log.exception("sync scheduler tick failed; retrying in %s seconds", poll_seconds)
            stop.wait(poll_seconds)
        log.info("sync scheduler stopped")
