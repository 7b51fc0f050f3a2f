"""In-memory state of the REST simulator, and how each record looks in JSON.

A password is kept apart from the user's other fields and never appears in any JSON
view. ``list_rows`` is counted from the leads, so it is always accurate.
"""

import time
from dataclasses import asdict, dataclass, field
from typing import Any

from aiohttp import web

from simulators.rest.envelope import Refused


@dataclass(slots=True)
class OriginatedCall:
    uuid: str
    destination: str
    extension: str | None
    user_id: str | None
    device_id: str | None
    params: dict[str, str]


@dataclass(slots=True)
class PhoneListRecord:
    id: int
    name: str
    leads: dict[str, dict[str, Any]] = field(default_factory=dict)  # phone → lead, in order


@dataclass(frozen=True, slots=True)
class Assignment:
    """An agent's place in a queue."""

    mode: int
    position: int
    level: int
    timegroup_id: int | None


@dataclass(slots=True)
class AgentStatus:
    checked_in: bool = False
    device_id: int | None = None
    pause_id: int = 0
    queues: list[int] = field(default_factory=list)  # joined queue ids
    wrapup_until: float | None = None


@dataclass(slots=True)
class UserRecord:
    id: int
    password: str = field(repr=False)
    fields: dict[str, Any] = field(default_factory=dict)  # writable fields but password
    ts: int = field(default_factory=lambda: int(time.time()))
    last_login: int | None = None
    agent: AgentStatus = field(default_factory=AgentStatus)

    @property
    def username(self) -> str:
        return self.fields["username"]

    @property
    def is_agent(self) -> bool:
        return bool(self.fields.get("is_agent"))


@dataclass(slots=True)
class QueueRecord:
    id: int
    fields: dict[str, Any] = field(default_factory=dict)


@dataclass(slots=True)
class RestState:
    """Everything the simulated account holds."""

    extensions: dict[str, dict[str, Any]] = field(default_factory=dict)
    calls: list[OriginatedCall] = field(default_factory=list)
    account_id: int = 1000
    phone_lists: dict[int, PhoneListRecord] = field(default_factory=dict)
    users: dict[int, UserRecord] = field(default_factory=dict)
    queues: dict[int, QueueRecord] = field(default_factory=dict)
    assignments: dict[tuple[int, int], Assignment] = field(default_factory=dict)  # queue, user
    session_user_id: int | None = None  # the logged-in user agent actions default to
    last_id: int = 0

    def route_extension(self, extension: str, *, user_id: int | None = None) -> None:
        self.extensions[extension] = {"user_id": user_id}

    def new_id(self) -> int:
        self.last_id += 1
        return self.last_id

    def phone_list(self, list_id: int) -> PhoneListRecord:
        if list_id not in self.phone_lists:
            raise Refused(f"phone list {list_id} does not exist")
        return self.phone_lists[list_id]

    def user(self, user_id: int) -> UserRecord:
        if user_id not in self.users:
            raise Refused(f"user {user_id} does not exist")
        return self.users[user_id]

    def agent(self, user_id: int) -> UserRecord:
        user = self.user(user_id)
        if not user.is_agent:
            raise Refused(f"user {user_id} is not an agent (is_agent is false)")
        return user

    def queue(self, queue_id: int) -> QueueRecord:
        if queue_id not in self.queues:
            raise Refused(f"queue {queue_id} does not exist")
        return self.queues[queue_id]

    def phone_list_json(self, phone_list: PhoneListRecord) -> dict[str, Any]:
        return {
            "id": phone_list.id,
            "account_id": self.account_id,
            "name": phone_list.name,
            "list_rows": len(phone_list.leads),
        }

    def user_json(self, user: UserRecord) -> dict[str, Any]:
        device = user.agent.device_id
        return {
            "id": user.id,
            "account_id": self.account_id,
            **user.fields,
            "ts": user.ts,
            "last_login": user.last_login,
            "devices": [] if device is None else [_device_json(device)],
            "extensions": ",".join(
                ext for ext, route in self.extensions.items() if route.get("user_id") == user.id
            ),
            "dids": "",
            "pause_id": user.agent.pause_id,
            "online": int(user.agent.checked_in),
            "queues": list(user.agent.queues),
            "queue_perms": self.user_queue_rows(user.id),
        }

    def user_queue_rows(self, user_id: int) -> list[list[Any]]:
        """``[[queue_id, mode, position, level, timegroup_id], ...]``"""
        return [
            [queue_id, a.mode, a.position, a.level, a.timegroup_id]
            for (queue_id, member), a in self.assignments.items()
            if member == user_id
        ]

    def queue_agent_rows(self, queue_id: int) -> list[list[Any]]:
        """``[[user_id, mode, position, level, name, timegroup_id, false], ...]`` as listed.

        The spec's example ends each row with ``false`` and does not say what it means.
        """
        rows = []
        for (queue, user_id), a in self.assignments.items():
            if queue == queue_id:
                name = self.users[user_id].fields["name"]
                rows.append([user_id, a.mode, a.position, a.level, name, a.timegroup_id, False])
        return rows

    def queue_json(self, queue: QueueRecord) -> dict[str, Any]:
        rows = self.queue_agent_rows(queue.id)
        return {
            "id": queue.id,
            "account_id": self.account_id,
            "site_id": None,
            "tv_name": None,
            "record": 0,
            **queue.fields,
            "user_ids": [row[0] for row in rows],
            "extensions": "",
            "users": rows,
        }

    def snapshot(self) -> dict[str, Any]:
        """The whole state as JSON (``GET /_sim/state``); no password anywhere."""
        return {
            "account_id": self.account_id,
            "session_user_id": self.session_user_id,
            "extensions": self.extensions,
            "phone_lists": [
                {**self.phone_list_json(p), "leads": list(p.leads.values())}
                for p in self.phone_lists.values()
            ],
            "users": [self.user_json(user) for user in self.users.values()],
            "agents": [
                {"user_id": user.id, **asdict(user.agent)}
                for user in self.users.values()
                if user.is_agent
            ],
            "queues": [self.queue_json(queue) for queue in self.queues.values()],
            "calls": [asdict(call) for call in self.calls],
        }


def _device_json(device_id: int) -> dict[str, Any]:
    return {
        "device_id": device_id,
        "ring": 0,
        "delay": 0,
        "timeout": 0,
        "name": device_name(device_id),
    }


def device_name(device_id: int) -> str:
    return f"Device {device_id}"


STATE = web.AppKey("rest_state", RestState)
