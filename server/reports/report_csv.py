"""A report's rows as a CSV file: one column per field, one per disposition seen
(``disposition:Success``...) and, by agent, per pause reason seen (``paused:Lunch``...),
cells safe to open in a spreadsheet (`csv_cells`)."""

import csv
import io
from collections.abc import Sequence
from typing import Any

from server.csv_cells import safe_row

# The fields that count by name, and the prefix of their columns.
_BY_NAME = {"dispositions": "disposition", "paused_by_reason": "paused"}


def report_csv(rows: Sequence[dict[str, Any]]) -> str:
    """The CSV text (with a header line) of `queries.run_report`'s rows."""
    fields = [name for name in rows[0] if name not in _BY_NAME] if rows else []
    counted = [(f, p) for f, p in _BY_NAME.items() if rows and f in rows[0]]
    names = {f: sorted({name for row in rows for name in row[f]}) for f, _ in counted}
    header = [*fields, *(f"{prefix}:{n}" for f, prefix in counted for n in names[f])]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(safe_row(header))
    for row in rows:
        by_name = [row[f].get(n, 0) for f, _ in counted for n in names[f]]
        writer.writerow(safe_row([*(row[f] for f in fields), *by_name]))
    return out.getvalue()
