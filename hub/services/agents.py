"""The xAPI Person object: every identifier of the person behind an agent that xAPI can express.

A person's identifiers (see PersonIdentifier) become Person properties: "email" an mbox, "email_sha1" an
mbox_sha1sum, "openid" an openid, and "account" or a kind that SKILLWIRE_ACCOUNT_HOMEPAGES maps a home page to
an account. HR system ids ("hris:SOURCE") and other kinds have no xAPI form and never leave the hub.
"""

from __future__ import annotations

from typing import Mapping

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..models import Person, PersonIdentifier
from .identity import agent_identifiers, find_people

PERSON_LIST_PROPERTIES = ("name", "mbox", "mbox_sha1sum", "openid", "account")


def person_object(session: Session, agent: dict, account_homepages: Mapping[str, str], linked: bool) -> dict:
    """Return the Person object for a validated Agent.

    It always contains the agent's own name and IFI, as xAPI 1.0.3 communication section 2.4.s3.b3 requires for an
    agent the LRS knows nothing more about. With ``linked``, it adds the name and the identifiers of the person
    the agent resolves to.
    """
    person = _PersonBuilder()
    person.add("name", agent.get("name"))
    for name in ("mbox", "mbox_sha1sum", "openid", "account"):
        person.add(name, agent.get(name))

    person_id = _resolve_person(session, agent, account_homepages) if linked else None
    if person_id is not None:
        _add_person(session, person, person_id, account_homepages)
    return person.build()


def _resolve_person(session: Session, agent: dict, account_homepages: Mapping[str, str]) -> int | None:
    """Return the person with the agent's first identifier found, following merges, or None."""
    identifiers = agent_identifiers(agent, account_homepages)
    found = find_people(session, identifiers)
    for identifier in identifiers:
        if identifier in found:
            return found[identifier]
    return None


def _add_person(session: Session, person: _PersonBuilder, person_id: int, account_homepages: Mapping[str, str]):
    person.add("name", session.scalar(select(Person.display_name).where(Person.id == person_id)))

    homepage_by_kind = {kind: homepage for homepage, kind in account_homepages.items()}
    rows = session.execute(select(PersonIdentifier.kind, PersonIdentifier.value)
                           .where(PersonIdentifier.person_id == person_id)
                           .order_by(PersonIdentifier.id))
    for kind, value in rows:
        property_name, property_value = _xapi_identifier(kind, value, homepage_by_kind)
        if property_name is not None:
            person.add(property_name, property_value)


def _xapi_identifier(kind: str, value: str, homepage_by_kind: Mapping[str, str]) -> tuple[str | None, object]:
    if kind == "email":
        return "mbox", f"mailto:{value}"
    if kind == "email_sha1":
        return "mbox_sha1sum", value
    if kind == "openid":
        return "openid", value
    if kind == "account":
        # The value is "homePage|name"; an IRL cannot contain "|", so the first one ends the home page.
        homepage, _, name = value.partition("|")
        return "account", {"homePage": homepage, "name": name}
    if kind in homepage_by_kind:
        return "account", {"homePage": homepage_by_kind[kind], "name": value}
    return None, None


class _PersonBuilder:
    """Collects Person property values in order, each once."""

    def __init__(self):
        self.values: dict[str, list] = {name: [] for name in PERSON_LIST_PROPERTIES}
        self.seen: set[tuple[str, object]] = set()

    def add(self, name: str, value) -> None:
        if not value:
            return

        key = (name, _comparison_key(name, value))
        if key in self.seen:
            return
        self.seen.add(key)
        self.values[name].append(value)

    def build(self) -> dict:
        person = {"objectType": "Person"}
        for name in PERSON_LIST_PROPERTIES:
            if self.values[name]:
                person[name] = self.values[name]
        return person


def _comparison_key(name: str, value):
    """Return the form two values of one property are compared in, so the same IFI in two spellings counts once."""
    if name == "mbox":
        return value.lower()
    if name == "mbox_sha1sum":
        return value.lower()
    if name == "account":
        return value["homePage"].rstrip("/"), value["name"]
    return value
