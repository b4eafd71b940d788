"""Identity operations for operators: conflicts, merging and splitting people, and erasure."""

from __future__ import annotations

from flask import Response, current_app, g, request
from marshmallow import Schema, ValidationError, fields, validate

from ..auth import require_scope
from ..jsonutil import json_response
from ..models import IdentityConflict
from ..services.erasure import erase_person
from ..services.identity import list_conflicts, merge_person, split_person
from . import bp
from .schemas import MAX_ID, AsciiInteger, NoArgs, load_args, load_body

ADMIN_SCOPES = ("people/admin",)


class ConflictArgs(Schema):
    status = fields.String(load_default="open", validate=validate.OneOf(["open", "resolved", "all"]))
    cursor = AsciiInteger(load_default=0, validate=validate.Range(min=0, max=MAX_ID))
    limit = AsciiInteger(load_default=100, validate=validate.Range(min=1, max=1000))


class MergeBody(Schema):
    source_person_id = fields.Integer(required=True, strict=True, validate=validate.Range(min=1, max=MAX_ID))


def _without_nul(text: str) -> None:
    # PostgreSQL text cannot contain NUL characters, so no identifier has one.
    if "\x00" in text:
        raise ValidationError("must not contain NUL characters")


class IdentifierBody(Schema):
    kind = fields.String(required=True, validate=[validate.Length(min=1, max=64), _without_nul])
    value = fields.String(required=True, validate=[validate.Length(min=1), _without_nul])


class SplitBody(Schema):
    identifiers = fields.List(fields.Nested(IdentifierBody), required=True, validate=validate.Length(min=1))


def _runtime():
    return current_app.extensions["skillwire"]


def _credential_key() -> str:
    return g.credential.key


@bp.get("/identity/conflicts")
@require_scope(*ADMIN_SCOPES)
def get_identity_conflicts():
    """List identity conflicts after ``cursor`` in id order; ``status`` is open (default), resolved or all."""
    args = load_args(ConflictArgs(), request.args)
    status = None if args["status"] == "all" else args["status"]

    with _runtime().sessions() as session:
        conflicts = list_conflicts(session, status, args["cursor"], args["limit"] + 1)
        rows = [_conflict(conflict) for conflict in conflicts[: args["limit"]]]

    next_cursor = rows[-1]["id"] if rows else args["cursor"]
    return json_response({"data": rows, "next_cursor": next_cursor, "has_more": len(conflicts) > args["limit"]})


def _conflict(conflict: IdentityConflict) -> dict:
    return {
        "id": conflict.id, "kind": conflict.kind, "value": conflict.value,
        "holder_person_id": conflict.holder_person_id, "claimant_person_id": conflict.claimant_person_id,
        "source": conflict.source, "source_id": conflict.source_id, "status": conflict.status,
        "resolution": conflict.resolution, "detected_at": conflict.detected_at.isoformat(),
        "resolved_at": conflict.resolved_at.isoformat() if conflict.resolved_at else None,
    }


@bp.post("/people/<int:person_id>/merge")
@require_scope(*ADMIN_SCOPES)
def merge(person_id: int):
    """Merge the person ``source_person_id`` into this person: identifiers, evidence and employment move."""
    load_args(NoArgs(), request.args)
    body = load_body(MergeBody())
    with _runtime().sessions.begin() as session:
        result = merge_person(session, person_id, body["source_person_id"], _credential_key())
    return json_response(result)


@bp.post("/people/<int:person_id>/split")
@require_scope(*ADMIN_SCOPES)
def split(person_id: int):
    """Move the listed identifiers, and the evidence from statements whose actors carry them, to a new person."""
    load_args(NoArgs(), request.args)
    body = load_body(SplitBody())
    identifiers = [(item["kind"], item["value"]) for item in body["identifiers"]]
    runtime = _runtime()
    with runtime.sessions.begin() as session:
        result = split_person(session, person_id, identifiers, _credential_key(),
                              runtime.settings.account_homepages)
    return json_response(result, status=201,
                         headers={"Location": f"{request.script_root}/api/v1/people/{result['new_person_id']}"})


@bp.delete("/people/<int:person_id>")
@require_scope(*ADMIN_SCOPES)
def erase(person_id: int):
    """Erase the person: pseudonymize their statements, retract their evidence, delete identifiers and records."""
    load_args(NoArgs(), request.args)
    runtime = _runtime()
    with runtime.sessions.begin() as session:
        erase_person(session, person_id, runtime.settings.public_url, runtime.settings.account_homepages,
                     _credential_key())
    return Response(status=204)
