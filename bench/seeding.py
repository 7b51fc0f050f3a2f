"""Agents with open sessions, written straight into a bridge's database (SQLite)."""

import time

from sqlalchemy import insert

from server.database import Database
from server.passwords import hash_password
from server.sessions import SessionStore
from server.tables import agent_dialer_ids, agents

TENANT = "bench"


async def seed_agents(database_url: str, count: int) -> list[str]:
    """Agents ``agent1``.. of tenant ``bench``, extension ``1001``.., user id ``1``.. on
    its REST dialer, each with a session: their bearer tokens, in that order."""
    database = await Database.open(database_url)
    try:
        password_hash = await hash_password("Bench-agent-1")  # one hash for all: seeding only
        now = time.time()
        async with database.begin() as connection:
            rows = [
                {
                    "tenant": TENANT,
                    "username": f"agent{i}",
                    "password_hash": password_hash,
                    "extension": str(1000 + i),
                    "created_at": now,
                    "updated_at": now,
                }
                for i in range(1, count + 1)
            ]
            ids = (await connection.execute(insert(agents).returning(agents.c.id), rows)).scalars()
            dialer_ids = [
                {"agent_id": agent_id, "dialer": "rest", "user_id": str(i)}
                for i, agent_id in enumerate(ids, start=1)
            ]
            await connection.execute(insert(agent_dialer_ids), dialer_ids)
        sessions = SessionStore(database, idle_seconds=3600, max_seconds=3600)
        return [
            (await sessions.open(row["agent_id"], str(1000 + i)))[0]
            for i, row in enumerate(dialer_ids, start=1)
        ]
    finally:
        await database.close()
