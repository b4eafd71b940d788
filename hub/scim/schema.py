"""The SCIM schemas the hub serves (RFC 7643 sections 4 and 8.7.1), and checking resources against them.

A stored resource is a dict keyed by canonical attribute names: core attributes at the top level and
extension attributes inside a dict under the extension's URN. Attribute names from clients are matched
case-insensitively, as RFC 7643 section 2.1 requires.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from typing import Any

from .errors import ScimError

USER_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:User"
GROUP_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:Group"
ENTERPRISE_USER_SCHEMA = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
LIST_RESPONSE_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:ListResponse"
PATCH_OP_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:PatchOp"


@dataclass(frozen=True)
class Attribute:
    name: str
    type: str = "string"
    description: str = ""
    multi_valued: bool = False
    required: bool = False
    case_exact: bool = False
    mutability: str = "readWrite"
    returned: str = "default"
    uniqueness: str = "none"
    canonical_values: tuple[str, ...] = ()
    reference_types: tuple[str, ...] = ()
    sub_attributes: tuple["Attribute", ...] = ()
    # The maximum string length, set where a value is copied into a sized column. /Schemas does not show it.
    max_length: int | None = None

    def sub(self, name: str) -> "Attribute | None":
        return _find(self.sub_attributes, name)

    def to_scim(self) -> dict:
        """Return the attribute definition as /Schemas shows it."""
        body = {
            "name": self.name, "type": self.type, "multiValued": self.multi_valued,
            "description": self.description, "required": self.required,
        }
        if self.type in ("string", "reference", "binary"):
            body["caseExact"] = self.case_exact
        if self.canonical_values:
            body["canonicalValues"] = list(self.canonical_values)
        if self.reference_types:
            body["referenceTypes"] = list(self.reference_types)
        body.update({"mutability": self.mutability, "returned": self.returned, "uniqueness": self.uniqueness})
        if self.sub_attributes:
            body["subAttributes"] = [attribute.to_scim() for attribute in self.sub_attributes]
        return body


@dataclass(frozen=True)
class Schema:
    id: str
    name: str
    description: str
    attributes: tuple[Attribute, ...]

    def attribute(self, name: str) -> Attribute | None:
        return _find(self.attributes, name)

    def to_scim(self, base_url: str) -> dict:
        return {
            "schemas": ["urn:ietf:params:scim:schemas:core:2.0:Schema"],
            "id": self.id, "name": self.name, "description": self.description,
            "attributes": [attribute.to_scim() for attribute in self.attributes],
            "meta": {"resourceType": "Schema", "location": f"{base_url}/Schemas/{self.id}"},
        }


@dataclass(frozen=True)
class ResourceType:
    name: str
    endpoint: str
    description: str
    schema: Schema
    extensions: tuple[Schema, ...] = field(default=())

    def schema_for(self, urn: str | None) -> Schema | None:
        """Return the core schema for no URN, else the schema with that URN (case-insensitive)."""
        if urn is None:
            return self.schema
        for schema in (self.schema, *self.extensions):
            if schema.id.lower() == urn.lower():
                return schema
        return None

    def to_scim(self, base_url: str) -> dict:
        body = {
            "schemas": ["urn:ietf:params:scim:schemas:core:2.0:ResourceType"],
            "id": self.name, "name": self.name, "endpoint": self.endpoint, "description": self.description,
            "schema": self.schema.id,
            "meta": {"resourceType": "ResourceType", "location": f"{base_url}/ResourceTypes/{self.name}"},
        }
        if self.extensions:
            body["schemaExtensions"] = [{"schema": schema.id, "required": False} for schema in self.extensions]
        return body


def _find(attributes: tuple[Attribute, ...], name: str) -> Attribute | None:
    name = name.lower()
    for attribute in attributes:
        if attribute.name.lower() == name:
            return attribute
    return None


# ---------------------------------------------------------------------------------------------------------
# Definitions, following RFC 7643 sections 4.1, 4.2, 4.3 and 8.7.1


def _string(name: str, description: str = "", **options) -> Attribute:
    return Attribute(name, "string", description, **options)


def _multi_valued(name: str, description: str, value: Attribute, types: tuple[str, ...] = (),
                  mutability: str = "readWrite") -> Attribute:
    """Build a multi-valued complex attribute with the usual value, display, type and primary sub-attributes.

    The hub marks "value" required, unlike RFC 7643 section 8.7.1, because an entry without it stores nothing
    that the hub or a client can use.
    """
    return Attribute(name, "complex", description, multi_valued=True, mutability=mutability, sub_attributes=(
        replace(value, required=True),
        _string("display", "A human-readable name, primarily used for display purposes.", mutability=mutability),
        _string("type", "A label indicating the attribute's function.", canonical_values=types, mutability=mutability,
                max_length=64),
        Attribute("primary", "boolean", "Whether this is the preferred value.", mutability=mutability),
    ))


_NAME = Attribute("name", "complex", "The components of the user's real name.", sub_attributes=(
    _string("formatted", "The full name, formatted for display.", max_length=300),
    _string("familyName", "The family name, or last name in most Western languages.", max_length=200),
    _string("givenName", "The given name, or first name in most Western languages.", max_length=200),
    _string("middleName", "The middle name(s)."),
    _string("honorificPrefix", "The honorific prefix(es), or title in most Western languages."),
    _string("honorificSuffix", "The honorific suffix(es)."),
))

_ADDRESSES = Attribute("addresses", "complex", "Physical mailing addresses.", multi_valued=True, sub_attributes=(
    _string("formatted", "The full mailing address, formatted for display."),
    _string("streetAddress", "The street address."),
    _string("locality", "The city or locality.", max_length=300),
    _string("region", "The state or region."),
    _string("postalCode", "The zip code or postal code."),
    _string("country", "The country name, as an ISO 3166-1 alpha-2 code."),
    _string("type", "A label indicating the address's function.", canonical_values=("work", "home", "other")),
    Attribute("primary", "boolean", "Whether this is the preferred mailing address."),
))

_GROUPS = Attribute("groups", "complex", "The groups the user belongs to, set through the Groups resource.",
                    multi_valued=True, mutability="readOnly", sub_attributes=(
    _string("value", "The id of the group.", mutability="readOnly"),
    Attribute("$ref", "reference", "The URI of the group.", reference_types=("Group",), mutability="readOnly"),
    _string("display", "The group's displayName.", mutability="readOnly"),
    _string("type", "How the membership was derived.", canonical_values=("direct", "indirect"),
            mutability="readOnly"),
))

USER = Schema(USER_SCHEMA, "User", "User Account", (
    _string("userName", "The unique identifier the user logs in with.", required=True, uniqueness="server",
            max_length=300),
    _NAME,
    _string("displayName", "The name of the user, suitable for display to end-users.", max_length=300),
    _string("nickName", "The casual way to address the user."),
    Attribute("profileUrl", "reference", "A URI of the user's online profile.", reference_types=("external",)),
    _string("title", "The user's title, such as \"Vice President\".", max_length=300),
    _string("userType", "The relationship between the organization and the user, such as \"Employee\"."),
    _string("preferredLanguage", "The user's preferred written or spoken language."),
    _string("locale", "The user's default location for localizing dates, numbers and currency."),
    _string("timezone", "The user's time zone in IANA Time Zone database format."),
    Attribute("active", "boolean", "The user's administrative status; false deactivates the employment."),
    _string("password", "The user's password; accepted and discarded, because the hub does not log users in.",
            mutability="writeOnly", returned="never"),
    # 254 characters is the longest address that fits an SMTP path (RFC 5321 section 4.5.3.1.3).
    _multi_valued("emails", "Email addresses for the user.", _string("value", "An email address.", max_length=254),
                  ("work", "home", "other")),
    _multi_valued("phoneNumbers", "Phone numbers for the user.", _string("value", "A phone number."),
                  ("work", "home", "mobile", "fax", "pager", "other")),
    _multi_valued("ims", "Instant messaging addresses for the user.", _string("value", "An IM address."),
                  ("aim", "gtalk", "icq", "xmpp", "msn", "skype", "qq", "yahoo")),
    _multi_valued("photos", "URLs of photos of the user.",
                  Attribute("value", "reference", "The URL of a photo.", case_exact=True,
                            reference_types=("external",)), ("photo", "thumbnail")),
    _ADDRESSES,
    _GROUPS,
    _multi_valued("entitlements", "Entitlements of the user.", _string("value", "The value of an entitlement.")),
    _multi_valued("roles", "Roles of the user.", _string("value", "The value of a role.")),
    _multi_valued("x509Certificates", "X.509 certificates issued to the user.",
                  Attribute("value", "binary", "The certificate, base64-encoded DER.", case_exact=True)),
))

ENTERPRISE_USER = Schema(ENTERPRISE_USER_SCHEMA, "EnterpriseUser", "Enterprise User", (
    _string("employeeNumber", "The employee's number in the organization.", max_length=100),
    _string("costCenter", "The name of a cost center."),
    _string("organization", "The name of an organization."),
    _string("division", "The name of a division."),
    _string("department", "The name of a department.", max_length=300),
    Attribute("manager", "complex", "The user's manager.", sub_attributes=(
        _string("value", "The id of the manager's SCIM User.", case_exact=True, max_length=200),
        Attribute("$ref", "reference", "The URI of the manager's SCIM User.", reference_types=("User",)),
        _string("displayName", "The manager's displayName.", mutability="readOnly"),
    )),
))

GROUP = Schema(GROUP_SCHEMA, "Group", "Group", (
    _string("displayName", "A human-readable name for the group.", required=True, max_length=300),
    Attribute("members", "complex", "A list of members of the group.", multi_valued=True, sub_attributes=(
        _string("value", "The id of a member: a SCIM User or Group.", case_exact=True, mutability="immutable",
                required=True),
        Attribute("$ref", "reference", "The URI of the member.", reference_types=("User", "Group"),
                  mutability="immutable"),
        _string("type", "The type of the member.", canonical_values=("User", "Group"), mutability="immutable"),
        _string("display", "The member's displayName.", mutability="readOnly"),
    )),
))

USER_TYPE = ResourceType("User", "/Users", "User Account", USER, (ENTERPRISE_USER,))
GROUP_TYPE = ResourceType("Group", "/Groups", "Group", GROUP)
RESOURCE_TYPES = {"User": USER_TYPE, "Group": GROUP_TYPE}
SCHEMAS = {schema.id: schema for schema in (USER, ENTERPRISE_USER, GROUP)}

# Attributes that every resource has but no schema lists (RFC 7643 section 3.1).
COMMON_ATTRIBUTES = ("id", "externalId", "meta", "schemas")
EXTERNAL_ID = Attribute("externalId", case_exact=True, max_length=300)


# ---------------------------------------------------------------------------------------------------------
# Checking input


def normalize_resource(body: Any, resource_type: ResourceType) -> dict:
    """Return the writable attributes of a POST or PUT body under their canonical names.

    Read-only attributes (id, meta, groups), unknown top-level attributes and attributes of unknown schema
    URNs are ignored, and "password" is dropped, because the hub never logs users in. Raises ScimError
    (invalidSyntax or invalidValue) on a body that is not an object, a value of the wrong type, an unknown
    sub-attribute of a complex attribute, or a missing required attribute or sub-attribute.
    """
    if not isinstance(body, dict):
        raise ScimError(400, "invalidSyntax", "request body must be a JSON object")
    _check_schemas(body.get("schemas"), resource_type)

    resource: dict = {}
    for key, value in body.items():
        set_attribute_value(resource, resource_type, key, value)

    check_required(resource, resource_type)
    return resource


def _check_schemas(schemas: Any, resource_type: ResourceType) -> None:
    if schemas is None:
        return
    if not isinstance(schemas, list) or not all(isinstance(urn, str) for urn in schemas):
        raise ScimError(400, "invalidValue", "'schemas' must be a list of schema URNs")
    if resource_type.schema.id.lower() not in {urn.lower() for urn in schemas}:
        raise ScimError(400, "invalidValue",
                        f"'schemas' must include {resource_type.schema.id} for a {resource_type.name}")


def set_attribute_value(resource: dict, resource_type: ResourceType, key: str, value: Any) -> None:
    """Store one top-level key of a request body, which may be an extension URN holding an object."""
    if key.lower() in ("schemas", "id", "meta"):
        return
    if key.lower() == "externalid":
        _set_or_clear(resource, "externalId", _coerce_simple(EXTERNAL_ID, value))
        return

    extension = resource_type.schema_for(key) if key.lower().startswith("urn:") else None
    if extension is not None and extension is not resource_type.schema:
        if value is not None and not isinstance(value, dict):
            raise ScimError(400, "invalidValue", f"'{key}' must be an object of {extension.name} attributes")
        for name, item in (value or {}).items():
            _set_schema_attribute(resource, resource_type, extension, name, item)
        return

    schema, name = resource_type.schema, key
    if key.lower().startswith("urn:"):
        urn, _, name = key.rpartition(":")
        schema = resource_type.schema_for(urn)
        if schema is None:
            return
    _set_schema_attribute(resource, resource_type, schema, name, value)


def _set_schema_attribute(resource: dict, resource_type: ResourceType, schema: Schema, name: str, value: Any) -> None:
    attribute = schema.attribute(name)
    if attribute is None or attribute.mutability == "readOnly" or attribute.mutability == "writeOnly":
        return

    container = container_for(resource, resource_type, schema)
    _set_or_clear(container, attribute.name, coerce(attribute, value))
    if schema is not resource_type.schema and not container:
        resource.pop(schema.id, None)


def container_for(resource: dict, resource_type: ResourceType, schema: Schema) -> dict:
    """Return the dict that contains the attributes of ``schema``: the resource itself or its extension object."""
    if schema is resource_type.schema:
        return resource
    return resource.setdefault(schema.id, {})


def _set_or_clear(container: dict, name: str, value: Any) -> None:
    if value is None:
        container.pop(name, None)
    else:
        container[name] = value


def check_required(resource: dict, resource_type: ResourceType) -> None:
    for attribute in resource_type.schema.attributes:
        if attribute.required and resource.get(attribute.name) in (None, ""):
            raise ScimError(400, "invalidValue", f"'{attribute.name}' is required for a {resource_type.name}")


def coerce(attribute: Attribute, value: Any) -> Any:
    """Check and convert a value for ``attribute``. None, an empty list and an empty object mean no value.

    Each element of a multi-valued complex attribute must have the required sub-attributes, so [{}] is
    invalid for emails, whose "value" is required. A null element is skipped.
    """
    if value is None:
        return None
    if attribute.multi_valued:
        items = value if isinstance(value, list) else [value]
        coerced = []
        for item in items:
            if item is None:
                continue
            item = coerce_item(attribute, item)
            if attribute.type == "complex":
                check_required_sub_attributes(attribute, item or {})
            if item is not None:
                coerced.append(item)
        _check_single_primary(attribute, coerced)
        return coerced or None
    item = coerce_item(attribute, value)
    if attribute.type == "complex" and item is not None:
        check_required_sub_attributes(attribute, item)
    return item


def coerce_item(attribute: Attribute, value: Any) -> Any:
    """Check one value of an attribute (one element, for a multi-valued attribute).

    A complex value keeps its sub-attributes that are not null, and None stands for an empty object. The
    caller checks required sub-attributes, because a PATCH may merge a partial value into a stored one.
    """
    if value is None:
        return None
    if attribute.type != "complex":
        return _coerce_simple(attribute, value)

    item = {name: sub_value for name, sub_value in complex_fields(attribute, value).items() if sub_value is not None}
    return item or None


def complex_fields(attribute: Attribute, value: Any) -> dict[str, Any]:
    """Check the sub-attributes of one complex value and return them under their canonical names.

    A sub-attribute given as null maps to None, which PATCH uses to clear it. Read-only sub-attributes such
    as manager.displayName are ignored. Raises invalidValue on a value that is not an object and on a
    sub-attribute that the schema does not define, so that a mistyped name never drops the whole value.
    """
    if isinstance(value, str) and not attribute.multi_valued and attribute.sub("value") is not None:
        # Microsoft Entra ID sends the enterprise manager as a bare id string.
        value = {"value": value}
    if not isinstance(value, dict):
        raise ScimError(400, "invalidValue", f"'{attribute.name}' must be an object")

    fields: dict[str, Any] = {}
    for name, sub_value in value.items():
        sub_attribute = attribute.sub(name)
        if sub_attribute is None:
            known = ", ".join(sub.name for sub in attribute.sub_attributes)
            raise ScimError(400, "invalidValue", f"'{attribute.name}' has no sub-attribute '{name}'; "
                                                 f"its sub-attributes are {known}")
        if sub_attribute.mutability == "readOnly":
            continue
        # An error names the sub-attribute by its full path, such as 'emails.value'.
        path = f"{attribute.name}.{sub_attribute.name}"
        fields[sub_attribute.name] = _coerce_simple(replace(sub_attribute, name=path), sub_value)
    return fields


def check_required_sub_attributes(attribute: Attribute, item: dict) -> None:
    """Raise invalidValue when one value of a complex attribute lacks a required sub-attribute."""
    for sub_attribute in attribute.sub_attributes:
        if sub_attribute.required and item.get(sub_attribute.name) is None:
            raise ScimError(400, "invalidValue", f"a value of '{attribute.name}' is missing the required "
                                                 f"sub-attribute '{sub_attribute.name}'")


def _coerce_simple(attribute: Attribute, value: Any) -> Any:
    if value is None:
        return None
    if attribute.type == "boolean":
        return _coerce_boolean(attribute, value)
    if attribute.type == "integer":
        if isinstance(value, bool) or not isinstance(value, int):
            raise ScimError(400, "invalidValue", f"'{attribute.name}' must be an integer")
        return value
    if attribute.type == "decimal":
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise ScimError(400, "invalidValue", f"'{attribute.name}' must be a number")
        return value

    if isinstance(value, (int, float)) and not isinstance(value, bool):
        # Identity providers map numeric source fields such as employee numbers straight through.
        value = str(value)
    if not isinstance(value, str):
        raise ScimError(400, "invalidValue", f"'{attribute.name}' must be a string")
    if "\x00" in value:
        # PostgreSQL text cannot contain NUL characters.
        raise ScimError(400, "invalidValue", f"'{attribute.name}' must not contain NUL characters")
    if attribute.max_length is not None and len(value) > attribute.max_length:
        raise ScimError(400, "invalidValue", f"'{attribute.name}' is {len(value)} characters long; the maximum "
                                             f"is {attribute.max_length}")
    if attribute.type == "dateTime":
        parse_datetime(value, attribute.name, "invalidValue")
    return value


def _coerce_boolean(attribute: Attribute, value: Any) -> bool:
    if isinstance(value, bool):
        return value
    # Microsoft Entra ID sends booleans as the strings "True" and "False" in PATCH operations.
    if isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    raise ScimError(400, "invalidValue", f"'{attribute.name}' must be true or false, not {value!r}")


def _check_single_primary(attribute: Attribute, items: list) -> None:
    if attribute.sub("primary") is None:
        return
    primaries = sum(1 for item in items if isinstance(item, dict) and item.get("primary") is True)
    if primaries > 1:
        raise ScimError(400, "invalidValue", f"at most one of '{attribute.name}' may have primary true")


def parse_datetime(value: str, name: str, scim_type: str) -> datetime:
    """Parse an xsd:dateTime with a time zone, such as 2011-05-13T04:42:34Z."""
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00").replace("z", "+00:00"))
        # Converting checks that the instant exists in UTC: 0001-01-01T00:00:00+01:00 does not.
        parsed.astimezone(timezone.utc)
    except (ValueError, OverflowError):
        parsed = None
    if parsed is None or parsed.tzinfo is None:
        raise ScimError(400, scim_type, f"'{name}' must be a date and time with a time zone, such as "
                                        f"2011-05-13T04:42:34Z, not {value!r}")
    return parsed
