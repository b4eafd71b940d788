"""Deterministic generation of realistic, varied xAPI statements for the benchmark.

The same seed and count give the same statements, ids included, so runs compare like with like. A statement
is about 1.3 KB of JSON: an mbox or account actor, one of many verbs, an activity with a definition, usually a
result, and a context with a registration, context activities and extensions. About one statement in eight
matches a rule of the default mappings, so the evidence mapping job has real work to do.
"""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Iterator

ADL = "http://adlnet.gov/expapi/verbs/"
VERBS = [
    ADL + "experienced", ADL + "attempted", ADL + "completed", ADL + "passed", ADL + "failed",
    ADL + "answered", ADL + "interacted", ADL + "launched", ADL + "initialized", ADL + "terminated",
    ADL + "progressed", ADL + "scored", ADL + "commented", ADL + "shared", ADL + "registered",
    "http://id.tincanapi.com/verb/viewed", "http://id.tincanapi.com/verb/bookmarked",
    "https://w3id.org/xapi/video/verbs/played", "https://w3id.org/xapi/video/verbs/paused",
    "https://w3id.org/xapi/video/verbs/seeked", "https://w3id.org/xapi/adl/verbs/satisfied",
    "https://w3id.org/xapi/tla/verbs/achieved",
]
# Weights give a realistic skew: most statements are views, launches and answered questions, few are achievements.
VERB_WEIGHTS = [18, 8, 6, 3, 1, 12, 8, 6, 4, 4, 6, 3, 1, 1, 1, 10, 1, 4, 3, 2, 1, 1]

ACTIVITY_TYPES = [
    "http://adlnet.gov/expapi/activities/lesson", "http://adlnet.gov/expapi/activities/assessment",
    "http://adlnet.gov/expapi/activities/question", "http://adlnet.gov/expapi/activities/media",
    "https://w3id.org/xapi/video/activity-type/video", "http://adlnet.gov/expapi/activities/module",
]
MODULE_KINDS = ["page", "quiz", "video", "lesson", "book", "forum", "scorm", "assign"]
WORDS = ["safety", "ladder", "forklift", "privacy", "security", "leadership", "coaching", "excel", "python",
         "negotiation", "first-aid", "fire", "hazard", "ethics", "budget", "sales", "onboarding", "quality"]
LANGUAGES = ["en-US", "de-DE", "fr-FR", "es-ES"]
ACCOUNT_HOMEPAGE = "https://lms.example.com"
CORPORATE_DOMAIN = "example.com"
EXTENSION_BASE = "https://skillwire.dev/x/"
# The bulk-loaded history starts this long before the generation epoch.
HISTORY = timedelta(days=365)
EPOCH = datetime(2026, 1, 1, tzinfo=timezone.utc)


@dataclass(frozen=True)
class Population:
    """The learners, courses and activities that statements are drawn from."""

    actors: list[dict]
    courses: list[str]
    modules: list[tuple[str, str, str]]

    @classmethod
    def create(cls, count: int, seed: int) -> "Population":
        rng = random.Random(f"population-{seed}")
        actor_count = max(50, count // 40)
        course_count = max(10, count // 5000)
        actors = [_actor(rng, index) for index in range(actor_count)]
        courses = [f"https://lms.example.com/courses/{_slug(rng)}-{index}" for index in range(course_count)]
        modules = [(course, kind, f"{course}/mod/{kind}/{number}")
                   for course in courses
                   for number, kind in enumerate(rng.sample(MODULE_KINDS, 6))]
        return cls(actors=actors, courses=courses, modules=modules)


def _actor(rng: random.Random, index: int) -> dict:
    name = f"{rng.choice(WORDS).title()} Learner {index}"
    if index % 3 == 0:
        return {"objectType": "Agent", "name": name,
                "account": {"homePage": ACCOUNT_HOMEPAGE, "name": f"user-{index:07d}"}}
    return {"objectType": "Agent", "name": name, "mbox": f"mailto:learner{index}@{CORPORATE_DOMAIN}"}


def _slug(rng: random.Random) -> str:
    return "-".join(rng.sample(WORDS, 2))


def statement_uuid(rng: random.Random) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def generate_statements(count: int, seed: int, population: Population, start: int = 0) -> Iterator[dict]:
    """Yield statements number ``start`` to ``start + count - 1`` of the sequence for ``seed``.

    Each statement has its own random stream, so any slice of the sequence is generated alone.
    """
    for number in range(start, start + count):
        yield _statement(random.Random(f"statement-{seed}-{number}"), number, population)


def _statement(rng: random.Random, number: int, population: Population) -> dict:
    if number % 8 == 0:
        return _mapped_completion(rng, number, population)

    actor = rng.choice(population.actors)
    course, kind, activity_id = rng.choice(population.modules)
    verb = rng.choices(VERBS, VERB_WEIGHTS)[0]
    statement = {
        "id": statement_uuid(rng),
        "actor": actor,
        "verb": _verb(verb, rng),
        "object": _activity(activity_id, kind),
        "context": _context(rng, course, population),
        "timestamp": _timestamp(rng, number),
    }
    if verb not in (ADL + "launched", ADL + "initialized", "http://id.tincanapi.com/verb/viewed"):
        statement["result"] = _result(rng)
    return statement


def _mapped_completion(rng: random.Random, number: int, population: Population) -> dict:
    """Build a cmi5 completion that the default rules turn into workplace safety evidence."""
    actor = rng.choice(population.actors)
    unit = f"https://lms.example.com/cmi5/courses/safety-101/au/{rng.randint(1, 6)}"
    course = rng.choice(population.courses)
    return {
        "id": statement_uuid(rng),
        "actor": actor,
        "verb": _verb(ADL + "completed", rng),
        "object": _activity(unit, "lesson"),
        "result": {"completion": True, "success": rng.random() > 0.2,
                   "score": {"scaled": round(rng.uniform(0.4, 1.0), 2)}, "duration": f"PT{rng.randint(5, 90)}M"},
        "context": _context(rng, course, population),
        "timestamp": _timestamp(rng, number),
    }


def _verb(verb_id: str, rng: random.Random) -> dict:
    return {"id": verb_id, "display": {rng.choice(LANGUAGES): verb_id.rsplit("/", 1)[-1]}}


def _activity(activity_id: str, kind: str) -> dict:
    """Return the activity with its definition, which is the same in every statement, as an LMS sends it."""
    rng = random.Random(activity_id)
    words = " ".join(rng.sample(WORDS, 3))
    return {
        "objectType": "Activity",
        "id": activity_id,
        "definition": {
            "name": {"en-US": f"{kind.title()}: {words}"},
            "description": {"en-US": f"The {kind} about {words}."},
            "type": rng.choice(ACTIVITY_TYPES),
            "extensions": {EXTENSION_BASE + "duration-minutes": rng.randint(5, 120)},
        },
    }


def _result(rng: random.Random) -> dict:
    raw = rng.randint(0, 100)
    return {
        "score": {"scaled": round(raw / 100, 2), "raw": raw, "min": 0, "max": 100},
        "success": raw >= 60,
        "completion": rng.random() > 0.3,
        "duration": f"PT{rng.randint(1, 3600)}S",
        "response": rng.choice(["true", "false", "a[,]b", "choice-3", ""]),
        "extensions": {EXTENSION_BASE + "attempt": rng.randint(1, 5)},
    }


def _context(rng: random.Random, course: str, population: Population) -> dict:
    context = {
        "registration": statement_uuid(random.Random(f"registration-{course}-{rng.randint(0, 400)}")),
        "platform": rng.choice(["Moodle", "Docebo", "Cornerstone", "cmi5 player"]),
        "language": rng.choice(LANGUAGES),
        "contextActivities": {
            "parent": [{"id": course, "objectType": "Activity"}],
            "grouping": [{"id": _program(course), "objectType": "Activity"}],
            "category": [{"id": "https://w3id.org/xapi/cmi5/context/categories/cmi5"}],
        },
        "extensions": {
            EXTENSION_BASE + "session-id": rng.getrandbits(48),
            EXTENSION_BASE + "department": rng.choice(WORDS),
        },
    }
    if rng.random() < 0.2:
        context["instructor"] = rng.choice(population.actors)
    return context


def _program(course: str) -> str:
    """Return the program a course belongs to: ten courses share one, by their index."""
    index = int(course.rsplit("-", 1)[1])
    return f"https://lms.example.com/programs/{index // 10}"


def _timestamp(rng: random.Random, number: int) -> str:
    moment = EPOCH + timedelta(seconds=number * 7 + rng.randint(0, 6))
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{rng.randint(0, 999):03d}Z"

