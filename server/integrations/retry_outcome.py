"""What the admin sees after Retry: the delivery's first new attempt, waited for a moment
(the outbox's worker sends it at once), told in one sentence."""

import asyncio
from typing import Any

from server.database import Database
from server.integrations import outbox

WAIT_SECONDS = 5.0
POLL_SECONDS = 0.1


async def after_retry(database: Database, delivery_id: str) -> dict[str, Any] | None:
    """The delivery once its new attempt is recorded, or as it is after `WAIT_SECONDS`."""
    loop = asyncio.get_running_loop()
    until = loop.time() + WAIT_SECONDS
    while True:
        delivery = await outbox.get(database, delivery_id)
        tried = delivery is not None and delivery["attempts"] >= 1
        if delivery is None or (tried and delivery["state"] != "sending"):
            return delivery
        if loop.time() >= until:
            return delivery
        await asyncio.sleep(POLL_SECONDS)


def retry_message(delivery: dict[str, Any]) -> tuple[str, bool]:
    """The sentence for the delivery just retried, and whether it went well."""
    name = delivery["webhook_name"]
    status = f" ({delivery['last_status']})" if delivery["last_status"] else ""
    error = f": {delivery['last_error']}" if delivery["last_error"] else ""
    took = f" in {delivery['duration_ms']:.0f} ms" if delivery["duration_ms"] is not None else ""
    if delivery["state"] == "delivered":
        return f"Sent {name} again: delivered{status}{took}.", True
    if delivery["state"] == "failed":
        return f"Sent {name} again: it failed again{status}{error}.", False
    if delivery["attempts"] >= 1:
        return (
            f"Sent {name} again: not delivered yet{status}{error}; the next try follows by itself.",
            False,
        )
    return f"{name} is queued to be sent again; reload this page to see how it went.", True
