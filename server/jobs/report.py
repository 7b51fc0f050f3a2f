"""A job's per-row outcomes as CSV, written page by page (a job may have 100,000 rows).

Columns: ``row`` (the lead's or agent's place in the request or file, from 0),
``phone`` (the number as sent, E.164 digits, or as given if it is no number; for a
user sync the username), ``status`` and ``message`` (the dialer's words or the reason).
Every cell goes through `safe_cell`: no cell starts a spreadsheet formula.
"""

import csv
import io
from collections.abc import AsyncIterator

from aiohttp import web

from server.csv_cells import safe_row
from server.jobs.records import Job
from server.jobs.store import JobStore

PAGE = 5000
HEADER = ("row", "phone", "status", "message")
AGENT_HEADER = ("row", "username", "status", "message")


async def report_chunks(store: JobStore, job: Job) -> AsyncIterator[bytes]:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(AGENT_HEADER if job.kind == "agent_sync" else HEADER)
    after = -1
    while rows := await store.rows(job.id, after=after, limit=PAGE):
        for row in rows:
            writer.writerow(safe_row((row.idx, row.phone, row.state, row.message)))
        after = rows[-1].idx
        yield buffer.getvalue().encode("utf-8")
        buffer.seek(0)
        buffer.truncate()
    if buffer.tell():
        yield buffer.getvalue().encode("utf-8")


async def send_report(request: web.Request, store: JobStore, job: Job) -> web.StreamResponse:
    response = web.StreamResponse(
        headers={
            "Content-Type": "text/csv; charset=utf-8",
            "Content-Disposition": f'attachment; filename="job-{job.id}-report.csv"',
        }
    )
    await response.prepare(request)
    async for chunk in report_chunks(store, job):
        await response.write(chunk)
    await response.write_eof()
    return response
