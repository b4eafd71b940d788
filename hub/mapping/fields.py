"""Typed access to the fields of one YAML item, raising MappingError that names the field."""

from __future__ import annotations

import re
from typing import Any, NoReturn

from hub.mapping.errors import MappingError

_IRI = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:\S+$")


def join_field(prefix: str, name: str) -> str:
    return f"{prefix}.{name}" if prefix else name


def describe(value: Any) -> str:
    """Return a short quoted form of a YAML value for error messages."""
    text = repr(value)
    if len(text) > 80:
        text = text[:77] + "..."
    return text


def item_label(raw: Any, key: str, index: int) -> str:
    """Return the item's ``key`` value for error messages, or ``#N`` (1-based) when it has none."""
    if isinstance(raw, dict) and isinstance(raw.get(key), str) and raw[key].strip():
        return raw[key]
    return f"#{index + 1}"


class FieldReader:
    """Reads the fields of one skill, rule or role in one file.

    Every error it raises names the file, the item and the dotted field path.
    """

    def __init__(
        self, file: str, *, rule: str | None = None, skill: str | None = None, role: str | None = None
    ) -> None:
        self.file = file
        self.rule = rule
        self.skill = skill
        self.role = role

    def fail(self, field: str | None, message: str) -> NoReturn:
        raise MappingError(message, file=self.file, rule=self.rule, skill=self.skill, role=self.role, field=field)

    def mapping(self, value: Any, field: str) -> dict[str, Any]:
        if not isinstance(value, dict):
            self.fail(field or None, f"expected a mapping, got {describe(value)}")
        return value

    def check_keys(
        self, mapping: dict[str, Any], prefix: str, allowed: tuple[str, ...], required: tuple[str, ...] = ()
    ) -> None:
        """Reject unknown keys, keys without a value and missing required keys of ``mapping``.

        A key without a value is rejected because YAML reads an unquoted value that
        starts with "#" as a comment, which would silently drop a condition.
        """
        for key, value in mapping.items():
            if key not in allowed:
                self.fail(join_field(prefix, str(key)), f"unknown field, expected one of {', '.join(allowed)}")
            if value is None:
                message = "no value given. Give a value (quote one that starts with '#') or remove the field"
                self.fail(join_field(prefix, key), message)
        for key in required:
            if key not in mapping:
                self.fail(join_field(prefix, key), "missing required field")

    def string(self, value: Any, field: str) -> str:
        if not isinstance(value, str) or not value.strip():
            self.fail(field, f"expected a non-empty string, got {describe(value)}")
        return value

    def optional_string(self, value: Any, field: str) -> str:
        if value is None:
            return ""
        if not isinstance(value, str):
            self.fail(field, f"expected a string, got {describe(value)}")
        return value

    def string_list(self, value: Any, field: str) -> tuple[str, ...]:
        """Read one string or a non-empty list of strings."""
        if isinstance(value, str):
            return (self.string(value, field),)
        if not isinstance(value, list) or not value:
            self.fail(field, f"expected a string or a non-empty list of strings, got {describe(value)}")
        return tuple(self.string(item, f"{field}[{index}]") for index, item in enumerate(value))

    def iri(self, value: Any, field: str) -> str:
        text = self.string(value, field)
        if not _IRI.match(text):
            self.fail(field, f"invalid IRI {describe(text)}, expected an absolute IRI such as 'https://example.com/x'")
        return text

    def iri_list(self, value: Any, field: str) -> tuple[str, ...]:
        items = self.string_list(value, field)
        if len(items) == 1 and isinstance(value, str):
            return (self.iri(items[0], field),)
        return tuple(self.iri(item, f"{field}[{index}]") for index, item in enumerate(items))

    def boolean(self, value: Any, field: str) -> bool:
        if not isinstance(value, bool):
            self.fail(field, f"expected true or false, got {describe(value)}")
        return value

    def number(self, value: Any, field: str, minimum: float, maximum: float) -> float:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            self.fail(field, f"expected a number from {minimum:g} to {maximum:g}, got {describe(value)}")
        if not minimum <= value <= maximum:
            self.fail(field, f"{value:g} is out of range, expected a number from {minimum:g} to {maximum:g}")
        return float(value)

    def fraction(self, value: Any, field: str) -> float:
        return self.number(value, field, 0.0, 1.0)

    def choice(self, value: Any, field: str, choices: tuple[str, ...]) -> str:
        if value not in choices:
            self.fail(field, f"unknown value {describe(value)}, expected one of {', '.join(choices)}")
        return value
