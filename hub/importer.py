"""Bulk import of statements from JSON Lines files, through the same validation and storage as HTTP."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Callable

from xapi import strict_json
from xapi.errors import XAPIError
from xapi.validation import validate_statements

from .errors import HubError
from .services.evidence import schedule_mapping
from .services.statements import StoreResult, Writer, store_statements_with_retry

log = logging.getLogger(__name__)

# Editors on Windows often start a UTF-8 file with a byte order mark; JSON Lines has none, so it is dropped.
UTF8_BOM = b"\xef\xbb\xbf"


@dataclass
class Line:
    number: int
    statement: dict


def import_statements_file(runtime, path: str, version: str, batch_size: int,
                           report: Callable[[str], None]) -> dict:
    """Import every line and report each one; return the counts per outcome."""
    writer = Writer(credential_id=None, source="import", authority={
        "objectType": "Agent", "name": "Skillwire import",
        "account": {"homePage": runtime.settings.public_url, "name": "import"},
    })
    counts = {"accepted": 0, "unchanged": 0, "conflict": 0, "rejected": 0}
    # Outcomes wait here until their batch is stored, so the report follows the order of the file.
    pending: list[tuple[int, str]] = []

    def outcome(number: int, status: str, statement_id: str, reason: str = "") -> None:
        counts[status] += 1
        pending.append((number, f"{number}\t{status}\t{statement_id}\t{reason}"))

    def flush(batch: list[Line]) -> None:
        if batch:
            _store_batch(runtime, batch, version, writer, outcome)
        for _, text in sorted(pending):
            report(text)
        pending.clear()

    log.info("statement import started: path=%s version=%s", path, version)
    batch: list[Line] = []
    # Binary mode, so a line that is not UTF-8 is rejected alone instead of stopping the import.
    with open(path, "rb") as handle:
        for number, data in enumerate(handle, start=1):
            if number == 1:
                data = data.removeprefix(UTF8_BOM)
            line = _parse_line(number, data, version, outcome)
            if line is not None:
                batch.append(line)
            if len(batch) >= batch_size:
                flush(batch)
                batch = []
    flush(batch)

    log.info("statement import finished: path=%s counts=%s", path, counts)
    return counts


def _parse_line(number: int, data: bytes, version: str, outcome) -> Line | None:
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        outcome(number, "rejected", "", f"line is not valid UTF-8 (byte 0x{data[error.start]:02x} at column "
                                        f"{error.start + 1}); save the file as UTF-8")
        return None

    if not text.strip():
        return None
    try:
        statement = strict_json.loads(text.encode("utf-8"))
        if not isinstance(statement, dict):
            raise ValueError("a line must contain one statement object")
        validate_statements(statement, version)
    except (ValueError, XAPIError) as error:
        outcome(number, "rejected", "", str(error))
        return None
    return Line(number, statement)


def _store_batch(runtime, batch: list[Line], version: str, writer: Writer, outcome) -> None:
    """Store the batch in one transaction; when it fails, store line by line to find the culprits."""
    try:
        result = _store(runtime, [line.statement for line in batch], version, writer)
    except (HubError, XAPIError):
        for line in batch:
            _store_line(runtime, line, version, writer, outcome)
        return

    _report_result(batch, result, outcome)


def _store_line(runtime, line: Line, version: str, writer: Writer, outcome) -> None:
    try:
        result = _store(runtime, [line.statement], version, writer)
    except HubError as error:
        status = "conflict" if error.status == 409 else "rejected"
        outcome(line.number, status, str(line.statement.get("id", "")), error.message)
        return
    except XAPIError as error:
        outcome(line.number, "rejected", str(line.statement.get("id", "")), str(error))
        return
    _report_result([line], result, outcome)


def _store(runtime, statements: list[dict], version: str, writer: Writer) -> StoreResult:
    validate_statements(statements, version)
    result = store_statements_with_retry(runtime.sessions, statements, version, writer)
    schedule_mapping(runtime, result.inserted_pks + result.voided_pks)
    return result


def _report_result(batch: list[Line], result: StoreResult, outcome) -> None:
    unchanged = set(result.unchanged_ids)
    for line, statement_id in zip(batch, result.ids):
        outcome(line.number, "unchanged" if statement_id in unchanged else "accepted", statement_id)
