"""Log records: client text with control characters cannot forge a log line."""

from __future__ import annotations

import logging

from hub.logs import ContextIdFilter


def _filtered(message: str, *args) -> logging.LogRecord:
    record = logging.LogRecord("hub.test", logging.INFO, __file__, 1, message, args, None)
    ContextIdFilter().filter(record)
    return record


def test_newline_in_argument_is_escaped():
    record = _filtered("request finished: path=%s", "/xapi/x\nFORGED ERROR line")

    assert "\n" not in record.getMessage()
    assert "\\x0a" in record.getMessage()


def test_nul_and_carriage_return_are_escaped():
    record = _filtered("field=%s", "a\x00b\rc")

    assert record.getMessage() == "field=a\\x00b\\x0dc"


def test_plain_message_is_unchanged():
    record = _filtered("statements stored: count=%d", 3)

    assert record.getMessage() == "statements stored: count=3"
    assert record.args == (3,)
