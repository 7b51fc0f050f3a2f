"""Where dialer events and agents' requests change calls and agent states.

Each dialer event is stored, applied to its call or agent, and turned into the agent's
stream events in one transaction, before the dialer gets its 2xx: a re-delivered event
(the same name and variables) is found by its digest and changes nothing. Only after
the commit are the stream events handed to the hub. Every change runs through the
`BatchWriter`, which shares one transaction among the changes waiting, in order.

The first statement of each change writes; on PostgreSQL the call's or agent's row is
locked (``FOR UPDATE``) while it is merged, so another instance's events of the same
call wait for it.
"""

import hashlib
import json
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, fields, replace
from typing import Any

from sqlalchemy import Connection, Row, select, update

from bridge import CallUpdate
from server import strict_json
from server.config import TenantConfig
from server.database import Database
from server.events import agent_ids, state_log, stream_log
from server.events.agent_model import AgentState, PendingWrapup
from server.events.agents_call import agents_call
from server.events.batch_writer import BatchWriter
from server.events.call_display import queue_names
from server.events.call_model import Call, agent_news, event_data, merge
from server.events.statements import Statements
from server.events.stream_log import StreamEvent
from server.problems import Problem
from server.tables import agent_states, calls
from widget import protocol

CALL_FIELDS = tuple(field.name for field in fields(Call))
ACTIVE_CALL_HOURS = 12  # a call not ended after this long is not shown as active


@dataclass(frozen=True, slots=True)
class AgentChange:
    """What a queue event says about the agent with the dialer's ``user_id``."""

    user_id: str
    apply: Callable[[AgentState], AgentState]
    device_id: str | None = None


def digest(name: str, data: dict[str, Any]) -> str:
    canonical = json.dumps([name, data], sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def _call(row: Row[Any]) -> Call:
    return Call(**{name: getattr(row, name) for name in CALL_FIELDS})


# Runs what a call's news or wrap-up triggers (the Integration Centre's webhooks) in the
# same transaction: (connection, call, "call_ringing" ... "wrapup") → stream events.
CallHook = Callable[[Connection, Call, str], list[StreamEvent]]


def _no_hook(connection: Connection, call: Call, trigger: str) -> list[StreamEvent]:
    return []


class EventIntake:
    def __init__(
        self,
        database: Database,
        writer: BatchWriter,
        on_call: CallHook = _no_hook,
        tenants: Mapping[str, TenantConfig] | None = None,
    ) -> None:
        self._db = database
        self._writer = writer
        self._sql = Statements(database)
        self._on_call = on_call
        self._tenants = tenants or {}

    def queue_names(self, tenant: str) -> Mapping[str, str]:
        """The tenant's names of its queues, by id."""
        return queue_names(self._tenants.get(tenant))

    def _wrapup_seconds(self, tenant: str) -> int:
        settings = self._tenants.get(tenant)
        return 0 if settings is None else settings.wrapup_seconds

    async def receive(
        self,
        tenant: str,
        dialer: str,
        name: str,
        data: dict[str, Any],
        change: CallUpdate | AgentChange | None,
    ) -> bool:
        """Store and apply one dialer event; False if it had been received before."""

        def job(connection: Connection) -> tuple[bool, list[StreamEvent]]:
            stored = connection.execute(
                self._sql.store_event,
                {
                    "tenant": tenant,
                    "dialer": dialer,
                    "name": name,
                    "digest": digest(name, data),
                    "data": strict_json.dumps(data),
                    "received_at": time.time(),
                },
            )
            if stored.first() is None:
                return False, []
            if isinstance(change, CallUpdate):
                return True, self._apply_call(connection, tenant, dialer, change)
            if isinstance(change, AgentChange):
                return True, self._apply_agent(connection, tenant, dialer, change)
            return True, []

        return await self._writer.run(job)

    def _apply_call(
        self, connection: Connection, tenant: str, dialer: str, change: CallUpdate
    ) -> list[StreamEvent]:
        agent_id = agent_ids.find_agent(
            connection,
            tenant,
            dialer,
            user_ids=change.user_ids,
            device_ids=change.device_ids,
            extension=change.extension,
        )
        connection.execute(
            self._sql.new_call,
            {
                "tenant": tenant,
                "dialer": dialer,
                "call_id": change.call_id,
                "state": change.state,
                "direction": change.direction or "outbound",
                "started_at": change.at,
                "updated_at": time.time(),
            },
        )
        the_call = {"k_tenant": tenant, "k_dialer": dialer, "k_call_id": change.call_id}
        row = connection.execute(self._sql.call, the_call).one()
        call = merge(tenant, dialer, _call(row), change, agent_id)
        if call.uuid is None:
            call = self._link_click(connection, call, change.leg_id)
        return self._save_call(connection, call)

    def _link_click(self, connection: Connection, call: Call, leg_id: str | None) -> Call:
        """The call linked to the click-to-call whose uuid is its call_id or leg id."""
        uuids = [u for u in (call.call_id, leg_id) if u]
        click = connection.execute(
            self._sql.click, {"k_tenant": call.tenant, "k_dialer": call.dialer, "k_uuids": uuids}
        ).first()
        if click is None:
            return call
        return replace(
            call,
            uuid=click.uuid,
            agent_id=call.agent_id or click.agent_id,
            number=call.number or click.number,
            lead_id=call.lead_id or click.lead_id,
            crm_tag=call.crm_tag or click.crm_tag,
        )

    def _save_call(self, connection: Connection, call: Call) -> list[StreamEvent]:
        """Write ``call``; tell its agent what the agent has not been told yet, and run
        the webhooks of that news (of its end only, for a call no agent had)."""
        events: list[StreamEvent] = []
        news = agent_news(call)
        agent_id = call.agent_id
        if news is not None and agent_id is not None:
            call = replace(call, notified=call.state)
            data = event_data(call, self.queue_names(call.tenant))
            events.append(stream_log.new(agent_id, news, data))
            seconds, now = self._wrapup_seconds(call.tenant), time.time()
            event = self._change_state(
                connection,
                agent_id,
                lambda state: state.following(call, wrapup_seconds=seconds, now=now),
            )
            if event is not None:
                events.append(event)
            events += self._on_call(connection, call, news)
        elif agent_id is None and call.state == "ended" and call.notified != "ended":
            # No agent ever had it (a missed queue call): its end still runs webhooks.
            call = replace(call, notified="ended")
            events += self._on_call(connection, call, protocol.CALL_ENDED)
        values = {name: getattr(call, name) for name in CALL_FIELDS}
        connection.execute(
            self._sql.save_call,
            {
                **values,
                "updated_at": time.time(),
                "k_tenant": call.tenant,
                "k_dialer": call.dialer,
                "k_call_id": call.call_id,
            },
        )
        return events

    def _apply_agent(
        self, connection: Connection, tenant: str, dialer: str, change: AgentChange
    ) -> list[StreamEvent]:
        agent_id = agent_ids.find_agent(connection, tenant, dialer, user_ids=(change.user_id,))
        if agent_id is None:
            return []
        if change.device_id is not None:
            agent_ids.save(self._db, connection, agent_id, dialer, device_id=change.device_id)
        event = self._change_state(connection, agent_id, change.apply)
        return [] if event is None else [event]

    def _change_state(
        self,
        connection: Connection,
        agent_id: int,
        change: Callable[[AgentState], AgentState],
    ) -> StreamEvent | None:
        """Apply ``change`` to the agent's state; the ``agent_state`` event if it shows."""
        now = time.time()
        connection.execute(
            self._sql.new_state, {"agent_id": agent_id, "since": now, "updated_at": now}
        )
        row = connection.execute(self._sql.state, {"k_agent_id": agent_id}).one()
        before = _agent_state(row)
        after = change(before)
        if after == before:
            return None
        after = after.with_since(before, now)
        if state_log.changed(before, after):
            state_log.record(connection, agent_id, after, now)
        wrapup = after.wrapup
        connection.execute(
            self._sql.save_state,
            {
                "checked_in": after.checked_in,
                "pause_reason": after.pause_reason,
                "queues": json.dumps(list(after.queues)),
                "call_id": after.call_id,
                "wrap_up_call_id": None if wrapup is None else wrapup.call_id,
                "wrap_up": None if wrapup is None else json.dumps(wrapup.stored()),
                "wrap_up_deadline": None if wrapup is None else wrapup.deadline,
                "since": after.since,
                "updated_at": now,
                "k_agent_id": agent_id,
            },
        )
        if after.data() == before.data():
            return None
        return stream_log.new(agent_id, protocol.AGENT_STATE, after.data())

    async def save_dialer_ids(
        self, agent_id: int, dialer: str, *, user_id: str | None, device_id: str | None
    ) -> None:
        """Keep the agent's ids on ``dialer`` (those given; see `agent_ids`)."""

        def job(connection: Connection) -> tuple[None, list[StreamEvent]]:
            agent_ids.save(
                self._db, connection, agent_id, dialer, user_id=user_id, device_id=device_id
            )
            return None, []

        await self._writer.run(job)

    async def change_agent(
        self, agent_id: int, change: Callable[[AgentState], AgentState]
    ) -> AgentState:
        """Apply an agent's own request (after the dialer accepted it); the new state."""

        def job(connection: Connection) -> tuple[AgentState, list[StreamEvent]]:
            event = self._change_state(connection, agent_id, change)
            state = _load_state(connection, agent_id) or AgentState()
            return state, [] if event is None else [event]

        return await self._writer.run(job)

    def record_click(
        self,
        tenant: str,
        dialer: str,
        uuid: str,
        agent_id: int,
        number: str,
        lead_id: str | None,
        crm_tag: str | None = None,
    ) -> None:
        """Remember a click-to-call's uuid; link its call if events came first.

        Queued for the next shared transaction, not waited for: the click's answer does
        not wait for a commit. Dialer events arriving later queue behind it, so they find
        it; what a crash loses is at most the jobs not committed yet (see
        docs/benchmarks.md, "what a crash loses")."""

        def job(connection: Connection) -> tuple[None, list[StreamEvent]]:
            connection.execute(
                self._sql.new_click,
                {
                    "tenant": tenant,
                    "uuid": uuid,
                    "dialer": dialer,
                    "agent_id": agent_id,
                    "number": number,
                    "lead_id": lead_id,
                    "crm_tag": crm_tag,
                    "created_at": time.time(),
                },
            )
            row = connection.execute(
                self._sql.call, {"k_tenant": tenant, "k_dialer": dialer, "k_call_id": uuid}
            ).first()
            if row is None or row.uuid is not None:
                return None, []
            call = self._link_click(connection, _call(row), None)
            return None, self._save_call(connection, call)

        self._writer.submit(job)

    async def wrap_up(
        self,
        tenant: str,
        agent_id: int,
        call_id: str,
        *,
        disposition: str,
        outcome: str | None,
        notes: str | None,
    ) -> tuple[Call, AgentState]:
        """Store the agent's wrap-up on the call; the agent's wrap-up ends."""

        def job(connection: Connection) -> tuple[tuple[Call, AgentState], list[StreamEvent]]:
            meant = connection.execute(agents_call(tenant, call_id, agent_id)).first()
            if meant is None:
                raise Problem("unknown_call", f"no call {call_id!r} in tenant {tenant}")
            row = connection.execute(
                update(calls)
                .where(calls.c.id == meant.id)
                .values(disposition=disposition, outcome=outcome, notes=notes)
                .returning(*calls.c)
            ).one()
            event = self._change_state(
                connection, agent_id, lambda state: state.wrapped_up(call_id)
            )
            call = _call(row)
            state = _load_state(connection, agent_id) or AgentState()
            events = [] if event is None else [event]
            return (call, state), events + self._on_call(connection, call, "wrapup")

        return await self._writer.run(job)

    async def expire_wrap_ups(self, now: float) -> int:
        """End the pending wrap-ups whose deadline has passed; how many ended."""
        overdue = select(agent_states.c.agent_id).where(agent_states.c.wrap_up_deadline <= now)
        async with self._db.connect() as connection:
            due: list[int] = list((await connection.execute(overdue)).scalars())
        if not due:
            return 0

        def job(connection: Connection) -> tuple[int, list[StreamEvent]]:
            events = []
            for agent_id in due:
                event = self._change_state(
                    connection, agent_id, lambda state: state.wrap_up_expired(now)
                )
                if event is not None:
                    events.append(event)
            return len(events), events

        return await self._writer.run(job)

    async def agent_view(self, agent_id: int) -> tuple[AgentState | None, list[Call]]:
        """The agent's state (None if never known) and calls not ended, oldest first."""
        async with self._db.connect() as connection:
            state = await connection.run_sync(_load_state, agent_id)
            rows = await connection.execute(
                select(calls)
                .where(
                    (calls.c.agent_id == agent_id)
                    & (calls.c.state != "ended")
                    & (calls.c.started_at > time.time() - ACTIVE_CALL_HOURS * 3600)
                )
                .order_by(calls.c.started_at)
            )
            return state, [_call(row) for row in rows]


def _agent_state(row: Row[Any]) -> AgentState:
    return AgentState(
        checked_in=bool(row.checked_in),
        pause_reason=row.pause_reason,
        queues=tuple(json.loads(row.queues)),
        call_id=row.call_id,
        wrapup=PendingWrapup(**json.loads(row.wrap_up)) if row.wrap_up else None,
        since=row.since,
    )


def _load_state(connection: Connection, agent_id: int) -> AgentState | None:
    row = connection.execute(
        select(agent_states).where(agent_states.c.agent_id == agent_id)
    ).first()
    return None if row is None else _agent_state(row)
