"""Read people from a CSV upload into PersonRecords, with one RecordError per problem in a row.

Default header names: employee_id, email, first_name, last_name, display_name, job_title,
department, location, manager_id, manager_name, status, start_date, end_date, and any number of
identifier:KIND columns (for example identifier:lms_username). Header names match without regard
to case or surrounding spaces. employee_id is required, and so is either email or at least one
identifier column. The delimiter is ",", ";" or a tab, detected from the header unless given, and
an Excel "sep=;" first line and a UTF-8 byte order mark are understood. A file that is empty or
whose header is unusable raises CsvFileError before any row is read.
"""

from __future__ import annotations

import _csv
import csv
import io
import itertools
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date
from typing import TextIO, TypeVar

from connectors.normalize import (
    MAX_IDENTIFIER_KIND_LENGTH,
    MAX_IDENTIFIER_LENGTH,
    MAX_LENGTHS,
    InvalidField,
    check_text,
    derive_status,
    normalize_email,
    parse_iso_date,
    printable_id,
)
from connectors.records import PERSON_STATUSES, PersonRecord, RecordError

FIELDS = (
    "employee_id",
    "email",
    "first_name",
    "last_name",
    "display_name",
    "job_title",
    "department",
    "location",
    "manager_id",
    "manager_name",
    "status",
    "start_date",
    "end_date",
)
IDENTIFIER_PREFIX = "identifier:"
# CSV field -> PersonRecord field, where the names differ.
_RECORD_FIELDS = {"employee_id": "source_id", "manager_id": "manager_source_id"}
DELIMITERS = (",", ";", "\t")

_BOM = "\ufeff"
# The header that error messages show as an example of a usable one.
EXAMPLE_HEADER = "employee_id,email,first_name,last_name"

T = TypeVar("T")


class CsvFileError(Exception):
    """A problem that makes a whole file unusable: it is empty, or its header is unreadable, lacks a
    required column or repeats one.

    ``field`` is the column at fault, or None when the problem is not in one column.
    """

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


@dataclass(frozen=True)
class _Layout:
    """Column positions and header names of the known fields in one file."""

    header: tuple[str, ...]
    columns: dict[str, int]  # field name -> column index
    names: dict[str, str]  # field name -> header text as written in the file
    identifier_kinds: dict[str, str]  # identifier:KIND field -> KIND


def read_people_csv(
    stream: TextIO,
    column_map: Mapping[str, str] | None = None,
    source: str = "csv",
    *,
    delimiter: str | None = None,
    today: date | None = None,
) -> Iterator[PersonRecord | RecordError]:
    """Read the header, then return an iterator of a PersonRecord per valid row and a RecordError
    per row problem, in file order.

    `column_map` maps a field name (employee_id, identifier:lms_username, ...) to the header used
    in the file, for files whose headers differ from the defaults. Open files with newline="" so
    quoted line breaks survive. Raises CsvFileError for an empty file or an unusable header, and
    ValueError for an unknown field in column_map or an unsupported delimiter, all before any row
    is read.
    """
    mapping = _check_column_map(column_map or {})
    if delimiter is not None and delimiter not in DELIMITERS:
        raise ValueError(f"unsupported delimiter {delimiter!r}, expected one of {DELIMITERS!r}")

    reader, layout, lines_before_header, delimiter = _read_header(stream, mapping, delimiter)
    return _read_rows(reader, layout, lines_before_header, source, delimiter, today or date.today())


def _read_header(
    stream: TextIO,
    column_map: dict[str, str],
    delimiter: str | None,
) -> tuple[_csv.Reader, _Layout, int, str]:
    """Return the CSV reader positioned after the header, the layout, the count of lines before the
    header and the delimiter. Raises CsvFileError when the file cannot be imported at all.
    """
    first_line = stream.readline().removeprefix(_BOM)
    if not first_line:
        raise CsvFileError(f"the file is empty; send a CSV file whose first line names the columns, "
                           f"for example {EXAMPLE_HEADER}")

    if "\r" in first_line.rstrip("\r\n"):
        # A stream that splits lines at "\n" only returns a file with CR-only line endings as one line.
        stream = io.StringIO(first_line + stream.read(), newline="")
        first_line = stream.readline()
    lines_before_header = 0

    excel_delimiter = _excel_separator(first_line)
    if excel_delimiter is not None:
        delimiter = delimiter or excel_delimiter
        first_line = stream.readline()
        lines_before_header = 1

    header_line = lines_before_header + 1
    if not first_line.strip():
        raise CsvFileError(f"line {header_line}: the header row is empty; put the column names on line {header_line}, "
                           f"for example {EXAMPLE_HEADER}")

    delimiter = delimiter or _detect_delimiter(first_line)
    # strict makes a stray quote an error to report, where the default would silently merge fields.
    reader = csv.reader(itertools.chain([first_line], stream), delimiter=delimiter, strict=True)
    try:
        header = next(reader)
    except csv.Error as exc:
        raise CsvFileError(f"line {header_line}: unreadable CSV header ({exc}); fix the quoting of the column names") \
            from None

    layout = _layout(header, column_map, header_line)
    return reader, layout, lines_before_header, delimiter


def _read_rows(
    reader: _csv.Reader,
    layout: _Layout,
    lines_before_header: int,
    source: str,
    delimiter: str,
    today: date,
) -> Iterator[PersonRecord | RecordError]:
    seen_ids: dict[str, int] = {}
    previous_end = reader.line_num
    while True:
        line = lines_before_header + previous_end + 1
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            # The reader's position after a parse error is unreliable, so reading stops here.
            message = f"line {line}: unreadable CSV ({exc}); fix the quoting on this line and upload again"
            yield RecordError(source=source, source_id=None, line=line, field=None, message=message)
            return
        previous_end = reader.line_num

        if not any(value.strip() for value in row):
            continue

        yield from _read_row(row, line, layout, source, delimiter, seen_ids, today)


def _read_row(
    row: list[str],
    line: int,
    layout: _Layout,
    source: str,
    delimiter: str,
    seen_ids: dict[str, int],
    today: date,
) -> Iterator[PersonRecord | RecordError]:
    values = {field: row[index] if index < len(row) else "" for field, index in layout.columns.items()}
    source_id = values.get("employee_id", "").strip() or None
    shown_id = printable_id(source_id)

    def error(field: str | None, message: str) -> RecordError:
        if field is None:
            return RecordError(source=source, source_id=shown_id, line=line, field=None, message=f"line {line}: {message}")
        column = layout.names[field]
        located = f"line {line}, column {column}: {message}"
        return RecordError(source=source, source_id=shown_id, line=line, field=column, message=located)

    if len(row) > len(layout.header):
        yield error(
            None,
            f"{len(row)} values but the header has {len(layout.header)} columns; "
            f"quote values that contain the delimiter {delimiter!r}",
        )
        return

    errors, record = _parse_values(row, values, layout, source, source_id, today)
    for field, message in errors:
        yield error(field, message)

    if source_id is not None:
        first_line = seen_ids.get(source_id)
        if first_line is not None:
            yield error(
                "employee_id",
                f"duplicate employee id {source_id!r}, first seen on line {first_line}; keep one row per employee",
            )
            return
        seen_ids[source_id] = line

    if record is not None:
        yield record


def _parse_values(
    row: list[str],
    values: dict[str, str],
    layout: _Layout,
    source: str,
    source_id: str | None,
    today: date,
) -> tuple[list[tuple[str | None, str]], PersonRecord | None]:
    """Return the problems of one row as (field, message) pairs, and its record when there are none."""
    errors: list[tuple[str | None, str]] = []

    for field in layout.columns:
        _checked(errors, lambda: check_text(field, values[field].strip(), _max_length(field)))
    if errors:
        # A value the hub cannot store fails the row, and parsing it further would only repeat the problem.
        return errors, None

    if source_id is None:
        errors.append(("employee_id", "missing value; every row needs an employee id"))

    email = _checked(errors, lambda: normalize_email("email", values.get("email")))
    start_date = _checked(errors, lambda: parse_iso_date("start_date", values.get("start_date")))
    end_date = _checked(errors, lambda: parse_iso_date("end_date", values.get("end_date")))
    stated_status = _checked(errors, lambda: _parse_status(values.get("status")))

    if start_date is not None and end_date is not None and end_date < start_date:
        errors.append(
            ("end_date", f"end date {end_date.isoformat()} is before start date {start_date.isoformat()}; correct one of them")
        )

    identifiers = tuple(
        (kind, values[field].strip()) for field, kind in layout.identifier_kinds.items() if values[field].strip()
    )
    if source_id is not None and email is None and not identifiers and not errors:
        errors.append((None, "no email and no identifier value; fill email or an identifier column"))

    if errors or source_id is None:
        return errors, None

    record = PersonRecord(
        source=source,
        source_id=source_id,
        email=email,
        first_name=_optional(values, "first_name"),
        last_name=_optional(values, "last_name"),
        display_name=_optional(values, "display_name"),
        job_title=_optional(values, "job_title"),
        department=_optional(values, "department"),
        location=_optional(values, "location"),
        manager_source_id=_optional(values, "manager_id"),
        manager_name=_optional(values, "manager_name"),
        status=derive_status(stated_status, start_date, end_date, today),
        start_date=start_date,
        end_date=end_date,
        identifiers=identifiers,
        raw=dict(zip(layout.header, row)),
    )
    return errors, record


def _max_length(field: str) -> int | None:
    """Return the maximum length of a column's values, which is the size of the hub's column that stores it."""
    if field == "email" or field.startswith(IDENTIFIER_PREFIX):
        return MAX_IDENTIFIER_LENGTH
    return MAX_LENGTHS.get(_RECORD_FIELDS.get(field, field))


def _checked(errors: list[tuple[str | None, str]], parse: Callable[[], T]) -> T | None:
    try:
        return parse()
    except InvalidField as exc:
        errors.append((exc.field, exc.message))
        return None


def _parse_status(value: str | None) -> str | None:
    text = (value or "").strip()
    if not text:
        return None

    lowered = text.casefold()
    if lowered not in PERSON_STATUSES:
        raise InvalidField("status", f"invalid status {text!r}, expected one of {', '.join(PERSON_STATUSES)}")
    return lowered


def _optional(values: dict[str, str], field: str) -> str | None:
    return values.get(field, "").strip() or None


def _layout(header: list[str], column_map: dict[str, str], line: int) -> _Layout:
    """Locate every known field in the header and return the layout.

    Raises CsvFileError for the first problem found: a repeated column name, a repeated field, an
    invalid identifier kind, a missing employee_id column, or neither an email nor an identifier:KIND
    column.
    """
    header_to_field = {_header_key(name): field for field, name in column_map.items()}
    columns: dict[str, int] = {}
    names: dict[str, str] = {}
    # Each named column's key -> its index. A repeated name would lose one value from PersonRecord.raw.
    named_columns: dict[str, int] = {}

    for index, raw_name in enumerate(header):
        name = raw_name.strip()
        key = _header_key(name)
        if key and key in named_columns:
            raise CsvFileError(f"line {line}, column {printable_id(name)}: duplicate column name, also column "
                               f"{named_columns[key] + 1}; remove or rename one", field=printable_id(name))
        named_columns[key] = index

        field = header_to_field.get(key)
        if field is None:
            field = _default_field(key)
            if field is None or field in column_map:
                # Unknown columns are kept only in raw, and a default name loses to a mapped header.
                continue

        if field in columns:
            raise CsvFileError(f"line {line}, column {name}: duplicate column for {field}, also column "
                               f"{columns[field] + 1}; remove one", field=name)

        columns[field] = index
        names[field] = name

    identifier_kinds = {
        field: field[len(IDENTIFIER_PREFIX):] for field in columns if field.startswith(IDENTIFIER_PREFIX)
    }
    for field, kind in identifier_kinds.items():
        try:
            check_text("identifier kind", kind, MAX_IDENTIFIER_KIND_LENGTH)
        except InvalidField as exc:
            column = printable_id(names[field])
            raise CsvFileError(f"line {line}, column {column}: the identifier kind {exc.message}",
                               field=column) from None

    if "employee_id" not in columns:
        if "employee_id" in column_map:
            expected_header = column_map["employee_id"]
            fix = "add it to the header or change column_map"
        else:
            expected_header = "employee_id"
            fix = f"add it to the header, for example {EXAMPLE_HEADER}"
        raise CsvFileError(f"line {line}: missing required column {expected_header!r}; {fix}",
                           field=expected_header)

    if "email" not in columns and not identifier_kinds:
        raise CsvFileError(f"line {line}: no email column and no identifier:KIND column; add one so people can be "
                           "matched", field="email")

    return _Layout(
        header=tuple(name.strip() for name in header),
        columns=columns,
        names=names,
        identifier_kinds=identifier_kinds,
    )


def _default_field(key: str) -> str | None:
    if key in FIELDS:
        return key

    if key.startswith(IDENTIFIER_PREFIX) and len(key) > len(IDENTIFIER_PREFIX):
        return IDENTIFIER_PREFIX + key[len(IDENTIFIER_PREFIX):].strip()

    return None


def _header_key(name: str) -> str:
    return name.strip().casefold()


def _check_column_map(column_map: Mapping[str, str]) -> dict[str, str]:
    checked = {}
    for field, header in column_map.items():
        is_identifier = field.startswith(IDENTIFIER_PREFIX) and len(field) > len(IDENTIFIER_PREFIX)
        if field not in FIELDS and not is_identifier:
            raise ValueError(
                f"unknown field {field!r} in column_map, expected one of {', '.join(FIELDS)} or identifier:KIND"
            )
        checked[field] = header
    return checked


def _excel_separator(line: str) -> str | None:
    """Return the delimiter of an Excel "sep=X" first line, or None when the line is not one."""
    text = line.rstrip("\r\n")
    if text.casefold().startswith("sep=") and len(text) == 5 and text[4] in DELIMITERS:
        return text[4]
    return None


def _detect_delimiter(header_line: str) -> str:
    """Return the delimiter that occurs most often in the header line, "," on a tie or none."""
    counts = {candidate: header_line.count(candidate) for candidate in DELIMITERS}
    best = max(DELIMITERS, key=lambda candidate: counts[candidate])
    return best if counts[best] > 0 else ","
