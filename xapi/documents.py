"""Document resources of xAPI: request parameters, ETags and the JSON merge of POST.

Covers the State, Activity Profile and Agent Profile resources (xAPI 1.0.3
Communication 2.2, 2.3, 2.6 and 2.7; IEEE 9274.1.1 section 4.1.6.2, 4.1.6.5
and 4.1.6.6) and the "agent" and "activityId" parameters that the Agents and
Activities resources share with them.
"""

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from xapi.errors import ValidationError, json_type_name
from xapi.strict_json import loads_exact
from xapi.timestamps import parse_timestamp
from xapi.validation.agents import validate_agent
from xapi.validation.primitives import (
    check_identifier_length,
    check_iri,
    check_no_control_characters,
    check_uuid,
)

STATE = "state"
ACTIVITY_PROFILE = "activity_profile"
AGENT_PROFILE = "agent_profile"

# The parameter that names one document of each resource.
DOCUMENT_ID_PARAMETERS = {STATE: "stateId", ACTIVITY_PROFILE: "profileId", AGENT_PROFILE: "profileId"}

_CONTEXT_PARAMETERS = {
    STATE: ("activityId", "agent", "registration"),
    ACTIVITY_PROFILE: ("activityId",),
    AGENT_PROFILE: ("agent",),
}
_REQUIRED_CONTEXT_PARAMETERS = {
    STATE: ("activityId", "agent"),
    ACTIVITY_PROFILE: ("activityId",),
    AGENT_PROFILE: ("agent",),
}

JSON_MEDIA_TYPE = "application/json"


@dataclass(frozen=True)
class DocumentParams:
    """The parsed parameters of one document request; the registration UUID is lower-case."""

    activity_id: str | None = None
    agent: dict | None = None
    registration: str | None = None
    # The stateId or profileId; None requests the id list (GET) or every state in the context (DELETE).
    document_id: str | None = None
    since: datetime | None = None


def parse_document_params(resource: str, method: str, params: Mapping[str, str], version: str) -> DocumentParams:
    """Parse and check the query parameters of a document resource request.

    ``resource`` is STATE, ACTIVITY_PROFILE or AGENT_PROFILE and ``method``
    one of GET, HEAD, PUT, POST or DELETE. Raises ValidationError whose path
    names the parameter: unknown or wrongly cased, missing, malformed, or
    not allowed with this method and version.
    """
    id_name = DOCUMENT_ID_PARAMETERS[resource]
    allowed = _allowed_parameters(resource, method, id_name, params, version)
    check_parameter_names(params, allowed, resource.replace("_", " "))

    for name in _REQUIRED_CONTEXT_PARAMETERS[resource]:
        if name not in params:
            raise ValidationError(f"missing required parameter {name!r}", name)

    document_id = params.get(id_name)
    if document_id is None and (method in ("PUT", "POST") or (method == "DELETE" and resource != STATE)):
        raise ValidationError(f"missing required parameter {id_name!r} for {method}", id_name)
    if document_id is not None and document_id == "":
        raise ValidationError(f"{id_name} must not be empty", id_name)
    if document_id is not None:
        check_no_control_characters(document_id, id_name)

    return DocumentParams(
        activity_id=parse_activity_id(params["activityId"]) if "activityId" in params else None,
        agent=parse_agent(params["agent"]) if "agent" in params else None,
        registration=_parse_registration(params["registration"]) if "registration" in params else None,
        document_id=document_id,
        since=parse_timestamp(params["since"], "since", version) if "since" in params else None,
    )


def _allowed_parameters(resource: str, method: str, id_name: str, params: Mapping[str, str],
                        version: str) -> frozenset[str]:
    """Return the parameters a request may carry.

    "since" filters the id list of a GET without a document id. Under 2.0
    (IEEE 9274.1.1 section 4.1.6.2) it is "Not Allowed" beside stateId and
    on DELETE. The 1.0.3 conformance suite sends it with a stateId on GET
    and on DELETE and expects the request to succeed, so 1.0.3 accepts it
    there, checked as a timestamp.
    """
    allowed = set(_CONTEXT_PARAMETERS[resource]) | {id_name}
    if method in ("GET", "HEAD"):
        if id_name not in params or version == "1.0.3":
            allowed.add("since")
    elif method == "DELETE" and resource == STATE and version == "1.0.3":
        allowed.add("since")
    return frozenset(allowed)


def check_parameter_names(params: Mapping[str, str], allowed: frozenset[str], resource: str) -> None:
    """Reject any parameter outside ``allowed``, as xAPI 1.0.3 Communication 3.2.s3.b7 and b8 require.

    ``resource`` names the resource in the message, such as "state".
    """
    by_lower_case = {name.lower(): name for name in allowed}
    for name in params:
        if name in allowed:
            continue

        suggestion = by_lower_case.get(name.lower())
        if suggestion is not None and suggestion != name:
            raise ValidationError(
                f"unknown parameter {name!r}: parameter names are case-sensitive, use {suggestion!r}", name
            )
        raise ValidationError(
            f"parameter {name!r} is not allowed here; the {resource} resource takes "
            f"{', '.join(sorted(allowed))}",
            name,
        )


def parse_agent(text: str, name: str = "agent") -> dict:
    """Parse the JSON of an "agent" parameter: an Agent with exactly one IFI, never a Group."""
    try:
        agent = loads_exact(text)
    except ValueError as error:
        raise ValidationError(f"must be an Agent object in JSON, but the value is not valid JSON: {error}",
                              name) from None

    if type(agent) is not dict:
        raise ValidationError(f"must be an Agent object in JSON, not {json_type_name(agent)}", name)
    validate_agent(agent, name)
    return agent


def parse_activity_id(text: str, name: str = "activityId") -> str:
    check_iri(text, name, kind="Activity id")
    check_identifier_length(text, name, "Activity id")
    return text


def _parse_registration(text: str) -> str:
    check_uuid(text, "registration")
    return text.lower()


# --- Contents ----------------------------------------------------------------


def document_etag(content: bytes) -> str:
    """Return the lower-case hex SHA-1 of a document, the ETag value xAPI 1.0.3 Communication 3.1.s4.b2 requires."""
    return hashlib.sha1(content).hexdigest()


def is_json_media_type(content_type: str | None) -> bool:
    """Return whether a Content-Type header names application/json, with or without parameters."""
    if not content_type:
        return False
    return content_type.split(";", 1)[0].strip().lower() == JSON_MEDIA_TYPE


def parse_json_document(content: bytes, name: str = "document", reject_repeated_keys: bool = False) -> object:
    """Parse a document sent as application/json; raise ValidationError when it is not valid UTF-8 JSON.

    NaN, Infinity and numbers too large for a float (such as 1e999) are not
    JSON values, so they are rejected too, and so is a key repeated in one
    object when ``reject_repeated_keys`` is set.
    """
    try:
        return loads_exact(content.decode("utf-8"), reject_repeated_keys)
    except ValidationError as error:
        raise ValidationError(error.message, name) from None
    except ValueError as error:
        raise ValidationError(f"is not valid JSON although its Content-Type is application/json: {error}",
                              name) from None


def parse_json_object(content: bytes, name: str = "document", reject_repeated_keys: bool = False) -> dict:
    value = parse_json_document(content, name, reject_repeated_keys)
    if type(value) is not dict:
        raise ValidationError(f"must be a JSON object to be merged, not {json_type_name(value)}", name)
    return value


def merge_json_documents(stored: bytes, posted: bytes) -> bytes:
    """Merge a posted JSON object into a stored one and return the merged document as compact UTF-8 JSON.

    xAPI 1.0.3 Communication 2.2.s7 (IEEE 9274.1.1 section 4.1.6.2): only
    top-level properties merge, and each posted property replaces the
    stored one whole, even when both are objects. Raises ValidationError
    when either document is not a JSON object.
    """
    stored_object = parse_json_object(stored, "stored document")
    # A repeated key in the posted object would silently replace a stored value with one of its two values.
    posted_object = parse_json_object(posted, "posted document", reject_repeated_keys=True)
    # Encoding the posted object alone first names the document at fault when the merge cannot be encoded.
    _dump_utf8(posted_object, "posted document")
    return _dump_utf8({**stored_object, **posted_object}, "stored document")


def _dump_utf8(value: dict, name: str) -> bytes:
    try:
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False).encode("utf-8")
    except UnicodeEncodeError:
        # The standard parser accepts an escaped lone surrogate such as "\ud800", which UTF-8 cannot encode.
        raise ValidationError("contains an unpaired UTF-16 surrogate escape, which a merged document cannot "
                              "hold in UTF-8; send the character as a surrogate pair", name) from None
    except RecursionError:
        raise ValidationError("nests too deeply to be merged", name) from None
