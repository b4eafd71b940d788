"""SCIM Users: stored as pushed, and mirrored into a person with an effective-dated employment record.

Each write builds a connectors.records.PersonRecord with source "scim" and the User id as source id, and
hands it to hub.services.people.upsert_person, so SCIM people follow the same identity rules as every HR
system: the person has the identifiers ("hris:scim", id), the emails, ("scim_username", lower-cased
userName) and ("scim_external_id", externalId). "active": false makes the employment inactive; DELETE makes it terminated
and keeps the person, the employment history and the statement evidence.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass

from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from connectors.normalize import InvalidField, normalize_email
from connectors.records import PersonRecord

from ..models import PersonIdentifier, ScimGroup, ScimGroupMember, ScimUser, ScimUserEmail
from ..services.identity import email_identifiers
from ..services.people import upsert_person
from .errors import ScimError
from .filters import FilterSyntaxError, parse_filter
from .resources import ListParams, check_body_id, meta, scim_now
from .schema import ENTERPRISE_USER_SCHEMA, USER_SCHEMA, USER_TYPE, normalize_resource
from .sql import FilterTranslator

log = logging.getLogger(__name__)

SOURCE = "scim"
USERNAME_KIND = "scim_username"
EXTERNAL_ID_KIND = "scim_external_id"
USER_NAME_KEY_LENGTH = 300


# ---------------------------------------------------------------------------------------------------------
# Writing


def create_user(session: Session, body) -> ScimUser:
    resource = normalize_resource(body, USER_TYPE)
    now = scim_now()
    user = ScimUser(id=str(uuid.uuid4()), version=1, created_at=now, updated_at=now)
    _save(session, user, resource, previous={})
    log.info("scim user created: user_id=%s", user.id)
    return user


def replace_user(session: Session, user: ScimUser, body) -> ScimUser:
    """Replace the User's attributes with a PUT body. The caller has locked the User and checked If-Match."""
    check_body_id(body, user.id)
    resource = normalize_resource(body, USER_TYPE)
    _update(session, user, resource)
    return user


def save_patched_user(session: Session, user: ScimUser, resource: dict) -> ScimUser:
    _update(session, user, resource)
    return user


def _update(session: Session, user: ScimUser, resource: dict) -> None:
    if resource == user.resource:
        return
    previous = user.resource
    user.version += 1
    user.updated_at = scim_now()
    _save(session, user, resource, previous)
    log.info("scim user updated: user_id=%s version=%d", user.id, user.version)


def delete_user(session: Session, user: ScimUser) -> None:
    """Remove the User from SCIM: the employment becomes terminated, and the person and history stay."""
    now = scim_now()
    user.deleted_at = now
    user.updated_at = now
    user.version += 1
    user.user_name_key = None
    session.execute(delete(ScimUserEmail).where(ScimUserEmail.user_id == user.id))
    _remove_memberships(session, user.id)

    upsert_person(session, person_record(user.id, user.resource, status="terminated", end_date=now.date()))
    session.execute(delete(PersonIdentifier).where(
        PersonIdentifier.source == SOURCE, PersonIdentifier.kind.in_([USERNAME_KIND, EXTERNAL_ID_KIND]),
        PersonIdentifier.value.in_(_scim_identifier_values(user.resource))))
    log.info("scim user deleted: user_id=%s", user.id)


def _remove_memberships(session: Session, user_id: str) -> None:
    groups = list(session.scalars(select(ScimGroupMember.group_id).where(ScimGroupMember.member_id == user_id)))
    if not groups:
        return
    session.execute(delete(ScimGroupMember).where(ScimGroupMember.member_id == user_id))
    session.execute(update(ScimGroup).where(ScimGroup.id.in_(groups))
                    .values(version=ScimGroup.version + 1, updated_at=scim_now()))


def _save(session: Session, user: ScimUser, resource: dict, previous: dict) -> None:
    """Store the resource, its filter columns and emails, and mirror it into the person."""
    user_name = resource["userName"]
    if len(user_name.lower()) > USER_NAME_KEY_LENGTH:
        # Lower-casing can lengthen a string, as "İ" becomes "i̇".
        raise ScimError(400, "invalidValue", f"'userName' is longer than {USER_NAME_KEY_LENGTH} characters "
                                             "once lower-cased")
    _check_unique_user_name(session, user.id, user_name)

    name = resource.get("name") or {}
    enterprise = resource.get(ENTERPRISE_USER_SCHEMA) or {}
    user.resource = resource
    user.user_name = user_name
    user.user_name_key = user_name.lower()
    user.external_id = resource.get("externalId")
    user.display_name = resource.get("displayName")
    user.given_name = name.get("givenName")
    user.family_name = name.get("familyName")
    user.title = resource.get("title")
    user.employee_number = enterprise.get("employeeNumber")
    user.department = enterprise.get("department")
    user.active = resource.get("active", True)
    session.add(user)

    try:
        with session.begin_nested():
            session.flush()
    except IntegrityError:
        raise ScimError(409, "uniqueness", f"userName {user_name!r} is already taken by another User") from None

    _check_emails(resource)
    _store_emails(session, user.id, resource)
    _mirror_person(session, user.id, resource, previous)


def _check_emails(resource: dict) -> None:
    """Raise ScimError for an emails value that is not an address, which identity resolution would match on."""
    for email in resource.get("emails") or []:
        value = email.get("value")
        if not value:
            continue
        try:
            normalize_email("emails.value", value)
        except InvalidField as error:
            raise ScimError(400, "invalidValue", f"'emails.value': {error.message}") from None


def _check_unique_user_name(session: Session, user_id: str, user_name: str) -> None:
    with session.no_autoflush:
        taken = session.scalar(select(ScimUser.id).where(ScimUser.user_name_key == user_name.lower(),
                                                         ScimUser.id != user_id))
    if taken is not None:
        raise ScimError(409, "uniqueness", f"userName {user_name!r} is already taken by another User")


def _store_emails(session: Session, user_id: str, resource: dict) -> None:
    session.execute(delete(ScimUserEmail).where(ScimUserEmail.user_id == user_id))
    for email in resource.get("emails") or []:
        if email.get("value"):
            session.add(ScimUserEmail(user_id=user_id, value=email["value"], type=email.get("type"),
                                      primary=bool(email.get("primary"))))


def _mirror_person(session: Session, user_id: str, resource: dict, previous: dict) -> None:
    outcome, conflicts = upsert_person(session, person_record(user_id, resource))
    for message in conflicts:
        log.warning("identity conflict: source=scim source_id=%s message=%s", user_id, message)

    # userName and externalId identify the SCIM User only while it has them, so old values are dropped.
    stale = _scim_identifier_values(previous) - _scim_identifier_values(resource)
    if stale:
        session.execute(delete(PersonIdentifier).where(
            PersonIdentifier.source == SOURCE, PersonIdentifier.kind.in_([USERNAME_KIND, EXTERNAL_ID_KIND]),
            PersonIdentifier.value.in_(stale)))
    log.debug("scim user mirrored: user_id=%s outcome=%s", user_id, outcome)


def _scim_identifier_values(resource: dict) -> set[str]:
    values = set()
    if resource.get("userName"):
        values.add(resource["userName"].lower())
    if resource.get("externalId"):
        values.add(resource["externalId"])
    return values


def person_record(user_id: str, resource: dict, status: str | None = None, end_date=None) -> PersonRecord:
    """Build the PersonRecord of a SCIM User: names, primary email, title, department and manager."""
    name = resource.get("name") or {}
    enterprise = resource.get(ENTERPRISE_USER_SCHEMA) or {}
    manager = enterprise.get("manager") or {}
    user_name = resource.get("userName") or ""

    emails = [email["value"].strip() for email in resource.get("emails") or [] if email.get("value")]
    if "@" in user_name:
        emails.append(user_name.strip())
    primary = _primary_email(resource) or (emails[0] if emails else None)

    identifiers = [(USERNAME_KIND, user_name.lower())]
    if resource.get("externalId"):
        identifiers.append((EXTERNAL_ID_KIND, resource["externalId"]))
    for email in emails:
        if primary is None or email.lower() != primary.lower():
            identifiers += email_identifiers(email)

    if status is None:
        status = "active" if resource.get("active", True) else "inactive"
    return PersonRecord(
        source=SOURCE, source_id=user_id, email=primary,
        first_name=name.get("givenName"), last_name=name.get("familyName"),
        display_name=resource.get("displayName") or name.get("formatted"),
        job_title=resource.get("title"), department=enterprise.get("department"),
        location=_work_locality(resource), manager_source_id=manager.get("value"),
        manager_name=manager.get("displayName"), status=status, start_date=None, end_date=end_date,
        identifiers=tuple(dict.fromkeys(identifiers)),
    )


def _primary_email(resource: dict) -> str | None:
    emails = [email for email in resource.get("emails") or [] if email.get("value")]
    for choose in (lambda e: e.get("primary") is True, lambda e: (e.get("type") or "").lower() == "work"):
        chosen = next((email for email in emails if choose(email)), None)
        if chosen is not None:
            return chosen["value"].strip()
    return None


def _work_locality(resource: dict) -> str | None:
    addresses = resource.get("addresses") or []
    work = next((a for a in addresses if (a.get("type") or "").lower() == "work"), None)
    chosen = work or next((a for a in addresses if a.get("primary") is True), None)
    return chosen.get("locality") if chosen else None


# ---------------------------------------------------------------------------------------------------------
# Reading


def get_user(session: Session, user_id: str, for_update: bool = False) -> ScimUser:
    if not _possible_id(user_id):
        raise ScimError(404, None, f"User {user_id} not found")
    query = select(ScimUser).where(ScimUser.id == user_id, ScimUser.deleted_at.is_(None))
    if for_update and session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update()
    user = session.scalar(query)
    if user is None:
        raise ScimError(404, None, f"User {user_id} not found")
    return user


def _possible_id(resource_id: str) -> bool:
    """Return whether a URL segment can be a stored id, which saves a query that PostgreSQL would reject."""
    return len(resource_id) <= 36 and "\x00" not in resource_id


@dataclass
class UserPage:
    total: int
    users: list[ScimUser]


def list_users(session: Session, params: ListParams) -> UserPage:
    condition = ScimUser.deleted_at.is_(None)
    if params.filter:
        try:
            expr = parse_filter(params.filter)
        except FilterSyntaxError as error:
            raise ScimError(400, "invalidFilter", f"invalid filter: {error}") from None
        condition = condition & FilterTranslator("User", session.get_bind().dialect.name).condition(expr)

    total = session.scalar(select(func.count()).select_from(ScimUser).where(condition))
    users = []
    if params.count:
        users = list(session.scalars(select(ScimUser).where(condition)
                                     .order_by(ScimUser.created_at, ScimUser.id)
                                     .offset(params.start_index - 1).limit(params.count)))
    return UserPage(total, users)


def user_groups(session: Session, user_ids: list[str]) -> dict[str, list[tuple[str, str]]]:
    """Return the (group id, displayName) of the groups each User is a direct member of."""
    groups: dict[str, list[tuple[str, str]]] = {user_id: [] for user_id in user_ids}
    if not user_ids:
        return groups
    rows = session.execute(select(ScimGroupMember.member_id, ScimGroup.id, ScimGroup.display_name)
                           .join(ScimGroup, ScimGroup.id == ScimGroupMember.group_id)
                           .where(ScimGroupMember.member_id.in_(user_ids)).order_by(ScimGroup.display_name))
    for member_id, group_id, display_name in rows:
        groups[member_id].append((group_id, display_name))
    return groups


def render_user(user: ScimUser, base_url: str, groups: list[tuple[str, str]]) -> dict:
    resource = dict(user.resource)
    schemas = [USER_SCHEMA] + ([ENTERPRISE_USER_SCHEMA] if ENTERPRISE_USER_SCHEMA in resource else [])
    body = {"schemas": schemas, "id": user.id}
    if "externalId" in resource:
        body["externalId"] = resource.pop("externalId")
    body.update(resource)
    if groups:
        body["groups"] = [{"value": group_id, "$ref": f"{base_url}/Groups/{group_id}", "display": display_name,
                           "type": "direct"} for group_id, display_name in groups]
    body["meta"] = meta("User", f"{base_url}/Users/{user.id}", user.created_at, user.updated_at, user.version)
    return body
