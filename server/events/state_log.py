"""The log of each agent's states over time (``agent_state_log``), written in the same
transaction as the state itself (`EventIntake._change_state`): when the state's name, or
the reason of a pause, changes, the open row ends and a new one begins."""

from sqlalchemy import Connection, bindparam, insert, update

from server.events.agent_model import AgentState
from server.tables import agent_state_log

_END_OPEN = (
    update(agent_state_log)
    .where(
        (agent_state_log.c.agent_id == bindparam("k_agent_id"))
        & agent_state_log.c.ended_at.is_(None)
    )
    .values(ended_at=bindparam("k_now"))
)
_BEGIN = insert(agent_state_log)


def _reason(state: AgentState) -> str | None:
    return state.pause_reason if state.name == "paused" else None


def changed(before: AgentState, after: AgentState) -> bool:
    """Whether the log has a new row for this change."""
    return (before.name, _reason(before)) != (after.name, _reason(after))


def record(connection: Connection, agent_id: int, after: AgentState, now: float) -> None:
    """End the agent's open row at ``now`` and begin ``after``'s."""
    connection.execute(_END_OPEN, {"k_agent_id": agent_id, "k_now": now})
    connection.execute(
        _BEGIN,
        {
            "agent_id": agent_id,
            "state": after.name,
            "pause_reason": _reason(after),
            "started_at": now,
        },
    )
