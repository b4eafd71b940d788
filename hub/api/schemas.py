"""marshmallow schemas for the /api/v1 query parameters and bodies, and the functions that load requests with them."""

from __future__ import annotations

import re
from datetime import datetime, timezone
from typing import Any

from flask import request
from marshmallow import Schema, ValidationError, fields, validate

from xapi import strict_json
from xapi.errors import ValidationError as XapiValidationError

from ..errors import BadRequest

# The largest id or cursor a BIGINT column can store (2**63 - 1). A larger one cannot match any row, and the
# database drivers reject it, so it is refused before any query runs.
MAX_ID = 2**63 - 1


# Python's int() and float() also accept other Unicode digits ("١٢" is 12), underscores between digits and
# surrounding whitespace, so query parameters are matched against these patterns first.
ASCII_INTEGER = re.compile(r"-?[0-9]+")
ASCII_DECIMAL = re.compile(r"-?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][-+]?[0-9]+)?")


class AsciiInteger(fields.Integer):
    """An integer query parameter written in ASCII digits, with an optional leading minus sign."""

    default_error_messages = {"invalid": "Not a valid integer; write it in ASCII digits 0-9."}

    def _deserialize(self, value, attr, data, **kwargs):
        if not (isinstance(value, str) and ASCII_INTEGER.fullmatch(value)):
            raise self.make_error("invalid")
        return super()._deserialize(value, attr, data, **kwargs)


class AsciiDecimal(fields.Float):
    """A decimal query parameter such as 0.5 or 5e-1, written in ASCII digits."""

    default_error_messages = {"invalid": "Not a valid number; write it in ASCII digits 0-9, such as 0.5."}

    def _deserialize(self, value, attr, data, **kwargs):
        if not (isinstance(value, str) and ASCII_DECIMAL.fullmatch(value)):
            raise self.make_error("invalid")
        return super()._deserialize(value, attr, data, **kwargs)


def _within_utc_range(value: datetime) -> None:
    # Timestamps are stored in UTC, where a time such as 0001-01-01T00:00:00+01:00 falls before year 1.
    try:
        value.astimezone(timezone.utc)
    except OverflowError:
        raise ValidationError("is out of range once converted to UTC; use a time from year 1 to 9999 in UTC") \
            from None


class FeedArgs(Schema):
    cursor = AsciiInteger(load_default=0, validate=validate.Range(min=0, max=MAX_ID))
    since = fields.AwareDateTime(load_default=None, format="iso", validate=_within_utc_range)
    limit = AsciiInteger(load_default=500, validate=validate.Range(min=1, max=5000))
    format = fields.String(load_default=None, validate=validate.OneOf(["json", "csv"]))


class ExpertArgs(Schema):
    limit = AsciiInteger(load_default=20, validate=validate.Range(min=1, max=500))
    min_confidence = AsciiDecimal(load_default=0.0, validate=validate.Range(min=0.0, max=1.0))
    format = fields.String(load_default=None, validate=validate.OneOf(["json", "csv"]))


class FormatArgs(Schema):
    format = fields.String(load_default=None, validate=validate.OneOf(["json", "csv"]))


class NoArgs(Schema):
    """The query parameters of a resource that takes none, so that any given is rejected."""


class PeopleArgs(Schema):
    cursor = AsciiInteger(load_default=0, validate=validate.Range(min=0, max=MAX_ID))
    limit = AsciiInteger(load_default=1000, validate=validate.Range(min=1, max=5000))
    format = fields.String(load_default=None, validate=validate.OneOf(["json", "csv"]))


def load_args(schema: Schema, args) -> dict:
    """Validate query parameters, turning the first problem into a 400 that names the parameter.

    Each parameter takes one value, so a repeated one is rejected rather than read as its first value.
    """
    unknown = sorted(set(args) - set(schema.fields))
    if unknown:
        accepted = f"accepted: {', '.join(sorted(schema.fields))}" if schema.fields else "this resource takes none"
        raise BadRequest(f"unknown parameter '{unknown[0]}'; {accepted}", field=unknown[0])

    repeated = [name for name, values in args.lists() if len(values) > 1]
    if repeated:
        raise BadRequest(f"parameter '{repeated[0]}' is given more than once; send it once", field=repeated[0])
    try:
        return schema.load(args)
    except ValidationError as error:
        name, messages = next(iter(error.normalized_messages().items()))
        raise BadRequest(f"invalid parameter '{name}': {' '.join(map(str, messages))}", field=name) from None


def load_body(schema: Schema) -> dict:
    """Parse the JSON request body against ``schema``, turning the first problem into a 400 that names the field."""
    body = parse_json_body(request.get_data() or b"null", "request body")
    if not isinstance(body, dict):
        raise BadRequest("request body must be a JSON object", field="body")
    try:
        return schema.load(body)
    except ValidationError as error:
        name, messages = next(iter(error.normalized_messages().items()))
        raise BadRequest(f"invalid field '{name}': {messages}", field=name) from None


def parse_json_body(data: bytes, name: str) -> Any:
    """Parse a JSON body with the LRS's strict parser, and raise BadRequest for invalid JSON, nesting deeper
    than strict_json.MAX_DEPTH, a key repeated within one object or an integer outside
    strict_json.INTEGER_RANGE.

    A parser that keeps the last of two repeated keys would act on a value that another reader of the same
    body may not see. ``name`` is what the error message calls the body.
    """
    try:
        return strict_json.loads(data)
    except XapiValidationError as error:
        # strict_json raises this for a key repeated within one object or an integer it cannot keep exact, and
        # the message names the key or the number.
        raise BadRequest(f"{name} is invalid: {error.message}", field="body") from None
    except ValueError as error:
        raise BadRequest(f"{name} is not valid JSON: {error}", field="body") from None
