"""Which call an agent means by a call id.

Calls are keyed by (tenant, dialer, call_id): two dialers may use the same id. An agent
names a call by its id only, so the agent's own call of that id is meant, else one no
agent has, the newest first; a call of that id that only another agent has is not.
"""

from typing import Any

from sqlalchemy import Select, case, select

from server.tables import calls


def agents_call(tenant: str, call_id: str, agent_id: int) -> Select[Any]:
    """The calls of that id in the tenant, the one the agent means first."""
    mine = case((calls.c.agent_id == agent_id, 0), (calls.c.agent_id.is_(None), 1), else_=2)
    return (
        select(calls)
        .where((calls.c.tenant == tenant) & (calls.c.call_id == call_id))
        .order_by(mine, calls.c.started_at.desc(), calls.c.id.desc())
        .limit(1)
    )
