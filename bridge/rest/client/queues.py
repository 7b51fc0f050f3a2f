"""``/api/cc_queue``: call-centre queues and the agents assigned to them.

Assignments travel as rows: ``[user_id, mode, position, level, timegroup_id]`` for a
queue's agents, ``[queue_id, mode, position, level, timegroup_id]`` for a user's queues.
The queue's agents come back with the agent's name after ``level`` (spec example:
``[17798, 3, 10, 1, "user name", null, false]``); the project reads the value after
the name as ``timegroup_id`` and keeps what follows, which the spec does not name.
"""

from __future__ import annotations  # a method named ``list`` shadows the builtin in the class

import builtins
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from bridge.errors import InvalidRequest
from bridge.rest.client.records import (
    ShapeError,
    array,
    integer,
    mapping,
    optional_integer,
    optional_text,
    text,
)
from bridge.rest.client.resource import Resource, each

PATH = "/api/cc_queue"
STRATEGIES = (
    "ring-all",
    "longest-idle-agent",
    "round-robin",
    "top-down",
    "agent-with-least-talk-time",
    "agent-with-fewest-calls",
    "sequentially-by-agent-order",
    "sequentially-by-next-agent-order",
    "random",
)
TIME_BASE_SCORES = ("system", "queue")


@dataclass(frozen=True, slots=True)
class AgentAssignment:
    """An agent's place in a queue, as sent: ``[user_id, mode, position, level, timegroup_id]``."""

    user_id: int
    mode: int
    position: int
    level: int
    timegroup_id: int | None = None

    def to_row(self) -> list[int | None]:
        return [self.user_id, self.mode, self.position, self.level, self.timegroup_id]


@dataclass(frozen=True, slots=True)
class QueueMembership:
    """A user's place in one queue: ``[queue_id, mode, position, level, timegroup_id]``."""

    queue_id: int
    mode: int
    position: int
    level: int
    timegroup_id: int | None = None

    def to_row(self) -> list[int | None]:
        return [self.queue_id, self.mode, self.position, self.level, self.timegroup_id]

    @classmethod
    def from_row(cls, value: Any) -> QueueMembership:
        row = _row(value, 4)
        timegroup = row[4] if len(row) > 4 else None
        return cls(
            queue_id=integer(row[0], "queue_id"),
            mode=integer(row[1], "mode"),
            position=integer(row[2], "position"),
            level=integer(row[3], "level"),
            timegroup_id=optional_integer(timegroup, "timegroup_id"),
        )


@dataclass(frozen=True, slots=True)
class QueueAgent:
    """An agent as a queue lists it: the assignment, the agent's name, undocumented rest."""

    user_id: int
    mode: int
    position: int
    level: int
    name: str | None = None
    timegroup_id: int | None = None
    rest: tuple[Any, ...] = ()

    @classmethod
    def from_row(cls, value: Any) -> QueueAgent:
        row = _row(value, 4)
        name = row[4] if len(row) > 4 else None
        timegroup = row[5] if len(row) > 5 else None
        return cls(
            user_id=integer(row[0], "user_id"),
            mode=integer(row[1], "mode"),
            position=integer(row[2], "position"),
            level=integer(row[3], "level"),
            name=optional_text(name, "agent name"),
            timegroup_id=optional_integer(timegroup, "timegroup_id"),
            rest=tuple(row[6:]),
        )


@dataclass(frozen=True, slots=True)
class Queue:
    id: int
    name: str
    strategy: str | None = None
    time_base_score: str | None = None
    account_id: int | None = None
    tv_name: str | None = None
    agents: tuple[QueueAgent, ...] = ()
    raw: Mapping[str, Any] = field(default_factory=dict, hash=False, repr=False)

    @classmethod
    def from_record(cls, value: Any) -> Queue:
        record = mapping(value, "queue")
        users = record.get("users")
        return cls(
            id=integer(record.get("id"), "id"),
            name=text(record.get("name"), "name"),
            strategy=optional_text(record.get("strategy"), "strategy"),
            time_base_score=optional_text(record.get("time_base_score"), "time_base_score"),
            account_id=optional_integer(record.get("account_id"), "account_id"),
            tv_name=optional_text(record.get("tv_name"), "tv_name"),
            agents=tuple(QueueAgent.from_row(row) for row in array(users or [], "users")),
            raw=record,
        )


class Queues(Resource):
    """``adapter.queues``: list, get, create, update, delete, and the queue's agents."""

    async def list(self) -> builtins.list[Queue]:
        envelope = await self._connection.read(PATH)
        return self._data(envelope, each(Queue.from_record))

    async def get(self, queue_id: int) -> Queue:
        envelope = await self._connection.read(f"{PATH}/{queue_id}")
        return self._data(envelope, Queue.from_record)

    async def create(
        self,
        *,
        name: str,
        strategy: str,
        time_base_score: str,
        extra: Mapping[str, Any] | None = None,
    ) -> Queue:
        """Create a queue; ``extra`` holds any other documented property (``record``, ...)."""
        body = self._body(extra, name, strategy, time_base_score)
        envelope = await self._connection.call("POST", PATH, json_body=body)
        return self._data(envelope, Queue.from_record)

    async def update(
        self,
        queue_id: int,
        *,
        name: str | None = None,
        strategy: str | None = None,
        time_base_score: str | None = None,
        extra: Mapping[str, Any] | None = None,
    ) -> None:
        """Change only the given properties."""
        body = self._body(extra, name, strategy, time_base_score)
        await self._connection.call("PUT", f"{PATH}/{queue_id}", json_body=body)

    async def delete(self, queue_id: int) -> None:
        await self._connection.call("DELETE", f"{PATH}/{queue_id}")

    async def agents(self, queue_id: int) -> builtins.list[QueueAgent]:
        envelope = await self._connection.read(f"{PATH}/{queue_id}/users")
        return self._data(envelope, each(QueueAgent.from_row))

    async def add_agents(self, queue_id: int, agents: Sequence[AgentAssignment]) -> None:
        body = {"users": [agent.to_row() for agent in agents]}
        await self._connection.call("POST", f"{PATH}/{queue_id}/users", json_body=body)

    async def replace_agents(self, queue_id: int, agents: Sequence[AgentAssignment]) -> None:
        body = {"users": [agent.to_row() for agent in agents]}
        await self._connection.call("PUT", f"{PATH}/{queue_id}/users", json_body=body)

    async def delete_agents(self, queue_id: int, user_ids: Sequence[int]) -> None:
        """Unassign these agents (sent as ``ids``, a comma-separated list in the query)."""
        ids = ",".join(str(user_id) for user_id in user_ids)
        await self._connection.call("DELETE", f"{PATH}/{queue_id}/users", params={"ids": ids})

    def _body(
        self,
        extra: Mapping[str, Any] | None,
        name: str | None,
        strategy: str | None,
        time_base_score: str | None,
    ) -> dict[str, Any]:
        """The JSON body, refused before sending if a given value breaks the spec's rules."""
        if name is not None and not name.strip():
            raise InvalidRequest("a queue needs a name", dialer=self.dialer)
        if strategy is not None and strategy not in STRATEGIES:
            raise InvalidRequest(
                f"strategy must be one of {', '.join(STRATEGIES)}", dialer=self.dialer
            )
        if time_base_score is not None and time_base_score not in TIME_BASE_SCORES:
            raise InvalidRequest("time_base_score must be system or queue", dialer=self.dialer)
        given = {"name": name, "strategy": strategy, "time_base_score": time_base_score}
        return {**(extra or {}), **{k: v for k, v in given.items() if v is not None}}


def _row(value: Any, minimum: int) -> builtins.list[Any]:
    row = array(value, "row")
    if len(row) < minimum:
        raise ShapeError(f"a row has {len(row)} values, fewer than {minimum}")
    return row
