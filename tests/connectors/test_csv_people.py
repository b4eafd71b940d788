"""Tests of the CSV people reader: happy path, per-line errors, file-level errors and file dialects."""

from __future__ import annotations

import io
from datetime import date

import pytest

from connectors.csv_people import CsvFileError, read_people_csv
from connectors.records import PersonRecord, RecordError

TODAY = date(2024, 6, 1)


def read(text: str, **kwargs):
    return list(read_people_csv(io.StringIO(text, newline=""), today=TODAY, **kwargs))


def split(items):
    records = [item for item in items if isinstance(item, PersonRecord)]
    errors = [item for item in items if isinstance(item, RecordError)]
    return records, errors


HAPPY_CSV = (
    "employee_id,email,first_name,last_name,display_name,job_title,department,location,"
    "manager_id,status,start_date,end_date,identifier:lms_username,cost_center\n"
    "1001, Ada.Lovelace@Example.com ,Ada,Lovelace,Ada Lovelace,Engineer,R&D,London,1000,active,2020-03-01,,alovelace,CC-7\n"
    '1002,grace@example.com,Grace,Hopper,,"Rear Admiral, Retired",Navy,Arlington,,,2019-01-01,2024-05-01,,CC-8\n'
    "1003,,Alan,Turing,,,,,1001,,2024-09-01,,aturing,\n"
    "1004,ken@example.com,Ken,Thompson,,,,,,Inactive,,,,\n"
)


def test_happy_path_records():
    records, errors = split(read(HAPPY_CSV))

    assert errors == []
    assert [record.source_id for record in records] == ["1001", "1002", "1003", "1004"]
    assert all(record.source == "csv" for record in records)


def test_happy_path_fields():
    ada = read(HAPPY_CSV)[0]

    assert ada.email == "ada.lovelace@example.com"
    assert ada.first_name == "Ada"
    assert ada.last_name == "Lovelace"
    assert ada.display_name == "Ada Lovelace"
    assert ada.job_title == "Engineer"
    assert ada.department == "R&D"
    assert ada.location == "London"
    assert ada.manager_source_id == "1000"
    assert ada.status == "active"
    assert ada.start_date == date(2020, 3, 1)
    assert ada.end_date is None
    assert ada.identifiers == (("lms_username", "alovelace"),)
    assert ada.raw["cost_center"] == "CC-7"


def test_status_derived_from_dates():
    records = read(HAPPY_CSV)

    assert records[1].job_title == "Rear Admiral, Retired"
    assert records[1].status == "terminated"
    assert records[2].status == "pending"
    assert records[2].email is None
    assert records[3].status == "inactive"


def test_bad_date_names_line_and_column():
    text = (
        "employee_id,email,start_date\n"
        "1,a@example.com,2024-01-01\n"
        "2,b@example.com,2024-02-01\n"
        "3,c@example.com,2024-13-01\n"
        "4,d@example.com,01/02/2024\n"
    )

    records, errors = split(read(text))

    assert [record.source_id for record in records] == ["1", "2"]
    assert errors[0].message == "line 4, column start_date: invalid date '2024-13-01', expected YYYY-MM-DD"
    assert errors[0].line == 4
    assert errors[0].field == "start_date"
    assert errors[0].source_id == "3"
    assert errors[1].message == "line 5, column start_date: invalid date '01/02/2024', expected YYYY-MM-DD"


def test_missing_employee_id_column():
    with pytest.raises(CsvFileError) as raised:
        read("email,first_name\na@example.com,Ann\n")

    assert raised.value.field == "employee_id"
    assert raised.value.message.startswith("line 1: missing required column 'employee_id'")
    assert "employee_id,email,first_name,last_name" in raised.value.message


def test_missing_mapped_employee_id_column():
    with pytest.raises(CsvFileError) as raised:
        read("Email\na@example.com\n", column_map={"employee_id": "Personnel No."})

    assert raised.value.field == "Personnel No."
    assert "missing required column 'Personnel No.'" in raised.value.message
    assert "column_map" in raised.value.message


def test_missing_email_and_identifier_columns():
    with pytest.raises(CsvFileError) as raised:
        read("employee_id,first_name\n1,Ann\n")

    assert raised.value.field == "email"
    assert "no email column and no identifier:KIND column" in raised.value.message


def test_header_error_raised_before_iteration():
    with pytest.raises(CsvFileError):
        read_people_csv(io.StringIO("email\na@example.com\n", newline=""))


@pytest.mark.parametrize("header, column", [
    ("employee_id,email,email", "email"),
    ("employee_id,email,EMAIL ", "EMAIL"),
    ("employee_id,email,notes,notes", "notes"),
    ("employee_id,identifier:lms,identifier: lms", "identifier: lms"),
])
def test_duplicate_column_rejected(header, column):
    with pytest.raises(CsvFileError) as raised:
        read(f"{header}\n1,a@example.com,x,y\n")

    assert raised.value.field == column
    assert "duplicate column" in raised.value.message
    assert "also column" in raised.value.message


def test_repeated_empty_column_names_accepted():
    records, errors = split(read("employee_id,email,,\n1,a@example.com,,\n"))

    assert errors == []
    assert [record.source_id for record in records] == ["1"]


def test_row_errors_each_reported():
    text = (
        "employee_id,email,status,start_date,end_date,identifier:badge\n"
        ",nobody@example.com,,,,\n"
        "2,not-an-email,,,,\n"
        "3,c@example.com,retired,,,\n"
        "4,d@example.com,,2024-01-10,2023-12-31,\n"
        "5,,,,,\n"
        "6,f@example.com,,,,,extra\n"
        "7,g@example.com,,,,B-7\n"
        "7,h@example.com,,,,\n"
    )

    records, errors = split(read(text))
    messages = [error.message for error in errors]

    assert [record.source_id for record in records] == ["7"]
    assert messages == [
        "line 2, column employee_id: missing value; every row needs an employee id",
        "line 3, column email: invalid email 'not-an-email', expected an address like name@example.com",
        "line 4, column status: invalid status 'retired', expected one of active, pending, inactive, terminated",
        "line 5, column end_date: end date 2023-12-31 is before start date 2024-01-10; correct one of them",
        "line 6: no email and no identifier value; fill email or an identifier column",
        "line 7: 7 values but the header has 6 columns; quote values that contain the delimiter ','",
        "line 9, column employee_id: duplicate employee id '7', first seen on line 8; keep one row per employee",
    ]


def test_bom_and_semicolons():
    text = "\ufeffemployee_id;email;last_name;start_date\n10;x@example.com;Müller, Jr.;2022-02-02\n"

    records, errors = split(read(text))

    assert errors == []
    assert records[0].source_id == "10"
    assert records[0].last_name == "Müller, Jr."
    assert records[0].start_date == date(2022, 2, 2)


def test_bom_file_from_disk(tmp_path):
    path = tmp_path / "people.csv"
    path.write_text("employee_id;email\n11;y@example.com\n", encoding="utf-8-sig")

    with path.open(encoding="utf-8", newline="") as stream:
        records = list(read_people_csv(stream, today=TODAY))

    assert [record.source_id for record in records] == ["11"]
    assert records[0].email == "y@example.com"


def test_excel_separator_line():
    text = "sep=;\nemployee_id;email;start_date\n1;a@example.com;bad\n"

    items = read(text)

    assert len(items) == 1
    assert items[0].message == "line 3, column start_date: invalid date 'bad', expected YYYY-MM-DD"


def test_explicit_tab_delimiter():
    records = read("employee_id\temail\n5\te@example.com\n", delimiter="\t")

    assert records[0].email == "e@example.com"


def test_quoted_line_break_keeps_line_numbers():
    text = 'employee_id,email,job_title\n1,a@example.com,"Head of\nResearch"\n2,b@example.com,x\n3,c@example.com\n4,bad,x\n'

    records, errors = split(read(text))

    assert records[0].job_title == "Head of\nResearch"
    assert [error.line for error in errors] == [6]


def test_column_map_renames_headers():
    text = "Personnel No.,Work Email,Hire Date,LMS login\n77,p@example.com,2021-13-01,plogin\n78,q@example.com,2021-04-01,qlogin\n"
    column_map = {
        "employee_id": "Personnel No.",
        "email": "Work Email",
        "start_date": "Hire Date",
        "identifier:lms_username": "LMS login",
    }

    records, errors = split(read(text, column_map=column_map))

    assert errors[0].message == "line 2, column Hire Date: invalid date '2021-13-01', expected YYYY-MM-DD"
    assert records[0].source_id == "78"
    assert records[0].identifiers == (("lms_username", "qlogin"),)


def test_header_names_ignore_case_and_spaces():
    records = read(" Employee_ID , EMAIL \n9,z@example.com\n")

    assert records[0].source_id == "9"


def test_unknown_column_map_field_rejected():
    with pytest.raises(ValueError):
        read_people_csv(io.StringIO("employee_id\n"), column_map={"salary": "Pay"})


@pytest.mark.parametrize("text", ["", "\ufeff"])
def test_empty_file(text):
    with pytest.raises(CsvFileError) as raised:
        read(text)

    assert raised.value.message.startswith("the file is empty")
    assert raised.value.field is None


@pytest.mark.parametrize("text, line", [("\nemployee_id,email\n", 1), ("sep=;\n\n", 2)])
def test_blank_header_row(text, line):
    with pytest.raises(CsvFileError) as raised:
        read(text)

    assert raised.value.message.startswith(f"line {line}: the header row is empty")


def test_custom_source_name():
    records = read("employee_id,email\n1,a@example.com\n", source="workday_csv")

    assert records[0].source == "workday_csv"


def test_broken_quoting_stops_reading():
    text = 'employee_id,email\n1,a@example.com\n2,"b"x@example.com\n3,c@example.com\n'

    records, errors = split(read(text))

    assert [record.source_id for record in records] == ["1"]
    assert len(errors) == 1
    assert errors[0].line == 3
    assert errors[0].message.startswith("line 3: unreadable CSV")


def test_control_character_in_email_rejected():
    records, errors = split(read('employee_id,email\n1,"a\x00b@example.com"\n'))

    assert records == []
    assert errors[0].field == "email"


@pytest.mark.parametrize("newline", ["", None, "\n"])
def test_cr_only_line_endings(newline):
    stream = io.StringIO("employee_id,email\r1,a@example.com\r2,b@example.com\r", newline=newline)

    records, errors = split(read_people_csv(stream, today=TODAY))

    assert errors == []
    assert [record.source_id for record in records] == ["1", "2"]


def test_cr_only_line_endings_keep_line_numbers():
    records, errors = split(read("employee_id,email\r1,a@example.com\r2,not-an-email\r"))

    assert [record.source_id for record in records] == ["1"]
    assert errors[0].line == 3


def test_broken_quoting_in_header_is_an_error():
    with pytest.raises(CsvFileError) as raised:
        read('employee_id,"email\n')

    assert raised.value.message.startswith("line 1: unreadable CSV header")


@pytest.mark.parametrize("row, column", [
    ("1,a@example.com,A\x00na", "first_name"),
    ("1\x002,a@example.com,Ana", "employee_id"),
])
def test_nul_character_names_column(row, column):
    records, errors = split(read(f"employee_id,email,first_name\n{row}\n"))

    assert records == []
    assert len(errors) == 1
    assert errors[0].field == column
    assert "NUL" in errors[0].message


@pytest.mark.parametrize("text, column, maximum", [
    (f"employee_id,email\n{'9' * 201},a@example.com\n", "employee_id", 200),
    (f"employee_id,email,job_title\n1,a@example.com,{'t' * 301}\n", "job_title", 300),
    (f"employee_id,email,manager_id\n1,a@example.com,{'m' * 201}\n", "manager_id", 200),
    (f"employee_id,identifier:lms_username\n1,{'u' * 501}\n", "identifier:lms_username", 500),
    (f"employee_id,email\n1,{'a' * 500}@example.com\n", "email", 500),
])
def test_too_long_value_names_column(text, column, maximum):
    records, errors = split(read(text))

    assert records == []
    assert errors[0].field == column
    assert f"maximum of {maximum}" in errors[0].message


def test_longest_values_accepted():
    text = f"employee_id,email,job_title\n{'9' * 200},a@example.com,{'t' * 300}\n"

    records, errors = split(read(text))

    assert errors == []
    assert records[0].job_title == "t" * 300


def test_error_source_id_is_shortened():
    records, errors = split(read(f"employee_id,email\n{'9' * 5000},a@example.com\n"))

    assert len(errors[0].source_id) < 200


@pytest.mark.parametrize("kind", ["k\x00ind", "k" * 65])
def test_invalid_identifier_kind_in_header(kind):
    with pytest.raises(CsvFileError) as raised:
        read(f"employee_id,identifier:{kind}\n1,value\n")

    assert "identifier kind" in raised.value.message
