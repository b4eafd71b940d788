"""Sync runs of HR connectors: read records, upsert people, keep the cursor only when the run succeeds."""

from __future__ import annotations

import logging

from sqlalchemy.orm import Session

from connectors.bamboohr import BambooHRClient
from connectors.http import ConnectorError

from .config import ConfigError
from .models import ConnectorState, SyncRun
from .services.people import ImportCounts, finish_run, import_records, run_summary, start_run

log = logging.getLogger(__name__)


def bamboohr_client(settings) -> BambooHRClient:
    if not settings.bamboohr_subdomain or not settings.bamboohr_api_key:
        raise ConfigError("SKILLWIRE_BAMBOOHR_SUBDOMAIN and SKILLWIRE_BAMBOOHR_API_KEY must be set to sync BambooHR")
    return BambooHRClient(settings.bamboohr_subdomain, settings.bamboohr_api_key,
                          identifier_fields=settings.bamboohr_identifier_fields)


CLIENT_FACTORIES = {"bamboohr": bamboohr_client}


def run_sync(runtime, connector: str, full: bool = False) -> dict:
    """Run one sync and return its run summary; a failed run is recorded and keeps the old cursor."""
    client = CLIENT_FACTORIES[connector](runtime.settings)

    with runtime.sessions.begin() as session:
        cursor = None if full else _stored_cursor(session, connector)
        run_id = start_run(session, connector, cursor).id

    try:
        with runtime.sessions.begin() as session:
            result = client.sync_people(since=cursor)
            counts = import_records(session, result.records)
            _note_deletions(counts, result.deleted_ids)
            _store_cursor(session, connector, result.cursor)
            run = session.get(SyncRun, run_id)
            finish_run(run, counts, result.cursor)
            return run_summary(run)
    except ConnectorError as error:
        log.warning("sync run failed: run_id=%s connector=%s reason=%s error=%s", run_id, connector,
                    error.reason, error)
        with runtime.sessions.begin() as session:
            run = session.get(SyncRun, run_id)
            failed = ImportCounts(errors=[{"source_id": None, "line": None, "field": error.reason,
                                           "message": str(error)}])
            finish_run(run, failed, cursor, status="failed")
            return run_summary(run)


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
