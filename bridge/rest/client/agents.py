"""``/api/cc_agent``: an agent's check-in, pause, queues and wrap-up.

These are ``GET`` requests that change the agent's state, so none is ever repeated.
Without ``user_id`` the dialer acts on the API session's user (see `Users.login`).
"""

from collections.abc import Sequence
from typing import Any

from bridge.rest.client.queues import Queue
from bridge.rest.client.records import text
from bridge.rest.client.resource import Resource

PATH = "/api/cc_agent"


class Agents(Resource):
    """``adapter.agents``: check_in, check_out, check_in_device, set_pause, set_queues, wrapup."""

    async def check_in(self, *, user_id: int | None = None, force_check_out: bool = False) -> str:
        """Start checking in; return the number the agent must call to finish (``***9477``)."""
        params = {"user_id": user_id, "forceCheckOut": 1 if force_check_out else None}
        envelope = await self._connection.call("GET", f"{PATH}/checkIn", params=params)
        return self._data(envelope, lambda data: text(data, "check-in number"))

    async def check_out(self, *, user_id: int | None = None) -> None:
        await self._connection.call("GET", f"{PATH}/checkOut", params={"user_id": user_id})

    async def check_in_device(
        self, *, user_id: int, device_id: int, force_check_out: bool = False
    ) -> None:
        """Check the agent in on ``device_id`` at once (no action needed from the agent)."""
        params = {
            "user_id": user_id,
            "device_id": device_id,
            "forceCheckOut": 1 if force_check_out else None,
        }
        await self._connection.call("GET", f"{PATH}/checkInDevice", params=params)

    async def set_pause(self, pause_id: int, *, user_id: int | None = None) -> None:
        """Pause the agent with reason ``pause_id``; ``0`` makes the agent available."""
        params = {"id": pause_id, "user_id": user_id}
        await self._connection.call("GET", f"{PATH}/setPause", params=params)

    async def set_queues(
        self, queue_ids: Sequence[int], *, user_id: int | None = None
    ) -> Queue | None:
        """Put the agent in exactly these queues; return the queue the dialer answers with."""
        params = {"queue_ids": ",".join(str(i) for i in queue_ids), "user_id": user_id}
        envelope = await self._connection.call("GET", f"{PATH}/setQueues", params=params)
        return self._data(envelope, _optional_queue)

    async def wrapup(self, *, user_id: int | None = None, seconds: int | None = None) -> None:
        """Set the wrap-up timer to ``seconds`` from now, or add the user's default wrap-up."""
        params = {"user_id": user_id, "seconds": seconds}
        await self._connection.call("GET", f"{PATH}/wrapup", params=params)


def _optional_queue(data: Any) -> Queue | None:
    return None if data is None else Queue.from_record(data)
