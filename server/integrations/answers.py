"""Reading a CRM's answer as the webhook's ``response_type`` says, and the Agent View:
the records with only the columns the admin chose, as text, at most `MAX_RECORDS`.

``object``: a JSON object is one record. ``records``: a JSON list of objects (or an
object holding exactly one such list, as many APIs wrap them). ``ignore``: not read.
"""

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from server.integrations.webhook_request import redact

MAX_RECORDS = 20
MAX_COLUMNS = 50


@dataclass(frozen=True, slots=True)
class Answer:
    records: list[dict[str, Any]]
    error: str | None = None


def read_answer(body: bytes, response_type: str) -> Answer:
    """The records in ``body``, or an error saying why there are none."""
    if response_type == "ignore":
        return Answer([])
    try:
        data = json.loads(body)
    except (UnicodeDecodeError, ValueError):
        return Answer([], "the answer is not JSON")
    if response_type == "object":
        if isinstance(data, dict):
            return Answer([data])
        return Answer([], "the answer is not a JSON object")
    if isinstance(data, dict):
        lists = [value for value in data.values() if isinstance(value, list)]
        data = lists[0] if len(lists) == 1 else data
    if not isinstance(data, list) or not all(isinstance(item, dict) for item in data):
        return Answer([], "the answer is not a JSON list of records")
    return Answer(data)


def text_of(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False)


def all_columns(records: list[dict[str, Any]]) -> list[str]:
    """Every column of the records, in the order first seen."""
    seen: dict[str, None] = {}
    for record in records[:MAX_RECORDS]:
        seen.update(dict.fromkeys(str(key) for key in record))
    return list(seen)[:MAX_COLUMNS]


def agent_view(
    records: list[dict[str, Any]],
    columns: tuple[str, ...] | list[str],
    secrets: tuple[str, ...] = (),
    labels: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """``{"columns", "labels", "records"}`` as the agent sees them: the chosen columns
    (all of the answer's when none were chosen), the admin's labels of those that have
    one, every value as text, the request's secrets redacted (a CRM may echo its key)."""
    shown = list(columns) or all_columns(records)
    rows = [
        {column: redact(text_of(record.get(column)), secrets) for column in shown}
        for record in records[:MAX_RECORDS]
    ]
    given = labels or {}
    named = {column: given[column] for column in shown if column in given}
    return {"columns": shown, "labels": named, "records": rows}
