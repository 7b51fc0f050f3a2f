"""The intake's statements, built once per database and run with parameters.

Building a statement with its values for every event costs more CPU than running it
(SQLAlchemy derives a cache key from every value); these take their values at execution
instead. Parameters named ``k_…`` select rows; the others are column values.
"""

from sqlalchemy import bindparam, select, update

from server.database import Database
from server.tables import agent_states, calls, click_calls, dialer_events


class Statements:
    def __init__(self, database: Database) -> None:
        self.store_event = (
            database.upsert(dialer_events).on_conflict_do_nothing().returning(dialer_events.c.id)
        )
        self.new_call = database.upsert(calls).on_conflict_do_nothing()
        self.new_click = database.upsert(click_calls).on_conflict_do_nothing()
        the_call = (
            (calls.c.tenant == bindparam("k_tenant"))
            & (calls.c.dialer == bindparam("k_dialer"))
            & (calls.c.call_id == bindparam("k_call_id"))
        )
        self.call = select(calls).where(the_call).with_for_update()
        self.save_call = update(calls).where(the_call)
        self.click = select(click_calls).where(
            (click_calls.c.tenant == bindparam("k_tenant"))
            & (click_calls.c.dialer == bindparam("k_dialer"))
            & click_calls.c.uuid.in_(bindparam("k_uuids", expanding=True))
        )
        self.new_state = database.upsert(agent_states).on_conflict_do_nothing()
        the_state = agent_states.c.agent_id == bindparam("k_agent_id")
        self.state = select(agent_states).where(the_state).with_for_update()
        self.save_state = update(agent_states).where(the_state)
