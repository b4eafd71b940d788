"""People in: CSV upload; people out. Sync runs are listed in hub/api/sync.py."""

from __future__ import annotations

import io

from flask import current_app, request
from sqlalchemy import select

from connectors.csv_people import read_people_csv

from ..auth import require_scope
from ..errors import BadRequest, NotFound, UnsupportedMediaType
from ..jsonutil import json_response
from ..models import Employment, Person, PersonIdentifier
from ..services.people import import_run
from . import bp

READ_SCOPES = ("people/read", "all/read")
WRITE_SCOPES = ("people/write",)


@bp.post("/people/import")
@require_scope(*WRITE_SCOPES)
def import_people_csv():
    """Import employees from a CSV body (text/csv) or an uploaded file field named "file".

    The import commits in batches, so when it stops with an error the batches before it stay imported.
    """
    text = _csv_text()
    runtime = current_app.extensions["skillwire"]

    body = import_run(runtime.sessions, "csv", read_people_csv(io.StringIO(text, newline="")))
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


@bp.get("/people")
@require_scope(*READ_SCOPES)
def list_people():
    runtime = current_app.extensions["skillwire"]
    with runtime.sessions() as session:
        people = session.scalars(select(Person).where(Person.merged_into_id.is_(None)).order_by(Person.id)).all()
        rows = [_person_summary(person) for person in people]
    return json_response({"data": rows})


@bp.get("/people/<int:person_id>")
@require_scope(*READ_SCOPES)
def get_person(person_id: int):
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
