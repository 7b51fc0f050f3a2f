"""The events of an originated call: ``call:ring``, then ``call:answer``, then ``call:end``.

Each follows the previous one after its delay in ``CallEventDelays``; every event
carries the call's variables, and ``call:end`` adds the timings and ``hangup_cause``.
The call always connects and ends with ``NORMAL_CLEARING``.
"""

import asyncio
import time
from typing import Any, NamedTuple

from aiohttp import web

from simulators.rest.events import EventPusher
from simulators.rest.state import OriginatedCall


class CallEventDelays(NamedTuple):
    ring: float = 0.05  # originate → call:ring
    answer: float = 0.2  # call:ring → call:answer
    end: float = 1.0  # call:answer → call:end


CALL_EVENT_DELAYS = web.AppKey("rest_call_event_delays", CallEventDelays)


def _variables(call: OriginatedCall, src_user_id: int | None) -> dict[str, Any]:
    params = call.params
    return {
        "id": call.uuid,
        "call_id": call.uuid,
        "ts": int(time.time()),
        "site_id": None,
        "type": "outbound",
        "dst_num": call.destination,
        "src_device_id": _number(call.device_id),
        "dst_device_id": None,
        "src_user_id": src_user_id,
        "dst_user_id": None,
        "cid_num": params.get("cid"),
        "cid_name": params.get("cnam"),
        "a2": None,
        "tags": None,
        "queue_id": None,
        "lead_id": params.get("lead_id"),
        "lead_name": None,
        "campaign_id": None,
        "dialer_id": None,
    }


def _number(value: str | None) -> int | str | None:
    return int(value) if value is not None and value.isdigit() else value


async def play_call(
    pusher: EventPusher, call: OriginatedCall, src_user_id: int | None, delays: CallEventDelays
) -> None:
    """Push the call's three events at their times."""
    invited = time.monotonic()
    await asyncio.sleep(delays.ring)
    started = time.monotonic()
    progress = {"progressms": round((started - invited) * 1000)}
    pusher.push("call:ring", {**_variables(call, src_user_id), **progress})
    await asyncio.sleep(delays.answer)
    answered = time.monotonic()
    pusher.push("call:answer", {**_variables(call, src_user_id), **progress})
    await asyncio.sleep(delays.end)
    ended = time.monotonic()
    pusher.push(
        "call:end",
        {
            **_variables(call, src_user_id),
            **progress,
            "waitms": round((answered - started) * 1000),
            "durationms": round((ended - started) * 1000),
            "billms": round((ended - answered) * 1000),
            "hangup_cause": "NORMAL_CLEARING",
        },
    )
