"""The CLI's jobs: ``crm-bridge export FILE.csv``, ``crm-bridge jobs``, ``crm-bridge jobs
watch ID``.

They work on the bridge's database directly (``--config``), like ``agent add``. ``export``
checks what the dialer will enforce (`server.jobs.export_target`), stores the file's
leads as a job, then watches it with a progress bar and runs it in this process unless a
bridge instance already does; log lines print above the bar. ``Ctrl+C`` leaves the job
where it is, to be resumed by a bridge instance or by ``crm-bridge jobs watch ID``. The
exit status says how the job ended (`cli.errors`).
"""

import argparse
import asyncio
import logging
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from pathlib import Path

from rich.console import Console
from rich.logging import RichHandler
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskProgressColumn,
    TextColumn,
    TimeRemainingColumn,
)
from rich.table import Table

from bridge import DialerList, dialer_session
from cli.errors import (
    EXIT_DONE_WITH_FAILURES,
    EXIT_INTERRUPTED,
    EXIT_JOB_FAILED,
    CommandError,
)
from server.agents import AgentDirectory
from server.audit_log import AuditLog
from server.config import ConfigError, ConfigProblem, ServerConfig, load_config
from server.database import Database
from server.dialers import DialerRegistry
from server.jobs.csv_import import (
    KNOWN_NAMES,
    CsvProblem,
    guess_mapping,
    lead_rows,
    mapping_from_names,
)
from server.jobs.csv_import import read_csv as read_csv_file
from server.jobs.export_target import export_target_problem
from server.jobs.records import Job
from server.jobs.states import DONE
from server.jobs.store import JobStore
from server.jobs.summary import (
    DONE_WITH_FAILURES,
    common_reasons,
    job_outcome,
    job_summary,
)
from server.jobs.worker import LEAD_EXPORT, JobWorker
from server.login_refusals import DatabaseRefusals

POLL_SECONDS = 0.5
PIPE_WIDTH = 200  # columns when the output is not a terminal (a file, a pipe, a test)


def _console() -> Console:
    console = Console()
    return console if console.is_terminal else Console(width=PIPE_WIDTH)


@contextmanager
def _logs_above(console: Console) -> Iterator[None]:
    """While a progress bar shows, log lines go through its console (above the bar)."""
    root = logging.getLogger()
    handler = RichHandler(console=console, show_path=False, markup=False)
    handler.setFormatter(logging.Formatter("%(name)s %(message)s"))
    kept = root.handlers[:]
    root.handlers = [handler]
    try:
        yield
    finally:
        root.handlers = kept


@asynccontextmanager
async def _database(config: ServerConfig) -> AsyncIterator[Database]:
    database = await Database.open(config.database)
    try:
        yield database
    finally:
        await database.close()


def _problem(path: str, message: str) -> ConfigError:
    return ConfigError([ConfigProblem(path, message)])


def _mapping(header: list[str], pairs: list[str]) -> dict[str, int]:
    """The guessed mapping, with ``field=Column`` pairs from ``--map`` over it."""
    names = {}
    for pair in pairs:
        field, sep, column = pair.partition("=")
        if not sep:
            raise _problem("--map", f"{pair!r} is not field=Column, e.g. phone_number=Phone")
        names[field.strip()] = column.strip()
    mapping = {**guess_mapping(header), **mapping_from_names(header, names)}
    if "phone_number" not in mapping:
        known = ", ".join(name.title() for name in KNOWN_NAMES["phone_number"][:4])
        raise _problem(
            "--map",
            f"no column is named like phone numbers ({known}, ...): say which one holds"
            f" them with --map phone_number=COLUMN (the file's columns: {', '.join(header)})",
        )
    return mapping


async def _check_target(config: ServerConfig, database: Database, args: argparse.Namespace) -> None:
    """Refuse, before storing the job, a list the dialer would refuse."""
    target = DialerList(args.list, args.list_name, args.campaign, True)
    async with dialer_session() as session:
        dialers = DialerRegistry(config, session, AuditLog(database).record)
        problem = await export_target_problem(
            dialers.get(args.tenant, args.dialer), target, create=args.create_list
        )
    if problem:
        raise _problem("--list", problem)


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
        await _check_target(config, database, args)
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
            str(job.id), job.tenant, job.kind, job_outcome(job) or job.state, job.dialer,
            str(summary["list_id"] or ""),
            *(f"{n:,}" for n in (counts.total, counts.added, counts.already_there, counts.failed,
                                 counts.unknown, counts.not_sent)),
            time.strftime("%Y-%m-%d %H:%M", time.gmtime(job.created_at)),
        )  # fmt: skip
    _console().print(table if jobs else "no jobs")


async def watch(args: argparse.Namespace) -> None:
    config = _config(args)
    async with _database(config) as database:
        if await JobStore(database).get(args.id) is None:
            raise CommandError(f"there is no job {args.id}: crm-bridge jobs lists them")
        await _watch(config, database, args.id)


async def _watch(config: ServerConfig, database: Database, job_id: int) -> None:
    """Show the job's progress until it is finished, running it here when no bridge
    instance does (now, or after one stopped)."""
    store, audit = JobStore(database), AuditLog(database)
    resume = f"crm-bridge jobs watch {job_id} --config ..."
    _console().print(
        f"Ctrl+C stops watching; the job goes on in a bridge instance, or here again with"
        f" `{resume}`"
    )
    try:
        async with audit.running(), dialer_session() as session:
            dialers = DialerRegistry(config, session, audit.record, DatabaseRefusals(database))
            worker = JobWorker(store, dialers, AgentDirectory(database), config)
            async with worker.running(claim=False):
                job = await _progress(store, worker, job_id)
    except asyncio.CancelledError:  # Ctrl+C
        raise CommandError(
            f"interrupted: job {job_id} goes on in a bridge instance, or with `{resume}`",
            EXIT_INTERRUPTED,
        ) from None
    _report(job, await store.reasons(job.id))
    _exit_for(job)


def _exit_for(job: Job) -> None:
    """A job that did not end ``done`` ends the command with its status."""
    outcome = job_outcome(job)
    if outcome == DONE:
        return
    counts = job.counts
    if outcome == DONE_WITH_FAILURES:
        missed = counts.total - counts.succeeded
        raise CommandError(
            f"job {job.id} done with failures: {missed:,} of {counts.total:,} rows did not"
            " reach the list",
            EXIT_DONE_WITH_FAILURES,
        )
    why = f": {job.error.get('message')}" if job.error else ""
    raise CommandError(f"job {job.id} {outcome}{why}", EXIT_JOB_FAILED)


async def _progress(store: JobStore, worker: JobWorker, job_id: int) -> Job:
    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TaskProgressColumn(),
        TextColumn("{task.fields[rate]}"),
        TimeRemainingColumn(),
    )
    console = _console()
    with Progress(*columns, console=console, transient=False) as progress, _logs_above(console):
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


def _report(job: Job, reasons: list[tuple[str, int]]) -> None:
    counts = job.counts
    console = _console()
    console.print(
        f"job {job.id} {job_outcome(job)}: {counts.added:,} added, {counts.already_there:,} already"
        f" there, {counts.failed:,} failed, {counts.unknown:,} unknown,"
        f" {counts.not_sent:,} not sent"
    )
    if job.error:
        console.print(f"stopped by: {job.error.get('code')}: {job.error.get('message')}")
    for reason, rows in common_reasons(reasons):
        console.print(f"  {rows:,} {'row' if rows == 1 else 'rows'}: {reason}", markup=False)
    if counts.failed or counts.unknown or counts.not_sent:
        console.print(
            f"each row's outcome: GET /api/v1/crm/jobs/{job.id}/report.csv, or the admin"
            " pages' Jobs"
        )


def add_commands(commands: argparse._SubParsersAction, config_help: str) -> None:  # type: ignore[type-arg]
    """``export`` and ``jobs`` (``jobs watch ID``) for `cli.main`."""
    exporting = commands.add_parser(
        "export",
        help="export the leads of a CSV file to a dialer list, as a job",
        description="Export the leads of a CSV file to a dialer list, as a job, and watch it."
        " Exit status: 0 every row reached the list; 3 done with failures; 4 the job failed"
        " or was cancelled; 130 interrupted (the job goes on); 1 it could not start.",
    )
    exporting.add_argument("file", help="CSV: a header line, then one lead per line")
    exporting.add_argument("--config", required=True, help=config_help)
    exporting.add_argument("--tenant", required=True, help="the tenant's id in the configuration")
    exporting.add_argument("--dialer", required=True, help="the dialer's name in the tenant")
    exporting.add_argument(
        "--list", required=True, help="the list's id on the dialer (Euphoria: its name)"
    )
    exporting.add_argument(
        "--list-name",
        default="",
        help="its name (Euphoria: the list; Elision, new list: 6-30 characters)",
    )
    exporting.add_argument(
        "--campaign", default="", help="its campaign (Euphoria: required; Elision: for a new list)"
    )
    exporting.add_argument(
        "--create-list", action="store_true", help="create the list first (REST picks its id)"
    )
    exporting.add_argument(
        "--map",
        action="append",
        default=[],
        metavar="FIELD=COLUMN",
        help="which column holds a lead field, e.g. phone_number=Mobile (guessed from the"
        " header otherwise); repeat for more fields",
    )
    exporting.add_argument(
        "--no-wait", action="store_true", help="store the job and leave it to the bridge"
    )
    exporting.set_defaults(run=lambda args: asyncio.run(export(args)))

    jobs = commands.add_parser(
        "jobs",
        help="list jobs, or watch one (and run it here)",
        description="List the newest jobs, or watch one. `jobs watch` exits as export does:"
        " 0 done, 3 done with failures, 4 failed or cancelled, 130 interrupted.",
    )
    jobs.add_argument("--config", help=config_help)
    jobs.add_argument("--tenant", help="only this tenant's")
    jobs.add_argument("--active", action="store_true", help="only those not finished")
    jobs.add_argument("--limit", type=int, default=30, help="at most this many (default 30)")
    jobs.set_defaults(run=lambda args: asyncio.run(list_jobs(args)))
    job_commands = jobs.add_subparsers(dest="jobs_command", metavar="COMMAND")
    watching = job_commands.add_parser(
        "watch", help="show a job's progress; run it here if no bridge instance does"
    )
    watching.add_argument("id", type=int, help="the job's id (crm-bridge jobs lists them)")
    watching.add_argument("--config", default=argparse.SUPPRESS, help=config_help)
    watching.set_defaults(run=lambda args: asyncio.run(watch(args)))
