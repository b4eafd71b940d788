"""cmi5 documents from the shared corpus go into the State and Agent Profile resources and come back unchanged.

The corpus holds, per cmi5 sample scenario, the LMS.LaunchData state document and the cmi5LearnerPreferences
agent profile document an LMS writes before launching an assignable unit.
"""

from __future__ import annotations

import hashlib
import json
import uuid

import pytest

STATE = "/xapi/activities/state"
AGENT_PROFILE = "/xapi/agents/profile"
JSON_TYPE = "application/json"
AGENT = {"objectType": "Agent", "account": {"homePage": "https://lms.example.com", "name": "learner-1"}}


@pytest.fixture(params=["1.0.3", "2.0.0"])
def lrs(make_client, request):
    return make_client("all", version=request.param)


def scenario_files(corpus, pattern: str) -> list:
    files = sorted((corpus / "xapi-documents" / "cmi5-spec-samples").glob(f"*/{pattern}"))
    assert files, f"no {pattern} files in the corpus"
    return files


def scenario_context(path) -> tuple[str, str]:
    """Return an activity id and a registration of one scenario, derived from its folder name."""
    scenario = path.parent.name
    return f"https://example.com/cmi5/{scenario}/au", str(uuid.uuid5(uuid.NAMESPACE_URL, scenario))


def test_launch_data_state_round_trip(lrs, corpus):
    for path in scenario_files(corpus, "*lms_launch_data.json"):
        body = path.read_bytes()
        activity_id, registration = scenario_context(path)
        params = {"activityId": activity_id, "agent": json.dumps(AGENT), "registration": registration,
                  "stateId": f"LMS.LaunchData.{path.stem}"}

        put = lrs.put(STATE, params=params, data=body, headers={"Content-Type": JSON_TYPE})
        response = lrs.get(STATE, params=params)

        assert put.status_code == 204, path
        assert response.content == body, path
        assert response.headers["Content-Type"] == JSON_TYPE, path
        assert response.headers["ETag"] == f'"{hashlib.sha1(body).hexdigest()}"', path


def test_launch_data_listed_per_registration(lrs, corpus):
    paths = scenario_files(corpus, "*lms_launch_data.json")
    for path in paths:
        activity_id, registration = scenario_context(path)
        lrs.put(STATE, params={"activityId": activity_id, "agent": json.dumps(AGENT), "registration": registration,
                               "stateId": "LMS.LaunchData"},
                data=path.read_bytes(), headers={"Content-Type": JSON_TYPE, "If-None-Match": "*"})

    for path in paths:
        activity_id, registration = scenario_context(path)
        response = lrs.get(STATE, params={"activityId": activity_id, "agent": json.dumps(AGENT),
                                          "registration": registration})
        assert response.json() == ["LMS.LaunchData"], path


def test_learner_preferences_profile_round_trip(lrs, corpus):
    for index, path in enumerate(scenario_files(corpus, "*cmi5LearnerPreferences_data.json")):
        body = path.read_bytes()
        agent = {"objectType": "Agent", "account": {"homePage": "https://lms.example.com", "name": f"learner-{index}"}}
        params = {"agent": json.dumps(agent), "profileId": "cmi5LearnerPreferences"}

        put = lrs.put(AGENT_PROFILE, params=params, data=body,
                      headers={"Content-Type": JSON_TYPE, "If-None-Match": "*"})
        response = lrs.get(AGENT_PROFILE, params=params)

        assert put.status_code == 204, path
        assert response.content == body, path
        assert response.headers["ETag"] == f'"{hashlib.sha1(body).hexdigest()}"', path
