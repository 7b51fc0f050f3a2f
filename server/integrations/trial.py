"""Test and Configure: send a webhook once with its test values, straight away (not
through the outbox), and show what came back: status, time, headers, the answer read as
the response type says (records as columns and rows), and the Agent View — what the
agent's widget would show. Secrets are redacted from everything shown.
"""

import time
import uuid
from typing import Any
from urllib.parse import urlsplit

import aiohttp

from server.config import TenantConfig
from server.integrations.answers import agent_view, all_columns, read_answer, text_of
from server.integrations.model import Credentials, Webhook
from server.integrations.outbound import UnsafeTarget, unsafe_reason
from server.integrations.sender import WebhookSender
from server.integrations.store import IntegrationStore
from server.integrations.unreachable import why_unreachable
from server.integrations.variables import CallFacts, variable_values
from server.integrations.webhook_request import build_request, redact
from server.problems import Problem


def trial_values(tenant: TenantConfig, webhook: Webhook) -> dict[str, str]:
    """Every variable's value for a test: the webhook's test values, and what follows
    from them (``{CALLERID}`` from the name and number, ``{EXTENSION}``...)."""
    given = webhook.test_values
    pbx_host = tenant.integrations.pbx_host or next(
        (urlsplit(d.base_url).hostname or "" for d in tenant.dialers.values()), ""
    )
    facts = CallFacts(
        tenant_name=tenant.name,
        pbx_host=pbx_host,
        extension=given.get("EXTENSION_NO", ""),
        caller_name=given.get("CALLERID_NAME", ""),
        number=given.get("CALLERID_NUMBER", given.get("CALL_NUMBER", "")),
        dynamic_parameter=given.get("DYNAMIC_PARAMETER", ""),
    )
    return variable_values(facts, time.time()) | given


async def try_webhook(
    store: IntegrationStore,
    sender: WebhookSender,
    tenant: TenantConfig,
    webhook: Webhook,
    agent: str | None = None,
) -> dict[str, Any]:
    """The outcome of one test request (``agent``: whose member secret a user-level group
    uses; the first member's when not given)."""
    values = trial_values(tenant, webhook)
    group = None if webhook.group_id is None else await store.group(webhook.group_id)
    credentials = await store.credentials(group, agent) if group else Credentials()
    try:
        request = build_request(webhook, values, group, credentials, f"test-{uuid.uuid4()}")
    except UnsafeTarget as error:
        raise Problem("unsafe_url", str(error)) from None
    if webhook.type == "browser_window":
        return {"type": webhook.type, "url": str(request.url)}
    try:
        reply = await sender.send(request)
    except UnsafeTarget as error:
        raise Problem("unsafe_url", str(error)) from None
    except (aiohttp.ClientError, TimeoutError) as error:
        reason = unsafe_reason(error)
        if reason is not None:
            raise Problem("unsafe_url", reason) from None
        why = why_unreachable(error, request.url, sender.timeout_seconds)
        raise Problem("crm_unreachable", f"the CRM cannot be reached: {why}") from None
    answer: dict[str, Any] = {"type": webhook.response_type}
    view = None
    if webhook.response_type == "ignore":
        answer["text"] = reply.summary(request.secrets).split("\n", 1)[1]
    else:
        read = read_answer(reply.body, webhook.response_type)
        secrets = request.secrets
        rows = [
            {redact(str(k), secrets): redact(text_of(v), secrets) for k, v in record.items()}
            for record in read.records
        ]
        answer |= {
            "columns": [redact(c, secrets) for c in all_columns(read.records)],
            "rows": rows,
            "error": read.error,
        }
        view = agent_view(read.records, webhook.columns, secrets, webhook.column_labels)
    return {
        "type": webhook.type,
        "request": request.summary(),
        "status": reply.status,
        "reason": reply.reason,
        "time_ms": round(reply.duration_ms, 1),
        "headers": {name: redact(value, request.secrets) for name, value in reply.headers.items()},
        "answer": answer,
        "agent_view": view,
    }
