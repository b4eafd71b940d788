"""JSON or CSV responses for list endpoints, chosen by ``format=`` or the Accept header."""

from __future__ import annotations

import csv
import io
import re
from typing import Any, Iterable

from flask import Response, request

from ..jsonutil import json_response

# First characters that make a spreadsheet read a cell as a formula: the list of OWASP ASVS 5.0 requirement
# 1.2.10 ("=", "+", "-", "@", tab and NUL) and the carriage return.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\x00", "\r")
_PLAIN_NUMBER = re.compile(r"[+-]?\d+(\.\d+)?([eE][+-]?\d+)?")


def wants_csv(format_param: str | None) -> bool:
    if format_param:
        return format_param == "csv"
    best = request.accept_mimetypes.best_match(["application/json", "text/csv"])
    return best == "text/csv"


def csv_cell(value: Any) -> Any:
    """Return a value safe to put in a CSV cell that a spreadsheet opens.

    Text that a spreadsheet would run as a formula gets a leading single quote, as OWASP ASVS requires.
    Numbers, and text that is only a decimal number such as "-5", cannot run and stay as they are.
    """
    if value is None:
        return ""
    if not isinstance(value, str):
        return value
    if value.startswith(FORMULA_PREFIXES) and not _PLAIN_NUMBER.fullmatch(value):
        return "'" + value
    return value


def csv_response(rows: Iterable[dict[str, Any]], columns: list[str], headers: dict[str, str] | None = None) -> Response:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=columns, extrasaction="ignore", lineterminator="\r\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({key: csv_cell(row.get(key)) for key in columns})
    return Response(buffer.getvalue(), mimetype="text/csv", headers=headers)


def list_response(rows: list[dict], columns: list[str], envelope: dict, as_csv: bool) -> Response:
    """Send ``rows`` as CSV, or as JSON inside ``envelope`` under "data"."""
    if as_csv:
        extra = {f"X-Skillwire-{key.replace('_', '-').title()}": str(value) for key, value in envelope.items()}
        return csv_response(rows, columns, extra)
    return json_response({"data": rows, **envelope})
