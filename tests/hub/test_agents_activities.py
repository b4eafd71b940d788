"""The Agents resource (Person objects) and the Activities resource (canonical definitions) over real HTTP."""

from __future__ import annotations

import hashlib
import json
from dataclasses import replace

import pytest

from hub.models import Person, PersonIdentifier
from hub.services.activities import record_activity_definitions

AGENTS = "/xapi/agents"
ACTIVITIES = "/xapi/activities"
LMS = "https://lms.example.com"
ACTIVITY = "http://example.com/activities/quiz-1"


@pytest.fixture(params=["1.0.3", "2.0.0"])
def version(request) -> str:
    return request.param


@pytest.fixture
def lrs(make_client, version):
    return make_client("all", version=version)


@pytest.fixture
def lms_homepage(runtime, monkeypatch):
    """Map the LMS account home page to the "lms_username" kind, as SKILLWIRE_ACCOUNT_HOMEPAGES does."""
    monkeypatch.setattr(runtime, "settings", replace(runtime.settings, account_homepages={LMS: "lms_username"}))
    return LMS


def sha1_mbox(email: str) -> str:
    return hashlib.sha1(f"mailto:{email}".encode()).hexdigest()


def add_person(runtime, display_name: str, identifiers: list[tuple[str, str]]) -> int:
    with runtime.sessions.begin() as session:
        person = Person(origin="hris", display_name=display_name, status="active")
        session.add(person)
        session.flush()
        for kind, value in identifiers:
            session.add(PersonIdentifier(person_id=person.id, kind=kind, value=value, source="test"))
        return person.id


def known_person(runtime) -> int:
    return add_person(runtime, "Ana Silva", [
        ("email", "ana@example.com"),
        ("email_sha1", sha1_mbox("ana@example.com")),
        ("openid", "https://openid.example.com/ana"),
        ("account", "https://wiki.example.com|ana.s"),
        ("lms_username", "asilva"),
        ("hris:bamboohr", "40"),
    ])


def get_person(client, agent: dict):
    return client.get(AGENTS, params={"agent": json.dumps(agent)})


# ---------------------------------------------------------------------------------------------------------
# Agents


def test_unknown_agent_returns_person_of_agent(lrs):
    response = get_person(lrs, {"objectType": "Agent", "name": "Nobody", "mbox": "mailto:nobody@example.com"})

    assert response.status_code == 200
    assert response.json() == {"objectType": "Person", "name": ["Nobody"], "mbox": ["mailto:nobody@example.com"]}


def test_unknown_account_agent_returns_account_array(lrs):
    account = {"homePage": "https://other.example.com", "name": "u1"}

    response = get_person(lrs, {"account": account})

    assert response.json() == {"objectType": "Person", "account": [account]}


def test_known_agent_returns_every_xapi_identifier(lrs, runtime, lms_homepage):
    known_person(runtime)

    person = get_person(lrs, {"mbox": "mailto:ana@example.com"}).json()

    assert person["objectType"] == "Person"
    assert person["name"] == ["Ana Silva"]
    assert person["mbox"] == ["mailto:ana@example.com"]
    assert person["mbox_sha1sum"] == [sha1_mbox("ana@example.com")]
    assert person["openid"] == ["https://openid.example.com/ana"]
    assert person["account"] == [{"homePage": "https://wiki.example.com", "name": "ana.s"},
                                 {"homePage": LMS, "name": "asilva"}]


def test_known_agent_never_exposes_hris_ids(lrs, runtime, lms_homepage):
    known_person(runtime)

    body = get_person(lrs, {"mbox": "mailto:ana@example.com"}).text

    assert "bamboohr" not in body
    assert '"40"' not in body


def test_configured_account_resolves_person(lrs, runtime, lms_homepage):
    known_person(runtime)

    person = get_person(lrs, {"account": {"homePage": LMS + "/", "name": "asilva"}}).json()

    assert person["mbox"] == ["mailto:ana@example.com"]
    assert person["account"] == [{"homePage": LMS + "/", "name": "asilva"},
                                 {"homePage": "https://wiki.example.com", "name": "ana.s"}]


def test_sha1_agent_resolves_person(lrs, runtime):
    known_person(runtime)

    person = get_person(lrs, {"mbox_sha1sum": sha1_mbox("ana@example.com").upper()}).json()

    assert person["mbox"] == ["mailto:ana@example.com"]
    assert person["mbox_sha1sum"] == [sha1_mbox("ana@example.com").upper()]


def test_agent_name_joins_person_name(lrs, runtime):
    known_person(runtime)

    person = get_person(lrs, {"name": "Ana S.", "mbox": "mailto:ana@example.com"}).json()

    assert person["name"] == ["Ana S.", "Ana Silva"]


def test_unconfigured_kind_is_not_exposed(lrs, runtime):
    known_person(runtime)

    person = get_person(lrs, {"mbox": "mailto:ana@example.com"}).json()

    assert person["account"] == [{"homePage": "https://wiki.example.com", "name": "ana.s"}]


def test_narrow_scope_gets_only_requested_agent(make_client, runtime, version):
    known_person(runtime)
    client = make_client("profile", version=version)

    response = get_person(client, {"mbox": "mailto:ana@example.com"})

    assert response.status_code == 200
    assert response.json() == {"objectType": "Person", "mbox": ["mailto:ana@example.com"]}


def test_people_read_scope_gets_linked_identifiers(make_client, runtime, version):
    known_person(runtime)
    client = make_client("people/read", version=version)

    person = get_person(client, {"mbox": "mailto:ana@example.com"}).json()

    assert person["openid"] == ["https://openid.example.com/ana"]


def test_statements_write_scope_cannot_read_agents(make_client, version):
    client = make_client("statements/write", version=version)

    response = get_person(client, {"mbox": "mailto:ana@example.com"})

    assert response.status_code == 403


@pytest.mark.parametrize("params", [
    {},
    {"agent": "not json"},
    {"agent": json.dumps({"objectType": "Group", "mbox": "mailto:team@example.com"})},
    {"agent": json.dumps({"objectType": "Agent"})},
    {"agent": json.dumps({"mbox": "mailto:a@example.com"}), "extra": "1"},
])
def test_agents_invalid_request_is_400(lrs, params):
    response = lrs.get(AGENTS, params=params)

    assert response.status_code == 400


def test_agents_head_has_no_body(lrs):
    response = lrs.head(AGENTS, params={"agent": json.dumps({"mbox": "mailto:nobody@example.com"})})

    assert response.status_code == 200
    assert response.content == b""
    assert response.headers["Content-Type"] == "application/json"


# ---------------------------------------------------------------------------------------------------------
# Activities


def statement(activity: dict, **extra) -> dict:
    body = {
        "actor": {"mbox": "mailto:learner@example.com"},
        "verb": {"id": "http://adlnet.gov/expapi/verbs/answered"},
        "object": activity,
    }
    body.update(extra)
    return body


def record(runtime, statements: list[dict], may_define: bool) -> None:
    with runtime.sessions.begin() as session:
        record_activity_definitions(session, statements, may_define)


def get_activity(client, activity_id: str = ACTIVITY):
    return client.get(ACTIVITIES, params={"activityId": activity_id})


def test_unknown_activity_returns_activity_with_id(lrs):
    response = get_activity(lrs)

    assert response.status_code == 200
    assert response.json() == {"objectType": "Activity", "id": ACTIVITY}


def test_defined_activity_returns_definition(lrs, runtime):
    definition = {"name": {"en-US": "Quiz"}, "type": "http://adlnet.gov/expapi/activities/assessment"}
    record(runtime, [statement({"id": ACTIVITY, "definition": definition})], may_define=True)

    response = get_activity(lrs)

    assert response.json() == {"objectType": "Activity", "id": ACTIVITY, "definition": definition}


def test_activity_definition_merge(lrs, runtime):
    first = {"name": {"en-US": "Quiz"}, "description": {"en-US": "A quiz"},
             "type": "http://adlnet.gov/expapi/activities/assessment",
             "extensions": {"http://example.com/ext/a": 1}}
    second = {"name": {"fr-FR": "Questionnaire"}, "type": "http://adlnet.gov/expapi/activities/interaction",
              "extensions": {"http://example.com/ext/b": 2}}
    record(runtime, [statement({"id": ACTIVITY, "definition": first})], may_define=True)
    record(runtime, [statement({"id": ACTIVITY, "definition": second})], may_define=True)

    definition = get_activity(lrs).json()["definition"]

    assert definition["name"] == {"en-US": "Quiz", "fr-FR": "Questionnaire"}
    assert definition["description"] == {"en-US": "A quiz"}
    assert definition["type"] == "http://adlnet.gov/expapi/activities/interaction"
    assert definition["extensions"] == {"http://example.com/ext/a": 1, "http://example.com/ext/b": 2}


def test_later_name_in_same_language_wins(lrs, runtime):
    record(runtime, [statement({"id": ACTIVITY, "definition": {"name": {"en-US": "Old"}}}),
                     statement({"id": ACTIVITY, "definition": {"name": {"en-US": "New"}}})], may_define=True)

    assert get_activity(lrs).json()["definition"]["name"] == {"en-US": "New"}


def test_interaction_component_descriptions_merge(lrs, runtime):
    english = {"interactionType": "choice", "correctResponsesPattern": ["a"],
               "choices": [{"id": "a", "description": {"en-US": "Yes"}}, {"id": "b", "description": {"en-US": "No"}}]}
    french = {"interactionType": "choice", "correctResponsesPattern": ["a"],
              "choices": [{"id": "a", "description": {"fr-FR": "Oui"}}, {"id": "b", "description": {"fr-FR": "Non"}}]}
    record(runtime, [statement({"id": ACTIVITY, "definition": english})], may_define=True)
    record(runtime, [statement({"id": ACTIVITY, "definition": french})], may_define=True)

    choices = get_activity(lrs).json()["definition"]["choices"]

    assert choices == [{"id": "a", "description": {"en-US": "Yes", "fr-FR": "Oui"}},
                       {"id": "b", "description": {"en-US": "No", "fr-FR": "Non"}}]


def test_without_define_scope_definition_is_kept(lrs, runtime):
    record(runtime, [statement({"id": ACTIVITY, "definition": {"name": {"en-US": "Quiz"}}})], may_define=True)
    record(runtime, [statement({"id": ACTIVITY, "definition": {"name": {"en-US": "Hijacked"}}})], may_define=False)

    assert get_activity(lrs).json()["definition"] == {"name": {"en-US": "Quiz"}}


def test_without_define_scope_only_id_is_saved(lrs, runtime):
    record(runtime, [statement({"id": ACTIVITY, "definition": {"name": {"en-US": "Quiz"}}})], may_define=False)

    assert get_activity(lrs).json() == {"objectType": "Activity", "id": ACTIVITY}


def test_context_and_substatement_activities_recorded(lrs, runtime):
    parent = "http://example.com/activities/course"
    inner = "http://example.com/activities/inner"
    grouping = "http://example.com/activities/program"
    substatement = {"objectType": "SubStatement", "actor": {"mbox": "mailto:a@example.com"},
                    "verb": {"id": "http://adlnet.gov/expapi/verbs/attempted"},
                    "object": {"id": inner, "definition": {"name": {"en-US": "Inner"}}}}
    context = {"contextActivities": {"parent": [{"id": parent, "definition": {"name": {"en-US": "Course"}}}],
                                     "grouping": {"id": grouping, "definition": {"name": {"en-US": "Program"}}}}}
    record(runtime, [statement(substatement, context=context)], may_define=True)

    assert get_activity(lrs, parent).json()["definition"] == {"name": {"en-US": "Course"}}
    assert get_activity(lrs, grouping).json()["definition"] == {"name": {"en-US": "Program"}}
    assert get_activity(lrs, inner).json()["definition"] == {"name": {"en-US": "Inner"}}


def test_statement_with_agent_object_records_nothing(lrs, runtime):
    record(runtime, [statement({"objectType": "Agent", "mbox": "mailto:b@example.com"})], may_define=True)

    with runtime.sessions() as session:
        from sqlalchemy import func, select

        from hub.models import ActivityDefinition
        count = session.scalar(select(func.count()).select_from(ActivityDefinition))

    assert count == 0


@pytest.mark.parametrize("params", [{}, {"activityId": "not an iri"}, {"activityId": ACTIVITY, "extra": "1"},
                                    {"activityid": ACTIVITY}])
def test_activities_invalid_request_is_400(lrs, params):
    response = lrs.get(ACTIVITIES, params=params)

    assert response.status_code == 400


def test_activities_head_has_no_body(lrs):
    response = lrs.head(ACTIVITIES, params={"activityId": ACTIVITY})

    assert response.status_code == 200
    assert response.content == b""


def test_statements_read_scope_reads_activities(make_client, version):
    client = make_client("statements/read", version=version)

    response = get_activity(client)

    assert response.status_code == 200
