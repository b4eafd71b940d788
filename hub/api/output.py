"""JSON or CSV responses for list endpoints, chosen by ``format=`` or the Accept header."""

from __future__ import annotations

import csv
import io
from typing import Any, Iterable

from flask import Response, request

from ..jsonutil import json_response


def wants_csv(format_param: str | None) -> bool:
    if format_param:
        return format_param == "csv"
    best = request.accept_mimetypes.best_match(["application/json", "text/csv"])
    return best == "text/csv"


def csv_response(rows: Iterable[dict[str, Any]], columns: list[str], headers: dict[str, str] | None = None) -> Response:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=columns, extrasaction="ignore", lineterminator="\r\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({key: "" if row.get(key) is None else row.get(key) for key in columns})
    return Response(buffer.getvalue(), mimetype="text/csv", headers=headers)


def list_response(rows: list[dict], columns: list[str], envelope: dict, as_csv: bool) -> Response:
    """Send ``rows`` as CSV, or as JSON inside ``envelope`` under "data"."""
    if as_csv:
        extra = {f"X-Skillwire-{key.replace('_', '-').title()}": str(value) for key, value in envelope.items()}
        return csv_response(rows, columns, extra)
    return json_response({"data": rows, **envelope})
