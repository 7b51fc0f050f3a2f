"""Each agent's ids on each dialer (``user_id``, ``device_id``), to match dialer events
to agents and to act on the dialer in the agent's name.

Filled by the CRM API's agent PUT (``dialer_ids``), by ``check_in`` with a device, and
by the dialer's own ``agent:checkin`` events. An agent's extension is the fallback.
"""

from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Connection, Select, bindparam, select
from sqlalchemy.ext.asyncio import AsyncConnection

from server.database import Database
from server.tables import agent_dialer_ids, agents


@dataclass(frozen=True, slots=True)
class DialerIds:
    user_id: str | None = None
    device_id: str | None = None


def save(
    database: Database,
    connection: Connection,
    agent_id: int,
    dialer: str,
    *,
    user_id: str | None = None,
    device_id: str | None = None,
) -> None:
    """Set the ids given (others are kept)."""
    changes = {
        name: value
        for name, value in (("user_id", user_id), ("device_id", device_id))
        if value is not None
    }
    if not changes:
        return
    insert = database.upsert(agent_dialer_ids).values(agent_id=agent_id, dialer=dialer, **changes)
    connection.execute(
        insert.on_conflict_do_update(
            index_elements=[agent_dialer_ids.c.agent_id, agent_dialer_ids.c.dialer],
            set_={name: insert.excluded[name] for name in changes},
        )
    )


async def of_agent(connection: AsyncConnection, agent_id: int) -> dict[str, DialerIds]:
    rows = await connection.execute(
        select(agent_dialer_ids).where(agent_dialer_ids.c.agent_id == agent_id)
    )
    return {row.dialer: DialerIds(row.user_id, row.device_id) for row in rows}


def _by(column: ColumnElement[str | None]) -> Select[Any]:
    """Agents of a tenant by one kind of id on a dialer (an indexed look-up)."""
    return (
        select(agent_dialer_ids.c.agent_id, column)
        .join(agents, agents.c.id == agent_dialer_ids.c.agent_id)
        .where(
            (agent_dialer_ids.c.dialer == bindparam("dialer"))
            & column.in_(bindparam("values", expanding=True))
            & (agents.c.tenant == bindparam("tenant"))
        )
    )


_BY_USER_ID = _by(agent_dialer_ids.c.user_id)
_BY_DEVICE_ID = _by(agent_dialer_ids.c.device_id)


def find_agent(
    connection: Connection,
    tenant: str,
    dialer: str,
    *,
    user_ids: tuple[str, ...] = (),
    device_ids: tuple[str, ...] = (),
    extension: str | None = None,
) -> int | None:
    """The agent of ``tenant`` a dialer's ids stand for: by user id, then device id, then
    extension; the first id given wins when several agents match."""
    for statement, values in ((_BY_USER_ID, user_ids), (_BY_DEVICE_ID, device_ids)):
        if values:
            rows = connection.execute(
                statement, {"tenant": tenant, "dialer": dialer, "values": list(values)}
            ).all()
            by_value = {row[1]: int(row[0]) for row in rows}
            for value in values:
                if value in by_value:
                    return by_value[value]
    if extension:
        agent_id = connection.execute(
            select(agents.c.id).where(
                (agents.c.tenant == tenant) & (agents.c.extension == extension)
            )
        ).scalar()
        return None if agent_id is None else int(agent_id)
    return None
