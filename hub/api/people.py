"""People in: CSV upload; people out. Sync runs are listed in hub/api/sync.py."""

from __future__ import annotations

import io

from flask import current_app, request
from sqlalchemy import select

from connectors.csv_people import CsvFileError, read_people_csv

from ..auth import require_scope
from ..errors import BadRequest, NotFound, UnsupportedMediaType
from ..jsonutil import json_response
from ..models import Employment, Person, PersonIdentifier
from ..services.people import import_run
from . import bp
from .output import list_response, wants_csv
from .schemas import NoArgs, PeopleArgs, load_args

READ_SCOPES = ("people/read", "all/read")
WRITE_SCOPES = ("people/write",)


@bp.post("/people/import")
@require_scope(*WRITE_SCOPES)
def import_people_csv():
    """Import employees from a CSV body (text/csv) or an uploaded file field named "file".

    An empty file or an unusable header is a 400 and records no sync run. Otherwise the import commits in
    batches, so when it stops with an error the batches before it stay imported.
    """
    load_args(NoArgs(), request.args)
    text = _csv_text()
    runtime = current_app.extensions["skillwire"]

    try:
        records = read_people_csv(io.StringIO(text, newline=""))
    except CsvFileError as error:
        raise BadRequest(error.message, field=error.field or "body") from None

    body = import_run(runtime.sessions, "csv", records)
    return json_response(body, status=200)


def _csv_text() -> str:
    if request.mimetype == "multipart/form-data":
        upload = request.files.get("file")
        if upload is None:
            raise BadRequest("multipart upload has no 'file' field; send the CSV as field 'file'", field="file")
        data = upload.read()
    elif request.mimetype in ("text/csv", "text/plain"):
        data = request.get_data()
    else:
        raise UnsupportedMediaType(f"Content-Type '{request.content_type}' is not supported; send text/csv "
                                   "or multipart/form-data with a 'file' field", field="Content-Type")

    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise BadRequest(f"CSV is not valid UTF-8 at byte {error.start}; save it as UTF-8", field="body") from None


PERSON_COLUMNS = ["id", "display_name", "origin", "status"]


@bp.get("/people")
@require_scope(*READ_SCOPES)
def list_people():
    """List people that were not merged into another, in id order after ``cursor``, as JSON or CSV."""
    args = load_args(PeopleArgs(), request.args)
    query = (select(Person).where(Person.merged_into_id.is_(None), Person.id > args["cursor"])
             .order_by(Person.id).limit(args["limit"] + 1))

    runtime = current_app.extensions["skillwire"]
    with runtime.sessions() as session:
        people = session.scalars(query).all()
        rows = [_person_summary(person) for person in people[: args["limit"]]]

    next_cursor = rows[-1]["id"] if rows else args["cursor"]
    envelope = {"next_cursor": next_cursor, "has_more": len(people) > args["limit"]}
    return list_response(rows, PERSON_COLUMNS, envelope, wants_csv(args["format"]))


@bp.get("/people/<int:person_id>")
@require_scope(*READ_SCOPES)
def get_person(person_id: int):
    load_args(NoArgs(), request.args)
    runtime = current_app.extensions["skillwire"]
    with runtime.sessions() as session:
        person = session.get(Person, person_id)
        if person is None:
            raise NotFound(f"person {person_id} not found", field="person_id")

        identifiers = session.scalars(select(PersonIdentifier).where(PersonIdentifier.person_id == person_id))
        employments = session.scalars(select(Employment).where(Employment.person_id == person_id)
                                      .order_by(Employment.valid_from))
        body = {
            **_person_summary(person),
            "merged_into_id": person.merged_into_id,
            "identifiers": [{"kind": i.kind, "value": i.value, "source": i.source} for i in identifiers],
            "employments": [_employment(e) for e in employments],
        }
    return json_response(body)


def _person_summary(person: Person) -> dict:
    return {"id": person.id, "display_name": person.display_name, "origin": person.origin, "status": person.status}


def _employment(record: Employment) -> dict:
    return {
        "source": record.source, "source_id": record.source_id, "job_title": record.job_title,
        "department": record.department, "location": record.location,
        "manager_source_id": record.manager_source_id, "status": record.status,
        "start_date": record.start_date.isoformat() if record.start_date else None,
        "end_date": record.end_date.isoformat() if record.end_date else None,
        "valid_from": record.valid_from.isoformat(),
        "valid_to": record.valid_to.isoformat() if record.valid_to else None,
    }
