"""Logging set-up: every record carries the request id or job id of the work it belongs to."""

from __future__ import annotations

import contextvars
import json
import logging
import sys

# The id of the HTTP request or job being served, bound by the request hooks and the job runner.
context_id: contextvars.ContextVar[str] = contextvars.ContextVar("skillwire_context_id", default="-")


# C0 control characters and DEL, written as escapes so client text cannot start a forged log line.
_CONTROL_CHARACTERS = {code: f"\\x{code:02x}" for code in [*range(0x20), 0x7F]}


class ContextIdFilter(logging.Filter):
    """Add the request or job id to each record and escape control characters in its message."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.context_id = context_id.get()
        message = record.getMessage()
        escaped = message.translate(_CONTROL_CHARACTERS)
        if escaped != message:
            record.msg, record.args = escaped, ()
        return True


class JSONFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S%z"),
            "level": record.levelname,
            "logger": record.name,
            "context_id": getattr(record, "context_id", "-"),
            "message": record.getMessage(),
        }
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry)


def configure_logging(level: str, as_json: bool) -> None:
    """Send hub, xapi and connector logs to stderr, once per process."""
    root = logging.getLogger()
    if any(isinstance(f, ContextIdFilter) for h in root.handlers for f in h.filters):
        return

    handler = logging.StreamHandler(sys.stderr)
    handler.addFilter(ContextIdFilter())
    if as_json:
        handler.setFormatter(JSONFormatter())
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s [%(context_id)s] %(message)s"))

    root.addHandler(handler)
    root.setLevel(level)
    # Alembic announces every plugin it sets up at INFO; the hub logs migration starts and stops itself.
    logging.getLogger("alembic").setLevel(logging.WARNING)
