"""The CLI's jobs: ``crm-bridge export FILE.csv``, ``crm-bridge jobs``, ``crm-bridge jobs
watch ID``.

They work on the bridge's database directly (``--config``), like ``agent add``. ``export``
stores the file's leads as a job, then watches it with a progress bar and runs it in this
process unless a bridge instance already does; ``Ctrl+C`` leaves the job where it is, to
be resumed by a bridge instance or by ``crm-bridge jobs watch ID``.
"""

import argparse
import asyncio
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskProgressColumn,
    TextColumn,
    TimeRemainingColumn,
)
from rich.table import Table

from bridge import dialer_session
from server.agents import AgentDirectory
from server.audit_log import AuditLog
from server.config import ConfigError, Problem, ServerConfig, load_config
from server.database import Database
from server.dialers import DialerRegistry
from server.jobs.csv_import import CsvProblem, guess_mapping, lead_rows, mapping_from_names
from server.jobs.csv_import import read_csv as read_csv_file
from server.jobs.records import Job
from server.jobs.store import JobStore
from server.jobs.summary import job_summary
from server.jobs.worker import LEAD_EXPORT, JobWorker

POLL_SECONDS = 0.5
PIPE_WIDTH = 200  # columns when the output is not a terminal (a file, a pipe, a test)


def _console() -> Console:
    console = Console()
    return console if console.is_terminal else Console(width=PIPE_WIDTH)


@asynccontextmanager
async def _database(config: ServerConfig) -> AsyncIterator[Database]:
    database = await Database.open(config.database)
    try:
        yield database
    finally:
        await database.close()


def _problem(path: str, message: str) -> ConfigError:
    return ConfigError([Problem(path, message)])


def _mapping(header: list[str], pairs: list[str]) -> dict[str, int]:
    """The guessed mapping, with ``field=Column`` pairs from ``--map`` over it."""
    names = {}
    for pair in pairs:
        field, sep, column = pair.partition("=")
        if not sep:
            raise _problem("--map", f"{pair!r} is not field=Column, e.g. phone_number=Phone")
        names[field.strip()] = column.strip()
    return {**guess_mapping(header), **mapping_from_names(header, names)}


async def export(args: argparse.Namespace) -> None:
    config = load_config(args.config)
    tenant = config.tenants.get(args.tenant)
    if tenant is None:
        raise _problem("--tenant", f"{args.tenant!r} is not in {args.config}")
    if args.dialer not in tenant.dialers:
        raise _problem("--dialer", f"tenant {args.tenant} has no dialer {args.dialer!r}")
    try:
        csv_file = read_csv_file(await asyncio.to_thread(Path(args.file).read_bytes))
        mapping = _mapping(csv_file.header, args.map)
        rows = list(lead_rows(csv_file, mapping, tenant.default_region))
    except OSError as error:
        raise _problem(args.file, f"cannot read it ({error.strerror})") from None
    except CsvProblem as error:
        raise _problem(args.file, str(error)) from None
    if not rows:
        raise _problem(args.file, "no rows after the header line")
    spec = {
        "list": {
            "list_id": args.list,
            "name": args.list_name,
            "campaign": args.campaign,
            "active": True,
        },
        "create_list": args.create_list,
        "awaited": False,
    }
    async with _database(config) as database:
        job, _ = await JobStore(database).create(
            tenant.id, LEAD_EXPORT, rows, dialer=args.dialer, spec=spec, source="cli"
        )
        refused = job.counts.not_sent
        _console().print(
            f"job {job.id}: {len(rows):,} leads from {args.file} to {args.dialer}"
            + (f" ({refused:,} refused before sending: see its report)" if refused else "")
        )
        if not args.no_wait:
            await _watch(config, database, job.id)


def _config(args: argparse.Namespace) -> ServerConfig:
    if not args.config:
        raise _problem("--config", "give the bridge's configuration file")
    return load_config(args.config)


async def list_jobs(args: argparse.Namespace) -> None:
    config = _config(args)
    async with _database(config) as database:
        jobs = await JobStore(database).newest(args.tenant, active=args.active, limit=args.limit)
    table = Table("id", "tenant", "kind", "state", "dialer", "list", "total", "added",
                  "already there", "failed", "unknown", "not sent", "created (UTC)")  # fmt: skip
    for job in jobs:
        summary = job_summary(job)
        counts = job.counts
        table.add_row(
            str(job.id), job.tenant, job.kind, job.state, job.dialer, str(summary["list_id"] or ""),
            *(f"{n:,}" for n in (counts.total, counts.added, counts.already_there, counts.failed,
                                 counts.unknown, counts.not_sent)),
            time.strftime("%Y-%m-%d %H:%M", time.gmtime(job.created_at)),
        )  # fmt: skip
    _console().print(table if jobs else "no jobs")


async def watch(args: argparse.Namespace) -> None:
    config = _config(args)
    async with _database(config) as database:
        if await JobStore(database).get(args.id) is None:
            raise _problem("ID", f"there is no job {args.id}")
        await _watch(config, database, args.id)


async def _watch(config: ServerConfig, database: Database, job_id: int) -> None:
    """Show the job's progress until it is finished, running it here when no bridge
    instance does (now, or after one stopped)."""
    store, audit = JobStore(database), AuditLog(database)
    _console().print(
        f"Ctrl+C stops watching; the job goes on in a bridge instance, or here again with"
        f" `crm-bridge jobs watch {job_id} --config ...`"
    )
    async with audit.running(), dialer_session() as session:
        dialers = DialerRegistry(config, session, audit.record)
        worker = JobWorker(store, dialers, AgentDirectory(database), config)
        async with worker.running(claim=False):
            job = await _progress(store, worker, job_id)
    _report(job)


async def _progress(store: JobStore, worker: JobWorker, job_id: int) -> Job:
    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TaskProgressColumn(),
        TextColumn("{task.fields[rate]}"),
        TimeRemainingColumn(),
    )
    with Progress(*columns, console=_console(), transient=False) as progress:
        task = progress.add_task(f"job {job_id}", total=None, rate="")
        while True:
            job = await store.get(job_id)
            assert job is not None
            if job.active:
                await worker.run_now(job_id)  # unless a bridge instance runs it
            counts = job.counts
            doing = f"paused: {job.paused_reason}" if job.paused_reason else job.state
            progress.update(
                task,
                total=counts.total,
                completed=counts.sent + counts.not_sent,
                description=f"job {job_id} {doing}",
                rate=f"{job.rate:,.0f} rows/s",
            )
            if not job.active:
                return job
            await asyncio.sleep(POLL_SECONDS)


def _report(job: Job) -> None:
    counts = job.counts
    console = _console()
    console.print(
        f"job {job.id} {job.state}: {counts.added:,} added, {counts.already_there:,} already"
        f" there, {counts.failed:,} failed, {counts.unknown:,} unknown,"
        f" {counts.not_sent:,} not sent"
    )
    if job.error:
        console.print(f"stopped by: {job.error.get('code')}: {job.error.get('message')}")
    if counts.failed or counts.unknown or counts.not_sent:
        console.print(
            f"each row's outcome: GET /api/v1/crm/jobs/{job.id}/report.csv, or the admin"
            " pages' Jobs"
        )


def add_commands(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """``export`` and ``jobs`` (``jobs watch ID``) for `server.cli`."""
    exporting = commands.add_parser(
        "export", help="export the leads of a CSV file to a dialer list, as a job"
    )
    exporting.add_argument("file", help="CSV: a header line, then one lead per line")
    exporting.add_argument("--config", required=True)
    exporting.add_argument("--tenant", required=True)
    exporting.add_argument("--dialer", required=True, help="the dialer's name in the tenant")
    exporting.add_argument("--list", required=True, help="the list's id on the dialer")
    exporting.add_argument("--list-name", default="", help="its name (Euphoria: required)")
    exporting.add_argument("--campaign", default="", help="its campaign (Euphoria: required)")
    exporting.add_argument(
        "--create-list", action="store_true", help="create the list first (REST picks its id)"
    )
    exporting.add_argument(
        "--map",
        action="append",
        default=[],
        metavar="FIELD=COLUMN",
        help="which column holds a lead field (guessed from the header otherwise)",
    )
    exporting.add_argument(
        "--no-wait", action="store_true", help="store the job and leave it to the bridge"
    )
    exporting.set_defaults(run=lambda args: asyncio.run(export(args)))

    jobs = commands.add_parser("jobs", help="list jobs, or watch one (and run it here)")
    jobs.add_argument("--config")
    jobs.add_argument("--tenant", help="only this tenant's")
    jobs.add_argument("--active", action="store_true", help="only those not finished")
    jobs.add_argument("--limit", type=int, default=30)
    jobs.set_defaults(run=lambda args: asyncio.run(list_jobs(args)))
    job_commands = jobs.add_subparsers(dest="jobs_command")
    watching = job_commands.add_parser(
        "watch", help="show a job's progress; run it here if no bridge instance does"
    )
    watching.add_argument("id", type=int)
    watching.add_argument("--config", default=argparse.SUPPRESS)
    watching.set_defaults(run=lambda args: asyncio.run(watch(args)))
