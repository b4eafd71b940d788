"""Start-up and administration steps shared by the command line and the tests."""

from __future__ import annotations

import io
import logging
from typing import Callable

from sqlalchemy import func, select

from connectors.csv_people import read_people_csv

from .auth import bearer_token, generate_credential
from .db import upgrade_database
from .models import Credential
from .services.evidence import ensure_skills
from .services.people import finish_run, import_records, run_summary, start_run

log = logging.getLogger(__name__)


def prepare_database(runtime, announce: Callable[[str], None]) -> None:
    """Migrate, load the skill framework, and on an empty database create a first credential with scope "all"."""
    upgrade_database(runtime.settings.database_url)

    with runtime.sessions.begin() as session:
        ensure_skills(session, runtime.mappings)
        has_credentials = session.scalar(select(func.count()).select_from(Credential)) > 0

    if not has_credentials:
        body = create_credential(runtime, "bootstrap", ["all"])
        announce("Created a first credential with scope 'all'. It is shown only this once:")
        announce(f"  key:    {body['key']}")
        announce(f"  secret: {body['secret']}")


def create_credential(runtime, name: str, scopes) -> dict:
    credential, secret = generate_credential(name, scopes)
    with runtime.sessions.begin() as session:
        session.add(credential)
    log.info("credential created: key=%s name=%s scopes=%s", credential.key, name, ",".join(credential.scopes))
    body = {"name": name, "key": credential.key, "secret": secret, "scopes": credential.scopes}
    if "scim" in credential.scopes:
        # SCIM identity providers authenticate with a Bearer token rather than HTTP Basic.
        body["token"] = bearer_token(credential.key, secret)
    return body


def import_people_file(runtime, path: str) -> dict:
    with open(path, encoding="utf-8-sig", newline="") as handle:
        text = handle.read()

    with runtime.sessions.begin() as session:
        run = start_run(session, "csv", None)
        counts = import_records(session, read_people_csv(io.StringIO(text)))
        finish_run(run, counts, None)
        return run_summary(run)
