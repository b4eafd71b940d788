"""Statement comparison by the xAPI Statement Comparison Requirements.

xAPI 1.0.3 Data 2.3.1: when an LRS receives a statement id it already stores,
it compares the two statements. Differences that the immutability exceptions
allow are ignored:

- properties the LRS assigns: id, authority, stored, version, and a timestamp
  that only one of the two statements has;
- Activity Definitions and Verb "display", which are not part of the
  statement;
- the serialization of timestamps, compared as instants;
- the order of the members of a Group;
- attachments;
- case where the value is case-insensitive: the mailto scheme and email
  domain, UUIDs, hex hashes and language tags.

The duration is compared as a string, except that digits beyond 0.01 second
are ignored (Data 4.6.s1.b5). Numbers compare by value, so 1 and 1.0 match,
but true and false never match 1 and 0. Every other difference counts.

Also ignored: a missing default objectType ("Agent" for actors, "Activity"
for objects) and a single contextActivities Activity against an array of one,
because an LRS returns every contextActivities value as an array
(Data 2.4.6.2.s4.b3).
"""

import json
import re

from xapi.agents import normalize_mbox
from xapi.errors import ValidationError
from xapi.timestamps import parse_timestamp

_LRS_ASSIGNED = frozenset({"id", "authority", "stored", "version", "timestamp", "attachments"})
_SECONDS_FRACTION = re.compile(r"(\d+)[.,](\d+)S$", re.ASCII)


def statements_equivalent(a: dict, b: dict) -> bool:
    """Return whether two statements match by the comparison rules above.

    Both statements must have passed validate_statement; other input may
    raise KeyError, TypeError or AttributeError.
    """
    if not _same_json(_canonical_statement(a), _canonical_statement(b)):
        return False

    if "timestamp" in a and "timestamp" in b:
        return _instant(a["timestamp"]) == _instant(b["timestamp"])
    return True


def _same_json(a: object, b: object) -> bool:
    """Compare JSON values like ==, except that Python's bool, a subclass of int, never equals a number."""
    if isinstance(a, bool) or isinstance(b, bool):
        return type(a) is type(b) and a == b
    if isinstance(a, dict):
        return isinstance(b, dict) and a.keys() == b.keys() and all(_same_json(a[key], b[key]) for key in a)
    if isinstance(a, list):
        return isinstance(b, list) and len(a) == len(b) and all(map(_same_json, a, b))
    return a == b


def _canonical_statement(statement: dict) -> dict:
    canonical = {key: value for key, value in statement.items() if key not in _LRS_ASSIGNED}
    return _canonical_statement_parts(canonical)


def _canonical_statement_parts(statement: dict) -> dict:
    canonical = dict(statement)
    canonical["actor"] = _canonical_actor(statement["actor"])
    canonical["verb"] = {"id": statement["verb"]["id"]}
    canonical["object"] = _canonical_object(statement["object"])

    if "result" in statement:
        canonical["result"] = _canonical_result(statement["result"])
    if "context" in statement:
        canonical["context"] = _canonical_context(statement["context"])
    return canonical


def _canonical_object(value: dict) -> dict:
    object_type = value.get("objectType", "Activity")
    if object_type == "Activity":
        return _canonical_activity(value)
    if object_type in ("Agent", "Group"):
        return _canonical_actor(value)
    if object_type == "StatementRef":
        return _canonical_statement_ref(value)
    return _canonical_substatement(value)


def _canonical_substatement(substatement: dict) -> dict:
    canonical = {key: value for key, value in substatement.items() if key != "attachments"}
    canonical = _canonical_statement_parts(canonical)
    # An LRS never assigns a SubStatement's timestamp, so only its serialization may differ.
    if "timestamp" in canonical:
        canonical["timestamp"] = _instant(canonical["timestamp"])
    return canonical


def _canonical_activity(activity: dict) -> dict:
    return {"objectType": "Activity", "id": activity["id"]}


def _canonical_statement_ref(statement_ref: dict) -> dict:
    return {"objectType": "StatementRef", "id": statement_ref["id"].lower()}


def _canonical_actor(actor: dict) -> dict:
    canonical = dict(actor)
    canonical.setdefault("objectType", "Agent")

    if "mbox" in actor:
        canonical["mbox"] = normalize_mbox(actor["mbox"])
    if "mbox_sha1sum" in actor:
        canonical["mbox_sha1sum"] = actor["mbox_sha1sum"].lower()
    if "member" in actor:
        members = [_canonical_actor(member) for member in actor["member"]]
        canonical["member"] = sorted(members, key=_sort_key)
    return canonical


def _canonical_result(result: dict) -> dict:
    canonical = dict(result)
    if "duration" in result:
        canonical["duration"] = _truncate_duration(result["duration"])
    return canonical


def _canonical_context(context: dict) -> dict:
    canonical = dict(context)

    if "registration" in context:
        canonical["registration"] = context["registration"].lower()
    if "instructor" in context:
        canonical["instructor"] = _canonical_actor(context["instructor"])
    if "team" in context:
        canonical["team"] = _canonical_actor(context["team"])
    if "language" in context:
        canonical["language"] = context["language"].lower()
    if "statement" in context:
        canonical["statement"] = _canonical_statement_ref(context["statement"])
    if "contextActivities" in context:
        canonical["contextActivities"] = {
            activity_type: [_canonical_activity(activity) for activity in _as_list(value)]
            for activity_type, value in context["contextActivities"].items()
        }
    if "contextAgents" in context:
        canonical["contextAgents"] = [
            {**entry, "agent": _canonical_actor(entry["agent"])} for entry in context["contextAgents"]
        ]
    if "contextGroups" in context:
        canonical["contextGroups"] = [
            {**entry, "group": _canonical_actor(entry["group"])} for entry in context["contextGroups"]
        ]
    return canonical


def _truncate_duration(duration: str) -> str:
    """Drop second digits beyond 0.01 s and trailing zeros of the fraction."""
    match = _SECONDS_FRACTION.search(duration)
    if match is None:
        return duration

    fraction = match.group(2)[:2].rstrip("0")
    seconds = f"{match.group(1)}.{fraction}S" if fraction else f"{match.group(1)}S"
    return duration[: match.start()] + seconds


def _instant(timestamp: str) -> object:
    try:
        return parse_timestamp(timestamp, "timestamp")
    except ValidationError:
        # Only valid statements should be compared; an unparsable value
        # still compares equal to itself.
        return timestamp


def _as_list(value: object) -> list:
    return value if type(value) is list else [value]


def _sort_key(actor: dict) -> str:
    return json.dumps(actor, sort_keys=True, ensure_ascii=False)
