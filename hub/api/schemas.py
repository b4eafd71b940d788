"""marshmallow schemas for the /api/v1 query parameters and response bodies."""

from __future__ import annotations

from datetime import datetime, timezone

from marshmallow import Schema, ValidationError, fields, validate

from ..errors import BadRequest

# The largest id or cursor a BIGINT column can store (2**63 - 1). A larger one cannot match any row, and the
# database drivers reject it, so it is refused before any query runs.
MAX_ID = 2**63 - 1


def _within_utc_range(value: datetime) -> None:
    # Timestamps are stored in UTC, where a time such as 0001-01-01T00:00:00+01:00 falls before year 1.
    try:
        value.astimezone(timezone.utc)
    except OverflowError:
        raise ValidationError("is out of range once converted to UTC; use a time from year 1 to 9999 in UTC") \
            from None


class FeedArgs(Schema):
    cursor = fields.Integer(load_default=0, validate=validate.Range(min=0, max=MAX_ID))
    since = fields.AwareDateTime(load_default=None, format="iso", validate=_within_utc_range)
    limit = fields.Integer(load_default=500, validate=validate.Range(min=1, max=5000))
    format = fields.String(load_default=None, validate=validate.OneOf(["json", "csv"]))


class ExpertArgs(Schema):
    limit = fields.Integer(load_default=20, validate=validate.Range(min=1, max=500))
    min_confidence = fields.Float(load_default=0.0, validate=validate.Range(min=0.0, max=1.0))
    format = fields.String(load_default=None, validate=validate.OneOf(["json", "csv"]))


class FormatArgs(Schema):
    format = fields.String(load_default=None, validate=validate.OneOf(["json", "csv"]))


class NoArgs(Schema):
    """The query parameters of a resource that takes none, so that any given is rejected."""


class PeopleArgs(Schema):
    cursor = fields.Integer(load_default=0, validate=validate.Range(min=0, max=MAX_ID))
    limit = fields.Integer(load_default=1000, validate=validate.Range(min=1, max=5000))
    format = fields.String(load_default=None, validate=validate.OneOf(["json", "csv"]))


def load_args(schema: Schema, args) -> dict:
    """Validate query parameters, turning the first problem into a 400 that names the parameter."""
    unknown = sorted(set(args) - set(schema.fields))
    if unknown:
        accepted = f"accepted: {', '.join(sorted(schema.fields))}" if schema.fields else "this resource takes none"
        raise BadRequest(f"unknown parameter '{unknown[0]}'; {accepted}", field=unknown[0])
    try:
        return schema.load(args)
    except ValidationError as error:
        name, messages = next(iter(error.normalized_messages().items()))
        raise BadRequest(f"invalid parameter '{name}': {' '.join(map(str, messages))}", field=name) from None
