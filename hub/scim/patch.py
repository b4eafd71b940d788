"""PATCH operations on a stored SCIM resource (RFC 7644 section 3.5.2), applied in memory.

``apply_patch`` works on a copy, so a failing operation leaves the resource as it was, and the caller stores
the result only when every operation succeeded.
"""

from __future__ import annotations

import copy
from typing import Any

from .errors import ScimError
from .filters import And, Compare, Filter, FilterSyntaxError, Not, Or, PatchPath, Present, ValuePath, parse_path
from .schema import (
    EXTERNAL_ID,
    PATCH_OP_SCHEMA,
    Attribute,
    ResourceType,
    Schema,
    check_required,
    check_required_sub_attributes,
    coerce,
    coerce_item,
    complex_fields,
    container_for,
    normalize_resource,
)

OPERATIONS = ("add", "replace", "remove")
MAX_OPERATIONS = 1000
READ_ONLY_COMMON = ("id", "meta", "schemas")


def apply_patch(resource: dict, resource_type: ResourceType, body: Any) -> dict:
    """Return a copy of ``resource`` with the PatchOp's operations applied in order.

    Raises ScimError: invalidSyntax for a malformed PatchOp, invalidPath for a path that names no attribute,
    noTarget when a value filter matches nothing, mutability for a read-only attribute, and invalidValue for a
    value of the wrong type.
    """
    operations = _operations(body)
    patched = copy.deepcopy(resource)
    for operation in operations:
        _apply_operation(patched, resource_type, operation)

    _drop_values_missing_required(patched, resource_type)
    check_required(patched, resource_type)
    # A second pass through the PUT checks catches two primary values and similar whole-resource problems.
    return normalize_resource(patched, resource_type)


def _operations(body: Any) -> list[dict]:
    if not isinstance(body, dict):
        raise ScimError(400, "invalidSyntax", "PATCH body must be a JSON object with 'schemas' and 'Operations'")

    schemas = body.get("schemas")
    if schemas is not None and (not isinstance(schemas, list) or PATCH_OP_SCHEMA not in schemas):
        raise ScimError(400, "invalidSyntax", f"PATCH 'schemas' must be [\"{PATCH_OP_SCHEMA}\"]")

    operations = next((value for key, value in body.items() if key.lower() == "operations"), None)
    if not isinstance(operations, list) or not operations:
        raise ScimError(400, "invalidSyntax", "PATCH body needs a non-empty 'Operations' list")
    if len(operations) > MAX_OPERATIONS:
        raise ScimError(400, "invalidSyntax", f"PATCH has {len(operations)} operations; the maximum is {MAX_OPERATIONS}")
    return operations


def _apply_operation(resource: dict, resource_type: ResourceType, operation: Any) -> None:
    if not isinstance(operation, dict):
        raise ScimError(400, "invalidSyntax", "each PATCH operation must be an object with 'op'")
    fields = {key.lower(): value for key, value in operation.items()}
    op = fields.get("op")
    if not isinstance(op, str) or op.lower() not in OPERATIONS:
        raise ScimError(400, "invalidSyntax", f"invalid PATCH op {op!r}; use add, replace or remove")
    op = op.lower()
    path, value = fields.get("path"), fields.get("value")

    if path not in (None, ""):
        if not isinstance(path, str):
            raise ScimError(400, "invalidPath", "PATCH 'path' must be a string")
        _apply_path(resource, resource_type, op, path, value, strict=True)
        return

    if op == "remove":
        raise ScimError(400, "noTarget", "a remove operation needs a 'path'")
    if not isinstance(value, dict):
        raise ScimError(400, "invalidValue", f"an {op} operation without 'path' needs an object 'value'")
    _apply_object(resource, resource_type, op, value)


def _apply_object(resource: dict, resource_type: ResourceType, op: str, value: dict) -> None:
    """Apply an add or replace without path: each key is a path, or an extension URN holding an object."""
    for key, item in value.items():
        extension = resource_type.schema_for(key) if key.lower().startswith("urn:") else None
        if extension is not None and extension is not resource_type.schema and isinstance(item, dict):
            for name, sub_value in item.items():
                _apply_path(resource, resource_type, op, f"{extension.id}:{name}", sub_value, strict=False)
        elif key.lower() not in READ_ONLY_COMMON:
            _apply_path(resource, resource_type, op, key, item, strict=False)


def _apply_path(resource: dict, resource_type: ResourceType, op: str, text: str, value: Any, strict: bool) -> None:
    """Apply one operation at ``text``; unknown attributes raise invalidPath when ``strict``, else are skipped."""
    try:
        path = parse_path(text)
    except FilterSyntaxError as error:
        raise ScimError(400, "invalidPath", f"invalid PATCH path {text!r}: {error}") from None

    resolved = _resolve(resource_type, path, text, strict)
    if resolved is None:
        return
    schema, attribute = resolved
    container = container_for(resource, resource_type, schema)

    sub = path.attribute.sub or path.sub
    if path.value_filter is not None:
        _apply_filtered(container, attribute, op, path.value_filter, sub, value)
    elif sub is not None:
        _apply_sub_attribute(container, attribute, op, sub, value)
    else:
        _apply_whole(container, attribute, op, value)

    if schema is not resource_type.schema and not container:
        resource.pop(schema.id, None)


def _resolve(resource_type: ResourceType, path: PatchPath, text: str, strict: bool) -> tuple[Schema, Attribute] | None:
    name = path.attribute.name
    schema = resource_type.schema_for(path.attribute.urn)
    if schema is None:
        if strict:
            raise ScimError(400, "invalidPath", f"PATCH path {text!r} names an unknown schema")
        return None

    if name.lower() in READ_ONLY_COMMON:
        raise ScimError(400, "mutability", f"'{name}' is read-only")
    if name.lower() == "externalid" and schema is resource_type.schema:
        return schema, EXTERNAL_ID

    attribute = schema.attribute(name)
    if attribute is None:
        if strict:
            raise ScimError(400, "invalidPath", f"PATCH path {text!r} names no attribute of {schema.name}")
        return None
    if attribute.mutability == "readOnly":
        raise ScimError(400, "mutability", f"'{attribute.name}' is read-only")
    if attribute.mutability == "writeOnly":
        return None
    return schema, attribute


# ---------------------------------------------------------------------------------------------------------
# Targets


def _apply_whole(container: dict, attribute: Attribute, op: str, value: Any) -> None:
    name = attribute.name
    if op == "remove":
        if attribute.multi_valued and value is not None:
            # Microsoft Entra ID removes group members with path "members" and the members as the value.
            _remove_listed_values(container, attribute, value)
        else:
            container.pop(name, None)
        return

    if attribute.type == "complex" and not attribute.multi_valued and value is not None:
        _merge_complex(container, attribute, value)
        return

    coerced = coerce(attribute, value)
    if coerced is None:
        if op == "replace":
            container.pop(name, None)
        return

    if attribute.multi_valued and op == "add":
        container[name] = _merge_values(container.get(name) or [], coerced)
    else:
        container[name] = coerced
    _keep_one_primary(container, attribute, [item for item in coerced if isinstance(item, dict)]
                      if attribute.multi_valued else [])


def _merge_complex(container: dict, attribute: Attribute, value: Any) -> None:
    """Add or replace the sub-attributes given in ``value`` of a singular complex attribute.

    RFC 7644 section 3.5.2.3: sub-attributes not given in the value are left unchanged. A sub-attribute given
    as null is removed, and the attribute is removed when none remain.
    """
    merged = dict(container.get(attribute.name) or {})
    for sub_name, sub_value in complex_fields(attribute, value).items():
        if sub_value is None:
            merged.pop(sub_name, None)
        else:
            merged[sub_name] = sub_value
    if merged:
        container[attribute.name] = merged
    else:
        container.pop(attribute.name, None)


def _merge_values(existing: list, added: list) -> list:
    """Append added values; one with the same "value" as an existing one replaces it."""
    merged = list(existing)
    for item in added:
        key = item.get("value") if isinstance(item, dict) else item
        index = next((i for i, old in enumerate(merged)
                      if (old.get("value") if isinstance(old, dict) else old) == key), None)
        if index is None:
            merged.append(item)
        else:
            merged[index] = item
    return merged


def _remove_listed_values(container: dict, attribute: Attribute, value: Any) -> None:
    listed = value if isinstance(value, list) else [value]
    keys = {item.get("value") if isinstance(item, dict) else item for item in listed}
    remaining = [item for item in container.get(attribute.name) or []
                 if (item.get("value") if isinstance(item, dict) else item) not in keys]
    _store_list(container, attribute, remaining)


def _apply_sub_attribute(container: dict, attribute: Attribute, op: str, sub_name: str, value: Any) -> None:
    sub_attribute = _sub_attribute(attribute, sub_name)

    if not attribute.multi_valued:
        current = dict(container.get(attribute.name) or {})
        _set_sub_value(current, sub_attribute, op, value)
        if current:
            container[attribute.name] = current
        else:
            container.pop(attribute.name, None)
        return

    # A sub-attribute of a multi-valued attribute without a filter applies to every value.
    items = [dict(item) for item in container.get(attribute.name) or []]
    if not items:
        raise ScimError(400, "noTarget", f"'{attribute.name}' has no values to change")
    for item in items:
        _set_sub_value(item, sub_attribute, op, value)
    _store_list(container, attribute, [item for item in items if item])


def _apply_filtered(container: dict, attribute: Attribute, op: str, value_filter: Filter, sub: str | None,
                    value: Any) -> None:
    if not attribute.multi_valued or attribute.type != "complex":
        raise ScimError(400, "invalidPath", f"a value filter needs a multi-valued complex attribute, "
                                            f"and '{attribute.name}' is not one")

    items = [dict(item) for item in container.get(attribute.name) or []]
    matched = [index for index, item in enumerate(items) if matches(value_filter, item, attribute)]
    if not matched:
        if op != "add":
            raise ScimError(400, "noTarget", f"no value of '{attribute.name}' matches the filter")
        items.append(_new_value_from_filter(attribute, value_filter, sub, value))
        matched = [len(items) - 1]
    elif op == "remove" and sub is None:
        items = [item for index, item in enumerate(items) if index not in matched]
        _store_list(container, attribute, items)
        return
    else:
        _update_matched(items, matched, attribute, op, sub, value)

    _store_list(container, attribute, [item for item in items if item])
    _keep_one_primary(container, attribute, [items[index] for index in matched if index < len(items)])


def _update_matched(items: list[dict], matched: list[int], attribute: Attribute, op: str, sub: str | None,
                    value: Any) -> None:
    if sub is not None:
        sub_attribute = _sub_attribute(attribute, sub)
        for index in matched:
            _set_sub_value(items[index], sub_attribute, op, value)
        return

    new = coerce_item(attribute, value)
    if new is None:
        raise ScimError(400, "invalidValue", f"'{attribute.name}' needs an object value")
    if op == "replace":
        check_required_sub_attributes(attribute, new)
    for index in matched:
        items[index] = new if op == "replace" else {**items[index], **new}


def _new_value_from_filter(attribute: Attribute, value_filter: Filter, sub: str | None, value: Any) -> dict:
    """Build the value an add with a filter creates, such as emails[type eq "work"].value -> a work email."""
    item = _equalities(value_filter)
    if item is None:
        raise ScimError(400, "noTarget", f"no value of '{attribute.name}' matches the filter, and only a filter "
                                         "of eq comparisons joined by 'and' can create one")
    item = {_sub_attribute(attribute, name).name: sub_value for name, sub_value in item.items()}
    if sub is not None:
        item[_sub_attribute(attribute, sub).name] = value
    elif isinstance(value, dict):
        item.update(value)
    created = coerce_item(attribute, item)
    if created is None:
        raise ScimError(400, "invalidValue", f"'{attribute.name}' needs a value")
    check_required_sub_attributes(attribute, created)
    return created


def _equalities(value_filter: Filter) -> dict | None:
    if isinstance(value_filter, Compare) and value_filter.op == "eq" and value_filter.path.sub is None:
        return {value_filter.path.name: value_filter.value}
    if isinstance(value_filter, And):
        left, right = _equalities(value_filter.left), _equalities(value_filter.right)
        if left is not None and right is not None:
            return {**left, **right}
    return None


def _sub_attribute(attribute: Attribute, name: str) -> Attribute:
    sub_attribute = attribute.sub(name)
    if sub_attribute is None:
        raise ScimError(400, "invalidPath", f"'{attribute.name}' has no sub-attribute '{name}'")
    if sub_attribute.mutability == "readOnly":
        raise ScimError(400, "mutability", f"'{attribute.name}.{sub_attribute.name}' is read-only")
    return sub_attribute


def _set_sub_value(item: dict, sub_attribute: Attribute, op: str, value: Any) -> None:
    if op == "remove":
        item.pop(sub_attribute.name, None)
        return
    coerced = coerce(sub_attribute, value)
    if coerced is None:
        item.pop(sub_attribute.name, None)
    else:
        item[sub_attribute.name] = coerced


def _drop_values_missing_required(resource: dict, resource_type: ResourceType) -> None:
    """Drop each value of a multi-valued complex attribute that lacks a required sub-attribute, such as "value".

    Removing emails[type eq "work"].value leaves such a value, whose other sub-attributes mean nothing
    alone. Users stored before the hub required "value" may also have such values, and dropping them lets a
    PATCH such as active=false succeed on those Users.
    """
    for schema in (resource_type.schema, *resource_type.extensions):
        container = resource if schema is resource_type.schema else resource.get(schema.id)
        if not isinstance(container, dict):
            continue
        for attribute in schema.attributes:
            required = [sub.name for sub in attribute.sub_attributes if sub.required]
            if not attribute.multi_valued or not required or attribute.name not in container:
                continue
            complete_values = [item for item in container[attribute.name]
                               if all(item.get(name) is not None for name in required)]
            _store_list(container, attribute, complete_values)


def _store_list(container: dict, attribute: Attribute, items: list) -> None:
    if items:
        container[attribute.name] = items
    else:
        # RFC 7644 section 3.5.2.2: with no values left, the attribute is unassigned.
        container.pop(attribute.name, None)


def _keep_one_primary(container: dict, attribute: Attribute, changed: list[dict]) -> None:
    """Clear "primary" on the other values when a changed value became primary (RFC 7644 section 3.5.2)."""
    if attribute.sub("primary") is None:
        return
    chosen = next((item for item in changed if item.get("primary") is True), None)
    if chosen is None:
        return
    for item in container.get(attribute.name) or []:
        if item is not chosen and item.get("primary") is True:
            item["primary"] = False


# ---------------------------------------------------------------------------------------------------------
# Matching values against a value filter


def matches(expr: Filter, item: dict, attribute: Attribute) -> bool:
    """Return whether one value of a multi-valued complex attribute passes a value filter."""
    if isinstance(expr, And):
        return matches(expr.left, item, attribute) and matches(expr.right, item, attribute)
    if isinstance(expr, Or):
        return matches(expr.left, item, attribute) or matches(expr.right, item, attribute)
    if isinstance(expr, Not):
        return not matches(expr.expr, item, attribute)
    if isinstance(expr, ValuePath) or expr.path.sub is not None or expr.path.urn is not None:
        raise ScimError(400, "invalidPath", f"a value filter of '{attribute.name}' may only name its "
                                            "sub-attributes, such as value or type")

    sub_attribute = attribute.sub(expr.path.name)
    if sub_attribute is None:
        raise ScimError(400, "invalidPath", f"'{attribute.name}' has no sub-attribute '{expr.path.name}'")
    actual = item.get(sub_attribute.name)
    if isinstance(expr, Present):
        return actual not in (None, "")
    return _compare(expr, actual, sub_attribute)


def _compare(expr: Compare, actual: Any, sub_attribute: Attribute) -> bool:
    expected, op = expr.value, expr.op
    if expected is None or actual is None:
        if op == "eq":
            return expected is None and actual is None
        if op == "ne":
            return (expected is None) != (actual is None)
        return False

    if sub_attribute.type == "boolean":
        if isinstance(expected, str) and expected.lower() in ("true", "false"):
            expected = expected.lower() == "true"
        if op not in ("eq", "ne") or not isinstance(expected, bool):
            raise ScimError(400, "invalidFilter", f"'{sub_attribute.name}' is a boolean; use eq or ne with "
                                                  "true or false")
        return (actual == expected) == (op == "eq")

    actual, expected = str(actual), str(expected)
    if not sub_attribute.case_exact:
        actual, expected = actual.lower(), expected.lower()
    return {
        "eq": actual == expected, "ne": actual != expected, "co": expected in actual,
        "sw": actual.startswith(expected), "ew": actual.endswith(expected),
        "gt": actual > expected, "ge": actual >= expected, "lt": actual < expected, "le": actual <= expected,
    }[op]
