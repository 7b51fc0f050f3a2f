"""Running a user-sync job: each agent of the job saved in the directory and synced to
every dialer of the tenant (`server.agent_sync.sync_agent`), a few agents at a time.

A row ends ``added`` (a new agent), ``already_there`` (an agent the bridge had, updated)
or ``failed`` (a dialer refused it: the message names each dialer's outcome). Syncing an
agent again is safe (a dialer that has the user already updates it), so agents in
flight when a run stopped are simply synced again. Passwords stay in a row only until
its agent is synced (a failed row keeps them for `retry-failed`). A dialer that is down
pauses the job; credentials refused stop it, as for lead exports.
"""

import asyncio
import json
from typing import Any

from bridge import DialerAdapter
from server.agent_sync import AgentBody, AgentSynced, sync_agent
from server.agents import AgentDirectory
from server.jobs.dialer_failures import STOPPING_CODES
from server.jobs.pause import DialerPause
from server.jobs.records import JobRow
from server.jobs.run import LOST, JobRun, Stop
from server.jobs.states import ADDED, ALREADY_THERE, FAILED, PENDING
from server.jobs.store import LostJob
from server.problems import Problem

CONCURRENCY = 4  # agents synced at once
PAGE = 200
SECRETS = ("password", "phone_pass")
DOWN = {"dialer_unavailable", "dialer_timeout", "dialer_busy"}


STORED_NOTE = "(the dialer stores "  # how an adapter says a value was changed


def summary(dialers: dict[str, dict[str, Any]]) -> str:
    """``rest: ok; vici: ok (the dialer stores agent_full_name as 'Zo ngstrm');
    elision: dialer_rejected: USER ALREADY EXISTS; euphoria: skipped``."""
    parts = []
    for name, result in dialers.items():
        if "error" in result:
            error = result["error"]
            parts.append(f"{name}: {error['code']}: {error.get('dialer_text') or error['message']}")
        elif result.get("ok"):
            message = str(result.get("message", ""))
            note = message[message.find(STORED_NOTE) :] if STORED_NOTE in message else ""
            parts.append(f"{name}: ok {note}".rstrip())
        else:
            parts.append(f"{name}: skipped")
    return "; ".join(parts)


class AgentSync:
    def __init__(
        self, run: JobRun, adapters: dict[str, DialerAdapter], directory: AgentDirectory
    ) -> None:
        self.run = run
        self.adapters = adapters
        self.directory = directory
        self.ledger = run.ledger
        self.pause = DialerPause(run.stop_event, most=run.settings.max_pause_seconds)

    async def run_job(self) -> None:
        await self.run.store.resume(self.run.job, self.run.owner, send_again=True, message="")
        rows: asyncio.Queue[JobRow | None] = asyncio.Queue(maxsize=CONCURRENCY)
        async with asyncio.TaskGroup() as tasks:
            for _ in range(CONCURRENCY):
                tasks.create_task(self._syncer(rows))
            after = -1
            while self.run.check():
                page = await self.run.store.rows(
                    self.run.job.id, after=after, limit=PAGE, state=PENDING
                )
                if not page:
                    break
                after = page[-1].idx
                for row in page:
                    await rows.put(row)
            for _ in range(CONCURRENCY):
                await rows.put(None)

    async def _syncer(self, rows: asyncio.Queue[JobRow | None]) -> None:
        while (row := await rows.get()) is not None:
            if not self.run.check():
                continue
            try:
                await self.ledger.mark_sending([row.idx])
            except LostJob:
                self.run.stop(LOST)
                continue
            await self._sync(row)

    async def _sync(self, row: JobRow) -> None:
        fields = json.loads(row.data)
        fields.pop("dialers", None)
        username = fields.pop("username")
        body = AgentBody.model_validate(fields)
        created: bool | None = None
        while True:
            async with self.pause.attempt() as attempt:
                if not attempt.go:
                    self.ledger.settle(row.idx, PENDING, "")
                    return
                try:
                    synced = await sync_agent(
                        self.directory,
                        self.adapters,
                        self.run.job.tenant,
                        username,
                        body,
                        update_if_there=True,
                    )
                except Problem as problem:
                    self.ledger.settle(row.idx, FAILED, problem.message)
                    return
            created = synced.created if created is None else created
            codes = {r["error"]["code"] for r in synced.dialers.values() if "error" in r}
            if codes & DOWN and not self.run.job.awaited:
                self.pause.failed(attempt)
                self.ledger.note_pause(summary(synced.dialers))
                continue
            self.pause.answered()
            self.ledger.note_pause(None)
            self._settle(row.idx, username, fields, synced, created)
            return

    def _settle(
        self,
        idx: int,
        username: str,
        fields: dict[str, Any],
        synced: AgentSynced,
        created: bool,
    ) -> None:
        refused = [r["error"] for r in synced.dialers.values() if "error" in r]
        if refused:
            state = FAILED
        else:
            state = ADDED if created else ALREADY_THERE
            fields = {key: value for key, value in fields.items() if key not in SECRETS}
        data = json.dumps({"username": username, **fields, "dialers": synced.dialers})
        self.ledger.settle(idx, state, summary(synced.dialers), data)
        unauthorized = [e for e in refused if e["code"] in STOPPING_CODES]
        if unauthorized:
            self.run.stop(Stop("failed", unauthorized[0], fatal=True))
