"""An agent runs a ``manual`` webhook from the widget, for one of their calls or none,
with a ``{DYNAMIC_PARAMETER}`` of their choice: a ``browser_window`` webhook answers
(and streams) its ``screen_pop``, an AJAX one queues a delivery like a call's trigger."""

import time
from typing import Any

from sqlalchemy import Connection

from server.events.agents_call import agents_call
from server.events.batch_writer import BatchWriter
from server.events.call_model import Call
from server.events.intake import CALL_FIELDS
from server.events.stream_log import StreamEvent
from server.integrations.store import IntegrationStore
from server.integrations.triggers import Triggers
from server.integrations.variables import variable_values
from server.problems import Problem


async def run_manual(
    writer: BatchWriter,
    store: IntegrationStore,
    triggers: Triggers,
    *,
    tenant: str,
    agent_id: int,
    webhook_name: str,
    call_id: str | None,
    dynamic_parameter: str,
) -> dict[str, Any]:
    """``{"delivery_id"}`` of the queued delivery, or ``{"screen_pop": data}``."""
    webhook = await store.webhook_named(tenant, webhook_name)
    if webhook.trigger != "manual":
        raise Problem(
            "not_manual",
            f"webhook {webhook_name!r} runs on {webhook.trigger}, not manually",
        )

    def job(connection: Connection) -> tuple[dict[str, Any], list[StreamEvent]]:
        call = None if call_id is None else _agents_call(connection, tenant, call_id, agent_id)
        facts = triggers.facts(connection, tenant, call, agent_id, dynamic_parameter)
        values = variable_values(facts, time.time())
        event, delivery_id = triggers.run(connection, webhook, call, agent_id, "manual", values)
        if event is not None:
            return {"webhook": webhook.name, "screen_pop": event.data}, [event]
        return {"webhook": webhook.name, "delivery_id": delivery_id}, []

    return await writer.run(job)


def _agents_call(connection: Connection, tenant: str, call_id: str, agent_id: int) -> Call:
    row = connection.execute(agents_call(tenant, call_id, agent_id)).first()
    if row is None:
        raise Problem("unknown_call", f"no call {call_id!r} is known to the bridge")
    if row.agent_id not in (None, agent_id):
        raise Problem("not_your_call", f"call {call_id!r} is another agent's")
    return Call(**{name: getattr(row, name) for name in CALL_FIELDS})
