"""A report's rows as a CSV file: one column per field, one per disposition seen
(``disposition:Success``...), cells safe to open in a spreadsheet (`csv_cells`)."""

import csv
import io
from collections.abc import Sequence
from typing import Any

from server.csv_cells import safe_row


def report_csv(rows: Sequence[dict[str, Any]]) -> str:
    """The CSV text (with a header line) of `queries.run_report`'s rows."""
    fields = [name for name in rows[0] if name != "dispositions"] if rows else []
    dispositions = sorted({name for row in rows for name in row["dispositions"]})
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(safe_row([*fields, *(f"disposition:{d}" for d in dispositions)]))
    for row in rows:
        counts = row["dispositions"]
        writer.writerow(
            safe_row([*(row[f] for f in fields), *(counts.get(d, 0) for d in dispositions)])
        )
    return out.getvalue()
