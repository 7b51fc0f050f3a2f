"""Agents assigned to queues: rows ``[id, mode, position, level, timegroup_id]``.

The same assignments are seen from a queue (``/api/cc_queue/{id}/users``, first value a
user id) and from a user (``/api/user/{id}/queues`` and ``queue_perms``, first value a
queue id). Rows are checked whole before anything changes. Only agents (``is_agent``)
can be assigned.
"""

from typing import Any

from simulators.rest.envelope import Refused
from simulators.rest.fields import integer, nullable
from simulators.rest.state import Assignment, RestState


def parse_rows(value: Any, first: str) -> list[tuple[int, Assignment]]:
    """Read ``[[<first>, mode, position, level, timegroup_id], ...]``."""
    shape = f"[[{first}, mode, position, level, timegroup_id], ...]"
    if not isinstance(value, list):
        raise Refused(f"assignments must be an array of rows {shape}")
    rows = []
    for row in value:
        if not isinstance(row, list) or len(row) != 5:
            raise Refused(f"each assignment must be a row of five values: {shape}")
        mode, position, level = (
            integer(name, item)
            for name, item in zip(("mode", "position", "level"), row[1:4], strict=True)
        )
        timegroup_id = nullable(integer)("timegroup_id", row[4])
        rows.append((integer(first, row[0]), Assignment(mode, position, level, timegroup_id)))
    return rows


def set_user_queues(state: RestState, user_id: int, rows: list[tuple[int, Assignment]]) -> None:
    """Replace every queue assignment of ``user_id`` with ``rows`` (queue id first)."""
    state.agent(user_id)
    for queue_id, _ in rows:
        state.queue(queue_id)
    for key in [key for key in state.assignments if key[1] == user_id]:
        del state.assignments[key]
    state.assignments.update(((queue_id, user_id), a) for queue_id, a in rows)


def add_queue_agents(
    state: RestState, queue_id: int, rows: list[tuple[int, Assignment]], *, replace: bool
) -> None:
    """Assign the agents of ``rows`` (user id first); with ``replace``, only them."""
    state.queue(queue_id)
    for user_id, _ in rows:
        state.agent(user_id)
    if replace:
        remove_queue_agents(state, queue_id, None)
    state.assignments.update(((queue_id, user_id), a) for user_id, a in rows)


def remove_queue_agents(state: RestState, queue_id: int, user_ids: list[int] | None) -> None:
    """Unassign ``user_ids`` (all agents when ``None``) from the queue; unknown ids are ignored."""
    for key in list(state.assignments):
        if key[0] == queue_id and (user_ids is None or key[1] in user_ids):
            del state.assignments[key]
