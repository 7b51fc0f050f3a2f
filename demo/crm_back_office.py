"""The demo CRM's own HTTP API, the target of the bridge's Integration Centre webhooks.

- ``GET /api/contacts?number=…``: the contacts whose number ends like ``number``, as a
  JSON list of records (an Agent View look-up).
- ``POST /api/call-log``: stores one call (form or JSON body) and answers 201; a repeated
  ``Idempotency-Key`` is stored once. ``GET /call-log`` shows what was stored.

Both need the ``X-Api-Key`` header the runner makes up (an "API Key" group's secret).
"""

import hmac
import time
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

CALL_LOG_LIMIT = 500


@dataclass
class CallLog:
    """What the bridge logged into the demo CRM, newest last, shared by its sites."""

    api_key: str
    entries: list[dict[str, Any]] = field(default_factory=list)
    delivery_ids: set[str] = field(default_factory=set)

    def add(self, delivery_id: str | None, fields_: dict[str, Any]) -> bool:
        """Store ``fields_`` unless ``delivery_id`` was stored before; True if stored."""
        if delivery_id is not None:
            if delivery_id in self.delivery_ids:
                return False
            self.delivery_ids.add(delivery_id)
        self.entries.append({"received_at": time.strftime("%H:%M:%S"), "fields": fields_})
        del self.entries[:-CALL_LOG_LIMIT]
        return True


def _authorised(request: web.Request, call_log: CallLog) -> None:
    given = request.headers.get("X-Api-Key", "")
    if not hmac.compare_digest(given.encode(), call_log.api_key.encode()):
        raise web.HTTPUnauthorized(
            text='{"error": "X-Api-Key missing or wrong"}', content_type="application/json"
        )


def add_back_office(
    app: web.Application, call_log: CallLog, contacts: tuple[dict[str, str], ...]
) -> None:
    async def find_contacts(request: web.Request) -> web.Response:
        _authorised(request, call_log)
        digits = "".join(c for c in request.query.get("number", "") if c.isdigit())
        found = [
            {
                "name": contact["name"],
                "phone": f"+{contact['code']}{contact['number']}",
                "company": contact["company"],
                "status": contact["status"],
                "owner": contact["owner"],
            }
            for contact in contacts
            if digits and (contact["code"] + contact["number"]).endswith(digits[-10:])
        ]
        return web.json_response(found)

    async def log_call(request: web.Request) -> web.Response:
        _authorised(request, call_log)
        if request.content_type == "application/json":
            body = await request.json()
            fields_ = body if isinstance(body, dict) else {"body": body}
        else:
            fields_ = dict(await request.post())
        stored = call_log.add(request.headers.get("Idempotency-Key"), fields_)
        return web.json_response({"stored": stored}, status=201 if stored else 200)

    app.router.add_get("/api/contacts", find_contacts)
    app.router.add_post("/api/call-log", log_call)
