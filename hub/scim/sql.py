"""Translation of a parsed SCIM filter into a SQLAlchemy condition on the SCIM tables.

Only attributes with a column, or a row table for emails and members, can be filtered on. Any other
attribute raises an invalidFilter error that lists the filterable ones. String comparisons follow the
attribute's caseExact characteristic (RFC 7644 section 3.4.2.2).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, exists, false, func, not_, or_, select, true

from ..models import ScimGroup, ScimGroupMember, ScimUser, ScimUserEmail
from .errors import ScimError
from .filters import And, AttrPath, Compare, Filter, Not, Or, Present, ValuePath
from .schema import ENTERPRISE_USER_SCHEMA, GROUP_SCHEMA, USER_SCHEMA, parse_datetime


@dataclass(frozen=True)
class Target:
    """A filterable attribute: its column, SCIM type, and whether string comparisons respect case."""

    column: Any
    type: str = "string"
    case_exact: bool = False
    # True when the column already contains the lower-cased value, as user_name_key does.
    stored_lower: bool = False


@dataclass(frozen=True)
class RowTable:
    """A multi-valued attribute stored one value per row, joined to its resource by ``parent_key``."""

    model: Any
    parent_key: Any
    resource_key: Any
    columns: dict[str, Target]


USER_TARGETS = {
    "id": Target(ScimUser.id, case_exact=True),
    "externalid": Target(ScimUser.external_id, case_exact=True),
    "username": Target(ScimUser.user_name_key, stored_lower=True),
    "displayname": Target(ScimUser.display_name),
    "name.familyname": Target(ScimUser.family_name),
    "name.givenname": Target(ScimUser.given_name),
    "title": Target(ScimUser.title),
    "active": Target(ScimUser.active, "boolean"),
    "meta.created": Target(ScimUser.created_at, "dateTime"),
    "meta.lastmodified": Target(ScimUser.updated_at, "dateTime"),
    f"{ENTERPRISE_USER_SCHEMA}:employeenumber".lower(): Target(ScimUser.employee_number),
    f"{ENTERPRISE_USER_SCHEMA}:department".lower(): Target(ScimUser.department),
}
USER_ROW_TABLES = {
    "emails": RowTable(ScimUserEmail, ScimUserEmail.user_id, ScimUser.id, {
        "value": Target(ScimUserEmail.value),
        "type": Target(ScimUserEmail.type),
        "primary": Target(ScimUserEmail.primary, "boolean"),
    }),
}

GROUP_TARGETS = {
    "id": Target(ScimGroup.id, case_exact=True),
    "externalid": Target(ScimGroup.external_id, case_exact=True),
    "displayname": Target(ScimGroup.display_name),
    "meta.created": Target(ScimGroup.created_at, "dateTime"),
    "meta.lastmodified": Target(ScimGroup.updated_at, "dateTime"),
}
GROUP_ROW_TABLES = {
    "members": RowTable(ScimGroupMember, ScimGroupMember.group_id, ScimGroup.id, {
        "value": Target(ScimGroupMember.member_id, case_exact=True),
        "type": Target(ScimGroupMember.member_type),
    }),
}

FILTERABLE = {
    "User": (USER_TARGETS, USER_ROW_TABLES, ("id", "externalId", "userName", "displayName", "name.familyName",
                                             "name.givenName", "title", "active", "meta.created",
                                             "meta.lastModified", "emails.value", "emails.type", "emails.primary",
                                             f"{ENTERPRISE_USER_SCHEMA}:employeeNumber",
                                             f"{ENTERPRISE_USER_SCHEMA}:department")),
    "Group": (GROUP_TARGETS, GROUP_ROW_TABLES, ("id", "externalId", "displayName", "meta.created",
                                                "meta.lastModified", "members.value", "members.type")),
}

ORDERING_OPERATORS = ("gt", "ge", "lt", "le")
CORE_SCHEMAS = (USER_SCHEMA.lower(), GROUP_SCHEMA.lower())


class FilterTranslator:
    """Build the WHERE condition for one resource type on one database dialect."""

    def __init__(self, resource_name: str, dialect: str):
        self.targets, self.row_tables, self.filterable = FILTERABLE[resource_name]
        self.dialect = dialect

    def condition(self, expr: Filter) -> ColumnElement:
        return self._translate(expr, self.targets, "")

    def _translate(self, expr: Filter, targets: dict[str, Target], parent: str) -> ColumnElement:
        """Translate ``expr``; inside a value path, ``targets`` are the row columns and ``parent`` its name."""
        if isinstance(expr, And):
            return and_(self._translate(expr.left, targets, parent), self._translate(expr.right, targets, parent))
        if isinstance(expr, Or):
            return or_(self._translate(expr.left, targets, parent), self._translate(expr.right, targets, parent))
        if isinstance(expr, Not):
            return not_(self._translate(expr.expr, targets, parent))
        if isinstance(expr, ValuePath):
            return self._value_path(expr, targets)
        return self._attribute_expression(expr, targets, parent)

    def _value_path(self, expr: ValuePath, targets: dict[str, Target]) -> ColumnElement:
        table = self._row_table(expr.path, targets)
        if table is None or expr.path.sub is not None:
            raise self._unsupported(str(expr.path))
        inner = self._translate(expr.filter, table.columns, expr.path.name)
        return exists(select(1).where(table.parent_key == table.resource_key, inner))

    def _attribute_expression(self, expr: Compare | Present, targets: dict[str, Target], parent: str) -> ColumnElement:
        table = self._row_table(expr.path, targets)
        if table is not None:
            # "emails co x" compares the "value" sub-attribute of each email.
            sub = (expr.path.sub or "value").lower()
            target = table.columns.get(sub)
            if target is None:
                raise self._unsupported(str(expr.path))
            if isinstance(expr, Present) and expr.path.sub is None:
                return exists(select(1).where(table.parent_key == table.resource_key))
            return exists(select(1).where(table.parent_key == table.resource_key, self._leaf(expr, target)))

        target = targets.get(_key(expr.path))
        if target is None:
            raise self._unsupported(f"{parent}.{expr.path}" if parent else str(expr.path))
        return self._leaf(expr, target)

    def _row_table(self, path: AttrPath, targets: dict[str, Target]) -> RowTable | None:
        if targets is not self.targets or path.urn is not None:
            return None
        return self.row_tables.get(path.name.lower())

    def _unsupported(self, path: str) -> ScimError:
        return ScimError(400, "invalidFilter", f"filtering on '{path}' is not supported; filterable attributes: "
                                               f"{', '.join(self.filterable)}")

    # Comparisons

    def _leaf(self, expr: Compare | Present, target: Target) -> ColumnElement:
        column = target.column
        if isinstance(expr, Present):
            if target.type == "string":
                return and_(column.is_not(None), column != "")
            return column.is_not(None)

        if expr.value is None:
            return _null_comparison(expr, column)
        if target.type == "boolean":
            return _boolean_comparison(expr, column)
        if target.type == "dateTime":
            return _datetime_comparison(expr, column)
        return self._string_comparison(expr, target)

    def _string_comparison(self, expr: Compare, target: Target) -> ColumnElement:
        value = expr.value
        if isinstance(value, bool) or not isinstance(value, (str, int, float)):
            raise ScimError(400, "invalidFilter", f"'{expr.path}' is a string; compare it with a quoted string")
        value = str(value)

        column = target.column
        subject = column
        if not target.case_exact:
            # NOTE: SQLite's lower() only folds ASCII letters, so on SQLite non-ASCII letters compare case-sensitively.
            value = value.lower()
            subject = column if target.stored_lower else func.lower(column)

        present = column.is_not(None)
        op = expr.op
        if op == "eq":
            return and_(present, subject == value)
        if op == "ne":
            return or_(column.is_(None), subject != value)
        if op in ORDERING_OPERATORS:
            return and_(present, _ordering(op, subject, value))
        if not target.case_exact:
            return and_(present, _like(op, subject, value))
        return and_(present, _like(op, subject, value), self._exact_substring(op, column, value))

    def _exact_substring(self, op: str, column, value: str) -> ColumnElement:
        """Repeat co/sw/ew without LIKE, because SQLite's LIKE ignores the case of ASCII letters."""
        if op == "sw":
            return func.substr(column, 1, len(value)) == value
        if op == "ew":
            return func.substr(column, func.length(column) - len(value) + 1) == value
        position = func.strpos(column, value) if self.dialect == "postgresql" else func.instr(column, value)
        return position > 0


def _key(path: AttrPath) -> str:
    """Return the lower-cased lookup key. A core schema URN prefix counts as no prefix."""
    name = f"{path.name}.{path.sub}" if path.sub else path.name
    if path.urn is not None and path.urn.lower() not in CORE_SCHEMAS:
        name = f"{path.urn}:{name}"
    return name.lower()


def _like(op: str, subject, value: str) -> ColumnElement:
    if op == "co":
        return subject.contains(value, autoescape=True)
    if op == "sw":
        return subject.startswith(value, autoescape=True)
    return subject.endswith(value, autoescape=True)


def _ordering(op: str, subject, value) -> ColumnElement:
    return {"gt": subject > value, "ge": subject >= value, "lt": subject < value, "le": subject <= value}[op]


def _null_comparison(expr: Compare, column) -> ColumnElement:
    if expr.op == "eq":
        return column.is_(None)
    if expr.op == "ne":
        return column.is_not(None)
    raise ScimError(400, "invalidFilter", f"'{expr.op}' cannot compare '{expr.path}' with null; use eq or ne")


def _boolean_comparison(expr: Compare, column) -> ColumnElement:
    value = expr.value
    if isinstance(value, str) and value.lower() in ("true", "false"):
        value = value.lower() == "true"
    if not isinstance(value, bool):
        raise ScimError(400, "invalidFilter", f"'{expr.path}' is a boolean; compare it with true or false")
    if expr.op not in ("eq", "ne"):
        raise ScimError(400, "invalidFilter", f"'{expr.op}' is not supported on the boolean '{expr.path}'; "
                                              "use eq or ne")

    wanted = true() if value else false()
    if expr.op == "eq":
        return and_(column.is_not(None), column == wanted)
    return or_(column.is_(None), column != wanted)


def _datetime_comparison(expr: Compare, column) -> ColumnElement:
    if not isinstance(expr.value, str):
        raise ScimError(400, "invalidFilter", f"'{expr.path}' is a dateTime; compare it with a quoted "
                                              "timestamp such as \"2011-05-13T04:42:34Z\"")
    if expr.op not in ("eq", "ne", *ORDERING_OPERATORS):
        raise ScimError(400, "invalidFilter", f"'{expr.op}' is not supported on the dateTime '{expr.path}'; "
                                              "use eq, ne, gt, ge, lt or le")

    moment: datetime = parse_datetime(expr.value, str(expr.path), "invalidFilter")
    if expr.op == "eq":
        return and_(column.is_not(None), column == moment)
    if expr.op == "ne":
        return or_(column.is_(None), column != moment)
    return and_(column.is_not(None), _ordering(expr.op, column, moment))
