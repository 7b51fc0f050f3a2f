"""CSV files of leads as people export them: encodings, separators, quotes, bad rows."""

import json

import pytest

from server.jobs.csv_import import (
    CsvProblem,
    guess_mapping,
    lead_rows,
    mapping_from_names,
    preview,
    read_csv,
)

GERMAN = (
    "Vorname;Nachname;Telefon;Stadt;Notes\r\n"
    'Jörg;Müller;030 1234567;Köln;"ruft ab 9 Uhr; ""dringend"""\r\n'
    "\r\n"
    'Anna;"Schmidt\r\nvon Berg";0151 23456789;München;\r\n'
)


def test_utf8_with_a_bom_and_semicolons_and_quotes_and_line_breaks_in_quotes() -> None:
    csv_file = read_csv("\ufeff".encode() + GERMAN.encode("utf-8"))
    assert (csv_file.encoding, csv_file.delimiter) == ("utf-8", ";")
    assert csv_file.header == ["Vorname", "Nachname", "Telefon", "Stadt", "Notes"]
    mapping = mapping_from_names(
        csv_file.header, {"first_name": "Vorname", "last_name": "Nachname", "phone_number":
                          "Telefon", "city": "Stadt", "notes": "Notes"}
    )  # fmt: skip
    rows = list(lead_rows(csv_file, mapping, "DE"))
    assert [(row.idx, row.state, row.phone) for row in rows] == [
        (1, "pending", "49301234567"),  # rows are numbered from 1, after the header
        (2, "pending", "4915123456789"),
    ]
    first, second = (json.loads(row.data) for row in rows)
    assert first["notes"] == 'ruft ab 9 Uhr; "dringend"'
    assert (first["first_name"], first["city"]) == ("Jörg", "Köln")
    assert second["last_name"] == "Schmidt\nvon Berg"


def test_latin1_is_read_when_the_file_is_not_utf8() -> None:
    csv_file = read_csv(GERMAN.encode("latin-1"))
    assert csv_file.encoding == "latin-1"
    assert next(csv_file.records())[1] == "Müller"


def test_columns_are_recognised_by_their_names() -> None:
    header = ["Lead ID", "First Name", "Surname", "Phone Number", "E-mail", "ZIP", "Country Code"]
    assert guess_mapping(header) == {
        "phone_number": 3,
        "phone_code": 6,
        "first_name": 1,
        "last_name": 2,
        "email": 4,
        "postal_code": 5,
        "vendor_lead_code": 0,
    }


def test_bad_rows_are_not_sent_rows_with_the_reason_never_dropped() -> None:
    text = (
        "phone,first_name,priority\n"
        "202-555-0143,Ada,3\n"
        "202-555-0144,Too,many,fields\n"
        "not a number,Bad,\n"
        f"202-555-0145,{'x' * 101},\n"
        "202-555-0146,Ok,high\n"
    )
    csv_file = read_csv(text.encode())
    assert csv_file.delimiter == ","
    rows = list(lead_rows(csv_file, guess_mapping(csv_file.header), "US"))
    assert [(row.state, row.phone, row.message) for row in rows] == [
        ("pending", "12025550143", ""),
        ("not_sent", "202-555-0144", "row has 4 fields, the header has 3"),
        ("not_sent", "not a number", "'not a number' is not a phone number"),
        ("not_sent", "202-555-0145", "first_name: String should have at most 100 characters"),
        ("not_sent", "202-555-0146", "priority: Input should be a valid integer, unable to parse"
                                     " string as an integer"),
    ]  # fmt: skip
    assert json.loads(rows[0].data)["priority"] == 3


def test_the_preview_shows_the_numbers_as_they_will_be_sent() -> None:
    csv_file = read_csv(b"Name,Mobile\nAda,202 555 0143\nBob,12\n")
    mapping = guess_mapping(csv_file.header)
    assert mapping == {"phone_number": 1}
    shown = preview(csv_file, mapping, "US")
    assert [(row.fields, row.number, row.problem) for row in shown] == [
        ({"phone_number": "202 555 0143"}, "+12025550143", ""),
        ({"phone_number": "12"}, "", "'12' has the wrong length for a number with code +1"),
    ]
    unmapped = preview(csv_file, {}, "US")
    assert unmapped[0].problem == "choose the column of the phone numbers"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "the file is empty: its first line must name the columns"),
        (b"\n\nphone\n", "the file is empty: its first line must name the columns"),
    ],
)
def test_a_file_that_is_no_csv_is_refused(content: bytes, message: str) -> None:
    with pytest.raises(CsvProblem, match=message):
        read_csv(content)


def test_a_mapping_must_name_real_columns_and_fields() -> None:
    with pytest.raises(CsvProblem, match="the file has no column 'Tel': it has Name, Mobile"):
        mapping_from_names(["Name", "Mobile"], {"phone_number": "Tel"})
    with pytest.raises(CsvProblem, match="'fax' is not a lead field"):
        mapping_from_names(["Name", "Mobile"], {"fax": "Mobile"})
    with pytest.raises(CsvProblem, match="choose the column that holds the phone numbers"):
        list(lead_rows(read_csv(b"Name\nAda\n"), {}, "US"))
