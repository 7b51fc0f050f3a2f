"""Where dialer events and agents' requests change calls and agent states.

Each dialer event is stored, applied to its call or agent, and turned into the agent's
stream events in one transaction, before the dialer gets its 2xx: a re-delivered event
(the same name and variables) is found by its digest and changes nothing. Only after
the commit are the stream events handed to the hub.

The first statement of each transaction writes, so on SQLite it takes the write lock
before reading (no lock upgrade can fail); on PostgreSQL the call's or agent's row is
locked (``FOR UPDATE``) while it is merged, so concurrent events of one call queue up.
"""

import hashlib
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, fields, replace
from typing import Any

from sqlalchemy import Row, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from server.database import Database
from server.events import agent_ids, stream_log
from server.events.agent_model import AgentState
from server.events.call_model import Call, CallUpdate, agent_news, event_data, merge
from server.events.hub import StreamHub
from server.events.stream_log import StreamEvent
from server.problems import NotFound
from server.tables import agent_states, calls, click_calls, dialer_events

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


def _call(row: Row) -> Call:
    return Call(**{name: getattr(row, name) for name in CALL_FIELDS})


class EventIntake:
    def __init__(self, database: Database, hub: StreamHub) -> None:
        self._db = database
        self._hub = hub

    async def receive(
        self,
        tenant: str,
        dialer: str,
        name: str,
        data: dict[str, Any],
        change: CallUpdate | AgentChange | None,
    ) -> bool:
        """Store and apply one dialer event; False if it had been received before."""
        async with self._db.begin() as connection:
            stored = await connection.execute(
                self._db.upsert(dialer_events)
                .values(
                    tenant=tenant,
                    dialer=dialer,
                    name=name,
                    digest=digest(name, data),
                    data=json.dumps(data),
                    received_at=time.time(),
                )
                .on_conflict_do_nothing()
                .returning(dialer_events.c.id)
            )
            if stored.first() is None:
                return False
            if isinstance(change, CallUpdate):
                events = await self._apply_call(connection, tenant, dialer, change)
            elif isinstance(change, AgentChange):
                events = await self._apply_agent(connection, tenant, dialer, change)
            else:
                events = []
            await self._hub.announce(connection, events)
        self._hub.deliver(events)
        return True

    async def _apply_call(
        self, connection: AsyncConnection, tenant: str, dialer: str, change: CallUpdate
    ) -> list[StreamEvent]:
        agent_id = await agent_ids.find_agent(
            connection,
            tenant,
            dialer,
            user_ids=change.user_ids,
            device_ids=change.device_ids,
            extension=change.extension,
        )
        await connection.execute(
            self._db.upsert(calls)
            .values(
                tenant=tenant,
                dialer=dialer,
                call_id=change.call_id,
                state=change.state,
                direction=change.direction or "outbound",
                started_at=change.at,
                updated_at=time.time(),
            )
            .on_conflict_do_nothing()
        )
        row = (
            await connection.execute(
                select(calls)
                .where((calls.c.tenant == tenant) & (calls.c.call_id == change.call_id))
                .with_for_update()
            )
        ).one()
        call = merge(tenant, dialer, _call(row), change, agent_id)
        if call.uuid is None:
            call = await self._link_click(connection, call, change.leg_id)
        return await self._save_call(connection, call)

    async def _link_click(
        self, connection: AsyncConnection, call: Call, leg_id: str | None
    ) -> Call:
        """The call linked to the click-to-call whose uuid is its call_id or leg id."""
        uuids = [u for u in (call.call_id, leg_id) if u]
        click = (
            await connection.execute(
                select(click_calls).where(
                    (click_calls.c.tenant == call.tenant) & click_calls.c.uuid.in_(uuids)
                )
            )
        ).first()
        if click is None:
            return call
        return replace(
            call,
            uuid=click.uuid,
            agent_id=call.agent_id or click.agent_id,
            number=call.number or click.number,
            lead_id=call.lead_id or click.lead_id,
        )

    async def _save_call(self, connection: AsyncConnection, call: Call) -> list[StreamEvent]:
        """Write ``call``; tell its agent what the agent has not been told yet."""
        events: list[StreamEvent] = []
        news = agent_news(call)
        if news is not None and call.agent_id is not None:
            call = replace(call, notified=call.state)
            events.append(
                await stream_log.append(connection, call.agent_id, news, event_data(call))
            )
            event = await self._change_state(
                connection, call.agent_id, lambda state: state.following(call)
            )
            if event is not None:
                events.append(event)
        values = {name: getattr(call, name) for name in CALL_FIELDS}
        await connection.execute(
            update(calls)
            .where((calls.c.tenant == call.tenant) & (calls.c.call_id == call.call_id))
            .values({**values, "updated_at": time.time()})
        )
        return events

    async def _apply_agent(
        self, connection: AsyncConnection, tenant: str, dialer: str, change: AgentChange
    ) -> list[StreamEvent]:
        agent_id = await agent_ids.find_agent(
            connection, tenant, dialer, user_ids=(change.user_id,)
        )
        if agent_id is None:
            return []
        if change.device_id is not None:
            await agent_ids.save(self._db, connection, agent_id, dialer, device_id=change.device_id)
        event = await self._change_state(connection, agent_id, change.apply)
        return [] if event is None else [event]

    async def _change_state(
        self,
        connection: AsyncConnection,
        agent_id: int,
        change: Callable[[AgentState], AgentState],
    ) -> StreamEvent | None:
        """Apply ``change`` to the agent's state; the ``agent_state`` event if it shows."""
        await connection.execute(
            self._db.upsert(agent_states)
            .values(agent_id=agent_id, updated_at=time.time())
            .on_conflict_do_nothing()
        )
        row = (
            await connection.execute(
                select(agent_states).where(agent_states.c.agent_id == agent_id).with_for_update()
            )
        ).one()
        before = _agent_state(row)
        after = change(before)
        if after == before:
            return None
        await connection.execute(
            update(agent_states)
            .where(agent_states.c.agent_id == agent_id)
            .values(
                checked_in=after.checked_in,
                pause_reason=after.pause_reason,
                queues=json.dumps(list(after.queues)),
                call_id=after.call_id,
                wrap_up_call_id=after.wrap_up_call_id,
                updated_at=time.time(),
            )
        )
        if after.data() == before.data():
            return None
        return await stream_log.append(connection, agent_id, "agent_state", after.data())

    async def change_agent(
        self, agent_id: int, change: Callable[[AgentState], AgentState]
    ) -> AgentState:
        """Apply an agent's own request (after the dialer accepted it); the new state."""
        async with self._db.begin() as connection:
            event = await self._change_state(connection, agent_id, change)
            events = [] if event is None else [event]
            await self._hub.announce(connection, events)
            state = await _load_state(connection, agent_id)
        self._hub.deliver(events)
        return state or AgentState()

    async def record_click(
        self,
        tenant: str,
        dialer: str,
        uuid: str,
        agent_id: int,
        number: str,
        lead_id: str | None,
    ) -> None:
        """Remember a click-to-call's uuid; link its call if events came first."""
        async with self._db.begin() as connection:
            await connection.execute(
                self._db.upsert(click_calls)
                .values(
                    tenant=tenant,
                    uuid=uuid,
                    dialer=dialer,
                    agent_id=agent_id,
                    number=number,
                    lead_id=lead_id,
                    created_at=time.time(),
                )
                .on_conflict_do_nothing()
            )
            row = (
                await connection.execute(
                    select(calls)
                    .where((calls.c.tenant == tenant) & (calls.c.call_id == uuid))
                    .with_for_update()
                )
            ).first()
            events: list[StreamEvent] = []
            if row is not None and row.uuid is None:
                call = await self._link_click(connection, _call(row), None)
                events = await self._save_call(connection, call)
            await self._hub.announce(connection, events)
        self._hub.deliver(events)

    async def wrap_up(
        self,
        tenant: str,
        agent_id: int,
        call_id: str,
        *,
        disposition: str,
        outcome: str | None,
        notes: str | None,
    ) -> Call:
        """Store the agent's wrap-up on the call; the agent's wrap-up ends."""
        async with self._db.begin() as connection:
            found = await connection.execute(
                update(calls)
                .where((calls.c.tenant == tenant) & (calls.c.call_id == call_id))
                .values(disposition=disposition, outcome=outcome, notes=notes)
                .returning(*calls.c)
            )
            row = found.first()
            if row is None:
                raise NotFound("unknown_call", f"no call {call_id!r} in tenant {tenant}")
            event = await self._change_state(
                connection, agent_id, lambda state: state.wrapped_up(call_id)
            )
            events = [] if event is None else [event]
            await self._hub.announce(connection, events)
        self._hub.deliver(events)
        return _call(row)

    async def agent_view(self, agent_id: int) -> tuple[AgentState | None, list[Call]]:
        """The agent's state (None if never known) and calls not ended, oldest first."""
        async with self._db.connect() as connection:
            state = await _load_state(connection, agent_id)
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


def _agent_state(row: Row) -> AgentState:
    return AgentState(
        checked_in=bool(row.checked_in),
        pause_reason=row.pause_reason,
        queues=tuple(json.loads(row.queues)),
        call_id=row.call_id,
        wrap_up_call_id=row.wrap_up_call_id,
    )


async def _load_state(connection: AsyncConnection, agent_id: int) -> AgentState | None:
    row = (
        await connection.execute(select(agent_states).where(agent_states.c.agent_id == agent_id))
    ).first()
    return None if row is None else _agent_state(row)
