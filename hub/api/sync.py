"""Sync runs out, and the HiBob webhook in."""

from __future__ import annotations

import logging

from flask import current_app, request
from marshmallow import Schema, fields, validate
from sqlalchemy import select

from connectors.hibob import SIGNATURE_HEADER, employee_id_from_event, verify_signature

from ..auth import require_scope
from ..errors import BadRequest, NotFound, Unauthorized
from ..jobs import hibob_employee_job
from ..jsonutil import json_response
from ..models import SyncRun
from ..services.people import run_summary
from . import bp
from .schemas import AsciiInteger, load_args, parse_json_body

log = logging.getLogger(__name__)

READ_SCOPES = ("people/read", "all/read")

# HiBob sends one of these bodies to check the listener when a webhook is set up.
PING_BODIES = (b"Ping test", b'{"text":"Ping test"}')


class SyncRunArgs(Schema):
    connector = fields.String(load_default=None, validate=validate.Length(min=1, max=64))
    limit = AsciiInteger(load_default=100, validate=validate.Range(min=1, max=1000))


@bp.get("/sync-runs")
@require_scope(*READ_SCOPES)
def list_sync_runs():
    """List the latest sync runs, newest first, optionally of one connector."""
    args = load_args(SyncRunArgs(), request.args)
    query = select(SyncRun).order_by(SyncRun.id.desc()).limit(args["limit"])
    if args["connector"] is not None:
        query = query.where(SyncRun.connector == args["connector"])

    runtime = current_app.extensions["skillwire"]
    with runtime.sessions() as session:
        rows = [run_summary(run) for run in session.scalars(query)]
    return json_response({"data": rows})


@bp.post("/webhooks/hibob")
def hibob_webhook():
    """Receive a HiBob webhook event and upsert the employee that an employee.* event names.

    HiBob cannot send a credential, so the Bob-Signature header (HMAC-SHA512 of the body with the
    webhook secret) authenticates the request instead of @require_scope. The employee is read
    from HiBob again rather than taken from the event, so a replayed event only repeats an upsert.
    """
    settings = current_app.extensions["skillwire"].settings
    if not (settings.hibob_webhook_secret and settings.hibob_service_user_id and settings.hibob_service_user_token):
        raise NotFound("the HiBob webhook is not enabled; set SKILLWIRE_HIBOB_WEBHOOK_SECRET and the "
                       "HiBob service user settings")

    body = request.get_data()
    if not verify_signature(body, request.headers.get(SIGNATURE_HEADER), settings.hibob_webhook_secret):
        if body.strip() in PING_BODIES:
            # The set-up check changes nothing, so it is acknowledged even without a signature.
            return json_response({"status": "ping"})
        raise Unauthorized(f"missing or invalid {SIGNATURE_HEADER} header; it must be the base64 HMAC-SHA512 "
                           "of the body with the webhook secret")

    event = _event(body)
    event_type = event.get("type")
    if not isinstance(event_type, str) or not event_type.startswith("employee."):
        log.info("HiBob webhook event ignored: type=%s", event_type)
        return json_response({"status": "ignored", "type": event_type})

    employee_id = employee_id_from_event(event)
    if employee_id is None:
        raise BadRequest(f"{event_type} event has no employee id; expected data.employeeId or employee.id",
                         field="data.employeeId")

    job_id = current_app.extensions["skillwire"].jobs.enqueue(hibob_employee_job, employee_id, event_type)
    log.info("HiBob webhook event accepted: type=%s employee_id=%s job_id=%s", event_type, employee_id, job_id)
    return json_response({"status": "accepted", "type": event_type, "employee_id": employee_id, "job_id": job_id},
                         status=202)


def _event(body: bytes) -> dict:
    event = parse_json_body(body, "webhook body")
    if not isinstance(event, dict):
        raise BadRequest("webhook body must be a JSON object", field="body")
    return event
