"""Where calls run webhooks: inside the intake's transaction that stores the call's
news (``call_ringing``, ``call_answered``, ``call_ended``) or its wrap-up, and for an
agent's manual run.

Each webhook of the tenant with that trigger whose filters match the call (direction,
queue) runs: a ``browser_window`` webhook becomes a ``screen_pop`` stream event to the
call's agent, ``{"url", "webhook", "call_id"}``; an AJAX webhook becomes a delivery in
the outbox (`outbox`), with the variables' values of this moment. Both are written in
the same transaction as the call, so a call change never happens without them, nor
they without it; nothing here waits for a CRM.
"""

import logging
import time
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import Connection, select

from server.config import ServerConfig
from server.events import stream_log
from server.events.call_model import Call
from server.events.stream_log import StreamEvent
from server.integrations import outbox
from server.integrations.model import Credentials, Webhook
from server.integrations.outbound import UnsafeTarget
from server.integrations.store import webhooks_for
from server.integrations.variables import CallFacts, variable_values
from server.integrations.webhook_request import build_request
from server.tables import agents
from widget import protocol

log = logging.getLogger(__name__)


class Triggers:
    def __init__(self, config: ServerConfig) -> None:
        self._config = config

    def on_call(self, connection: Connection, call: Call, trigger: str) -> list[StreamEvent]:
        """Run the tenant's webhooks for ``trigger`` on ``call`` (in its transaction)."""
        found = [
            webhook
            for webhook in webhooks_for(connection, call.tenant, trigger)
            if webhook.matches(call.direction, call.queue)
        ]
        if not found:
            return []
        facts = self.facts(connection, call.tenant, call, call.agent_id)
        values = variable_values(facts, time.time())
        events = []
        for webhook in found:
            event, _ = self.run(connection, webhook, call, call.agent_id, trigger, values)
            if event is not None:
                events.append(event)
        return events

    def run(
        self,
        connection: Connection,
        webhook: Webhook,
        call: Call | None,
        agent_id: int | None,
        trigger: str,
        values: dict[str, str],
    ) -> tuple[StreamEvent | None, str | None]:
        """Run one webhook: its ``screen_pop`` event, or the id of its delivery."""
        call_id = call.call_id if call is not None else None
        if webhook.type == "browser_window":
            if agent_id is None:
                return None, None
            try:
                url = str(build_request(webhook, values, None, Credentials()).url)
            except UnsafeTarget as error:  # the call's values leave no valid URL
                log.info("no screen pop of webhook %r: %s", webhook.name, error)
                return None, None
            data = {"url": url, "webhook": webhook.name, "call_id": call_id}
            return stream_log.new(agent_id, protocol.SCREEN_POP, data), None
        delivery_id = outbox.enqueue(
            connection,
            webhook,
            call_id=call_id,
            agent_id=agent_id,
            trigger=trigger,
            values=values,
        )
        return None, delivery_id

    def facts(
        self,
        connection: Connection,
        tenant_id: str,
        call: Call | None,
        agent_id: int | None,
        dynamic_parameter: str = "",
    ) -> CallFacts:
        """What the variables are made of, for ``call`` (if any) and ``agent_id``."""
        tenant = self._config.tenants[tenant_id]
        extension = ""
        if agent_id is not None:
            extension = (
                connection.scalar(select(agents.c.extension).where(agents.c.id == agent_id)) or ""
            )
        pbx_host = tenant.integrations.pbx_host
        if not pbx_host and call is not None and call.dialer in tenant.dialers:
            pbx_host = urlsplit(tenant.dialers[call.dialer].base_url).hostname or ""
        common: dict[str, Any] = {
            "tenant_name": tenant.name,
            "pbx_host": pbx_host,
            "extension": extension,
            "dynamic_parameter": dynamic_parameter,
        }
        if call is None:
            return CallFacts(**common)
        return CallFacts(
            **common,
            call_id=call.call_id,
            direction=call.direction,
            number=call.number,
            caller_name=call.caller_name,
            queue=call.queue or "",
            crm_tag=call.crm_tag or "",
            disposition=call.disposition or "",
            outcome=call.outcome or "",
            notes=call.notes or "",
            answered_at=call.answered_at if call.answered else None,
            ended_at=call.ended_at,
        )
