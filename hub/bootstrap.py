"""Start-up and administration steps shared by the command line and the tests."""

from __future__ import annotations

import io
import logging
from typing import Callable

from sqlalchemy import func, select

from connectors.csv_people import CsvFileError, read_people_csv

from .auth import bearer_token, generate_credential
from .db import upgrade_database
from .models import Credential, utcnow
from .services.evidence import ensure_skills
from .services.people import import_run

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


class UnreadableFile(Exception):
    """A file to import cannot be opened, is not UTF-8 text or cannot be imported at all. The message names
    the file and the fix."""


def list_credentials(runtime) -> list[dict]:
    """Return every credential in key creation order, without its secret hash."""
    with runtime.sessions() as session:
        return [_credential_summary(credential)
                for credential in session.scalars(select(Credential).order_by(Credential.id))]


def revoke_credential(runtime, key: str) -> dict | None:
    """Set the credential's revoked_at unless it is already revoked, and return it, or None when no key matches."""
    with runtime.sessions.begin() as session:
        credential = session.scalar(select(Credential).where(Credential.key == key))
        if credential is None:
            return None
        if credential.revoked_at is None:
            credential.revoked_at = utcnow()
            log.info("credential revoked: key=%s name=%s", credential.key, credential.name)
        return _credential_summary(credential)


def _credential_summary(credential: Credential) -> dict:
    return {
        "name": credential.name,
        "key": credential.key,
        "scopes": credential.scopes,
        "created_at": credential.created_at.isoformat(),
        "revoked_at": credential.revoked_at.isoformat() if credential.revoked_at else None,
    }


def import_people_file(runtime, path: str) -> dict:
    """Import employees from a UTF-8 CSV file as one sync run, and return the run summary.

    Raises UnreadableFile, and records no sync run, for a file that is not UTF-8, is empty or has an
    unusable header.
    """
    text = read_utf8_file(path)
    try:
        records = read_people_csv(io.StringIO(text, newline=""))
    except CsvFileError as error:
        raise UnreadableFile(f"{path}: {error.message}") from None
    return import_run(runtime.sessions, "csv", records)


def read_utf8_file(path: str) -> str:
    """Return the text of a UTF-8 file without a byte order mark, raising UnreadableFile when it is not one."""
    try:
        with open(path, "rb") as handle:
            data = handle.read()
    except OSError as error:
        raise UnreadableFile(f"cannot read {path}: {error.strerror}") from None

    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise UnreadableFile(
            f"{path} is not valid UTF-8 (byte 0x{data[error.start]:02x} at offset {error.start}); save it as "
            f"UTF-8, for example with: iconv -f latin1 -t utf-8 {path} > people-utf8.csv"
        ) from None
