"""Errors raised by the xapi library.

Each error carries data only. The web layer maps ``ValidationError`` and
``UnsupportedVersion`` to ``400 Bad Request``.
"""


class XAPIError(Exception):
    """Base class of every error this library raises on bad input."""


class ValidationError(XAPIError):
    """A statement, parameter or header value that breaks an xAPI rule.

    ``path`` locates the offending value inside the payload, for example
    ``actor.mbox`` or ``[3].result.score.scaled``; it is empty when the whole
    payload is at fault.
    """

    def __init__(self, message: str, path: str = ""):
        self.message = message
        self.path = path
        super().__init__(f"{path}: {message}" if path else message)


class UnsupportedVersion(XAPIError):
    """An ``X-Experience-API-Version`` header that names no supported version."""


def json_type_name(value: object) -> str:
    """Return the JSON name of a parsed JSON value's type, for error messages."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "an array"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__
