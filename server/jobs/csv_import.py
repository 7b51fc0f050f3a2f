"""Leads from a CSV file: decoding, separators, the columns mapped to lead fields, a
preview of the first rows with their numbers as they will be sent, and the job's rows.

Files come as UTF-8 (with or without a byte-order mark) or, failing that, Latin-1;
fields are separated by ``,`` or ``;`` (whichever the header line uses) and may be
quoted (a separator, a doubled quote or a line break inside quotes). The first
line names the columns. Rows are numbered from 1 (the first after the header line). A
row that cannot become a lead (wrong number of fields, a field too long, a number that
cannot be dialled) becomes a ``not_sent`` row with the reason: it is listed, never
dropped, and counted as the preview showed it ("not sent").
"""

import csv
import io
import itertools
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, replace

from pydantic import ValidationError

from server.jobs.lead_rows import NO_LEAD, LeadBody, lead_row
from server.jobs.records import NewRow
from server.jobs.states import NOT_SENT, PENDING

LEAD_FIELDS = (
    "phone_number",
    "phone_code",
    "first_name",
    "last_name",
    "title",
    "email",
    "address",
    "city",
    "postal_code",
    "notes",
    "language",
    "vendor_lead_code",
    "priority",
)
# Column names (lower case, letters and digits only) each field is recognised by.
KNOWN_NAMES = {
    "phone_number": ("phonenumber", "phone", "telephone", "tel", "mobile", "number", "msisdn"),
    "phone_code": ("phonecode", "countrycode", "callingcode", "dialcode"),
    "first_name": ("firstname", "givenname", "forename", "first"),
    "last_name": ("lastname", "surname", "familyname", "last"),
    "title": ("title", "salutation"),
    "email": ("email", "emailaddress", "mail"),
    "address": ("address", "street", "address1"),
    "city": ("city", "town"),
    "postal_code": ("postalcode", "postcode", "zip", "zipcode"),
    "notes": ("notes", "note", "comment", "comments"),
    "language": ("language", "lang"),
    "vendor_lead_code": ("vendorleadcode", "leadid", "crmid", "leadcode", "id", "externalid"),
    "priority": ("priority",),
}
SEPARATORS = (",", ";")
NO_PHONE_COLUMN = "choose the column that holds the phone numbers"
MAX_COLUMNS = 200
MAX_ROWS = 100_000  # as many leads as one export through the API may carry
MAX_FIELD_CHARS = 10_000  # longer than any lead field may be (notes: 2,000)


class CsvProblem(ValueError):
    """The file cannot be read as CSV; the message says why."""


@dataclass(frozen=True, slots=True)
class CsvFile:
    text: str
    encoding: str  # "utf-8" or "latin-1"
    delimiter: str
    header: list[str]
    rows: int  # how many rows follow the header (blank lines not counted)

    def records(self) -> Iterator[list[str]]:
        """The rows after the header, as lists of fields."""
        return _records(self.text, self.delimiter)


def _records(text: str, delimiter: str) -> Iterator[list[str]]:
    """The rows after the header, read one by one from the text."""
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    next(reader, None)
    for record in reader:
        if record:  # a blank line is no row
            yield record


def _count_rows(text: str, delimiter: str) -> int:
    """How many rows follow the header; `CsvProblem` as soon as the file is too large
    (more than `MAX_ROWS` rows, a field of more than `MAX_FIELD_CHARS`) or no CSV."""
    count = 0
    try:
        for count, record in enumerate(_records(text, delimiter), start=1):
            if count > MAX_ROWS:
                raise CsvProblem(
                    f"the file has more than {MAX_ROWS:,} rows: import at most {MAX_ROWS:,}"
                    " leads at once (split the file)"
                )
            longest = max(map(len, record))
            if longest > MAX_FIELD_CHARS:
                raise CsvProblem(
                    f"row {count} has a field of {longest:,} characters; at most"
                    f" {MAX_FIELD_CHARS:,} are read (a quote left open?)"
                )
    except csv.Error as error:
        if "field limit" in str(error):
            raise CsvProblem(
                f"row {count + 1} has a field of more than {MAX_FIELD_CHARS:,} characters"
                " (a quote left open?)"
            ) from None
        raise CsvProblem(f"the file is not valid CSV after row {count}: {error}") from None
    return count


@dataclass(frozen=True, slots=True)
class PreviewRow:
    row: int
    fields: dict[str, str]  # lead field → value, as mapped
    number: str  # the number as it will be sent (E.164), or "" if refused
    problem: str  # why the row will not be sent, or ""


def decode(raw: bytes) -> tuple[str, str]:
    """The file's text and its encoding: UTF-8 (a BOM is dropped), else Latin-1."""
    try:
        return raw.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError:
        return raw.decode("latin-1"), "latin-1"


def _separator(header_line: str) -> str:
    """``,`` or ``;``: the one the header line has more of, outside quotes."""
    unquoted = re.sub(r'"[^"]*"', "", header_line)
    return max(SEPARATORS, key=unquoted.count)


def read_csv(raw: bytes) -> CsvFile:
    return read_csv_text(*decode(raw))


def read_csv_text(text: str, encoding: str) -> CsvFile:
    """A file already decoded (from ``encoding``)."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    header_line = text.split("\n", 1)[0]
    delimiter = _separator(header_line)
    try:
        header = next(csv.reader(io.StringIO(text), delimiter=delimiter), [])
    except csv.Error as error:
        raise CsvProblem(f"the first line is not CSV: {error}") from None
    header = [name.strip() for name in header]
    if not any(header):
        raise CsvProblem("the file is empty: its first line must name the columns")
    if len(header) > MAX_COLUMNS:
        raise CsvProblem(f"the file has {len(header)} columns; at most {MAX_COLUMNS} are read")
    return CsvFile(text, encoding, delimiter, header, _count_rows(text, delimiter))


def _key(name: str) -> str:
    return re.sub(r"[^a-z0-9]", "", name.lower())


def guess_mapping(header: list[str]) -> dict[str, int]:
    """Lead field → column, for the columns whose names say which field they are."""
    keys = [_key(name) for name in header]
    mapping: dict[str, int] = {}
    for field, names in KNOWN_NAMES.items():
        for name in names:
            if name in keys and keys.index(name) not in mapping.values():
                mapping[field] = keys.index(name)
                break
    return mapping


def mapping_from_names(header: list[str], names: Mapping[str, str]) -> dict[str, int]:
    """Lead field → column from ``field → column name``; unknown names are refused."""
    mapping = {}
    for field, column in names.items():
        if field not in LEAD_FIELDS:
            raise CsvProblem(f"{field!r} is not a lead field: use {', '.join(LEAD_FIELDS)}")
        if column not in header:
            raise CsvProblem(f"the file has no column {column!r}: it has {', '.join(header)}")
        mapping[field] = header.index(column)
    return mapping


def _lead_fields(record: list[str], mapping: Mapping[str, int]) -> dict[str, str]:
    return {field: record[column].strip() for field, column in mapping.items()}


def _row(
    idx: int, record: list[str], width: int, mapping: Mapping[str, int], region: str
) -> NewRow:
    if len(record) != width:
        given = record[mapping["phone_number"]] if mapping["phone_number"] < len(record) else ""
        problem = f"row has {len(record)} fields, the header has {width}"
        return NewRow(idx, NOT_SENT, given.strip(), NO_LEAD, problem)
    fields = _lead_fields(record, mapping)
    filled = {key: value for key, value in fields.items() if value}
    try:
        body = LeadBody.model_validate(filled, strict=False)
    except ValidationError as error:
        problem = "; ".join(
            f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}"
            for e in error.errors(include_url=False, include_input=False, include_context=False)
        )
        return NewRow(idx, NOT_SENT, fields.get("phone_number", ""), NO_LEAD, problem)
    row = lead_row(idx, body, region)
    return row if row.state == PENDING else replace(row, state=NOT_SENT)


def lead_rows(csv_file: CsvFile, mapping: Mapping[str, int], region: str) -> Iterator[NewRow]:
    """Each row of the file as a job's row (``not_sent`` with the reason if it is no lead)."""
    if "phone_number" not in mapping:
        raise CsvProblem(NO_PHONE_COLUMN)
    width = len(csv_file.header)
    try:
        for idx, record in enumerate(csv_file.records(), 1):
            yield _row(idx, record, width, mapping, region)
    except csv.Error as error:
        raise CsvProblem(f"the file is not valid CSV: {error}") from None


def preview(
    csv_file: CsvFile, mapping: Mapping[str, int], region: str, count: int = 10
) -> list[PreviewRow]:
    """The first ``count`` rows as they will be sent."""
    shown = []
    width = len(csv_file.header)
    for idx, record in enumerate(itertools.islice(csv_file.records(), count), 1):
        fields = _lead_fields(record, mapping) if len(record) == width else {}
        if "phone_number" not in mapping:
            shown.append(PreviewRow(idx, fields, "", "choose the column of the phone numbers"))
            continue
        row = _row(idx, record, width, mapping, region)
        number = "+" + row.phone if row.state == PENDING else ""
        shown.append(PreviewRow(idx, fields, number, row.message))
    return shown
