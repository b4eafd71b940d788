"""Parts shared by SCIM Users and Groups: meta, ETags, preconditions, paging and attribute projection."""

from __future__ import annotations


from dataclasses import dataclass
from datetime import datetime
from typing import Any

from ..api.schemas import ASCII_INTEGER
from ..models import utcnow
from .errors import ScimError
from .schema import LIST_RESPONSE_SCHEMA, ResourceType

# Larger offsets overflow the 64-bit integers of SQLite and PostgreSQL; no page starts that far anyway.
MAX_START_INDEX = 2**62
# RFC 7643 section 2.4: "id" is returned always, and so is "schemas", which names the schemas of the rest.
ALWAYS_RETURNED = ("id", "schemas")


def scim_now() -> datetime:
    """Return the current time cut to milliseconds, the precision meta timestamps show.

    A client that filters on ``meta.lastModified gt`` a value it was sent then excludes that resource.
    """
    now = utcnow()
    return now.replace(microsecond=now.microsecond // 1000 * 1000)


def format_time(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def etag(version: int) -> str:
    return f'W/"{version}"'


def meta(resource_type: str, location: str, created: datetime, modified: datetime, version: int) -> dict:
    return {"resourceType": resource_type, "created": format_time(created), "lastModified": format_time(modified),
            "location": location, "version": etag(version)}


def check_if_match(header: str | None, version: int) -> None:
    """Raise 412 unless an If-Match header, when present, names the current version or "*"."""
    if header is None:
        return
    tags = [tag.strip() for tag in header.split(",") if tag.strip()]
    if "*" in tags:
        return
    current = _opaque(etag(version))
    if not any(_opaque(tag) == current for tag in tags):
        raise ScimError(412, None, f"If-Match {header} does not match the current version {etag(version)}; "
                                   "GET the resource and retry with its ETag")


def check_body_id(body: Any, resource_id: str) -> None:
    """Raise 400 mutability when a PUT body names an "id" other than the one in the URL."""
    if isinstance(body, dict) and body.get("id") not in (None, resource_id):
        raise ScimError(400, "mutability", f"'id' is read-only; the body names {body.get('id')!r}, "
                                           f"the URL {resource_id!r}")


def _opaque(tag: str) -> str:
    """Strip the weak prefix: If-Match here compares versions weakly, as SCIM ETags are weak."""
    return tag[2:] if tag.startswith("W/") else tag


# ---------------------------------------------------------------------------------------------------------
# Listing


@dataclass(frozen=True)
class ListParams:
    filter: str | None
    start_index: int
    count: int
    attributes: list[str] | None
    excluded_attributes: list[str] | None


def list_params(values: dict[str, Any], default_count: int, max_count: int) -> ListParams:
    """Read filter, startIndex, count, attributes and excludedAttributes from a query or SearchRequest.

    RFC 7644 section 3.4.2.4: a startIndex below 1 means 1, a negative count means 0, and the hub returns
    at most ``max_count`` resources per page.
    """
    values = {key.lower(): value for key, value in values.items()}
    start_index = min(max(_integer(values.get("startindex"), "startIndex", 1), 1), MAX_START_INDEX)
    count = min(max(_integer(values.get("count"), "count", default_count), 0), max_count)

    filter_text = values.get("filter")
    if filter_text is not None and not isinstance(filter_text, str):
        raise ScimError(400, "invalidFilter", "'filter' must be a string")
    return ListParams(filter_text or None, start_index, count,
                      attribute_list(values.get("attributes"), "attributes"),
                      attribute_list(values.get("excludedattributes"), "excludedAttributes"))


def _integer(value: Any, name: str, default: int) -> int:
    """Read an integer from a query string or a SearchRequest body: ASCII digits with an optional minus sign.

    Python's int() also takes other scripts' digits, spaces, underscores and floats, which no client means.
    """
    if value is None or value == "":
        return default
    if type(value) is int:
        return value
    if isinstance(value, str) and ASCII_INTEGER.fullmatch(value):
        return int(value)
    raise ScimError(400, "invalidValue", f"'{name}' must be an integer, not {value!r}")


def attribute_list(value: Any, name: str) -> list[str] | None:
    """Split a comma-separated attribute list (query string) or take a JSON list (SearchRequest)."""
    if value is None or value == "":
        return None
    if isinstance(value, str):
        return [item.strip() for item in value.split(",") if item.strip()]
    if isinstance(value, list) and all(isinstance(item, str) for item in value):
        return value
    raise ScimError(400, "invalidValue", f"'{name}' must be a comma-separated list of attribute names")


def list_response(resources: list[dict], total: int, start_index: int) -> dict:
    return {"schemas": [LIST_RESPONSE_SCHEMA], "totalResults": total,
            "itemsPerPage": len(resources), "startIndex": start_index, "Resources": resources}


# ---------------------------------------------------------------------------------------------------------
# Attribute projection (RFC 7644 section 3.9)


def project(body: dict, resource_type: ResourceType, attributes: list[str] | None,
            excluded: list[str] | None) -> dict:
    """Keep only ``attributes``, or drop ``excluded``; "id" and "schemas" are always returned."""
    if attributes:
        return _include(body, resource_type, attributes)
    if excluded:
        return _exclude(body, resource_type, excluded)
    return body


def _split(resource_type: ResourceType, text: str) -> tuple[str | None, str, str | None]:
    """Split ``[urn:]name[.sub]`` into the body key that contains it, the attribute and the sub-attribute."""
    urn = None
    if text.lower().startswith("urn:"):
        schema = resource_type.schema_for(text)
        if schema is not None:
            return schema.id, "", None
        urn, _, text = text.rpartition(":")
        schema = resource_type.schema_for(urn)
        urn = schema.id if schema is not None and schema is not resource_type.schema else None
    name, _, sub = text.partition(".")
    return urn, name, sub or None


def _matching_key(container: dict, name: str) -> str | None:
    return next((key for key in container if key.lower() == name.lower()), None)


def _include(body: dict, resource_type: ResourceType, attributes: list[str]) -> dict:
    result = {key: body[key] for key in ALWAYS_RETURNED if key in body}
    for text in attributes:
        urn, name, sub = _split(resource_type, text)
        source, target = body, result
        if urn is not None:
            source = body.get(urn)
            if not isinstance(source, dict):
                continue
            if not name:
                result[urn] = source
                continue
            target = result.setdefault(urn, {})
        _copy_attribute(source, target, name, sub)
    return result


def _copy_attribute(source: dict, target: dict, name: str, sub: str | None) -> None:
    key = _matching_key(source, name)
    if key is None:
        return
    value = source[key]
    if sub is None:
        target[key] = value
    elif isinstance(value, dict):
        sub_key = _matching_key(value, sub)
        if sub_key is not None:
            target.setdefault(key, {})[sub_key] = value[sub_key]
    elif isinstance(value, list):
        target[key] = [{k: v for k, v in item.items() if k.lower() == sub.lower()}
                       for item in value if isinstance(item, dict)]


def _exclude(body: dict, resource_type: ResourceType, excluded: list[str]) -> dict:
    result = dict(body)
    for text in excluded:
        urn, name, sub = _split(resource_type, text)
        container = result
        if urn is not None:
            if not name:
                result.pop(urn, None)
                continue
            container = dict(result.get(urn) or {})
            result[urn] = container
        key = _matching_key(container, name)
        if key is None or key in ALWAYS_RETURNED:
            continue
        if sub is None:
            container.pop(key)
        elif isinstance(container[key], dict):
            container[key] = {k: v for k, v in container[key].items() if k.lower() != sub.lower()}
    return result
