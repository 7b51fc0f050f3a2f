"""``/api/cc_agent``: check in and out, pause, queues, wrap-up; each pushes queue events.

Without ``user_id`` an action applies to the session's user (``/api/user/login``).
Readings where the spec is silent:

- ``checkIn`` answers the number the agent must call (``"***"`` and four digits from
  the user id); the simulator then counts the agent checked in, with no device until
  a ``checkInDevice``.
- ``checkOut`` of an agent who is not checked in succeeds and pushes nothing.
- ``checkInDevice`` refuses a device another agent holds, or an agent checked in on
  another device, unless ``forceCheckOut=1``, which checks the other one out first.
- ``setPause`` needs the agent checked in; ``setQueues`` sets exactly the joined queues
  and answers the last queue listed, with its agents.
- ``wrapup`` without ``seconds`` adds the user's ``wrap_up_time`` (account default 30 s).
- ``agent:status`` reports one activity, calls: ``activity_id`` and ``in_calls`` are 1
  while the agent is checked in, else 0.
"""

import time

from aiohttp import web

from simulators.rest.envelope import Refused, ok
from simulators.rest.events import EVENTS, EventPusher
from simulators.rest.fields import flag, id_list, integer, non_negative
from simulators.rest.state import STATE, UserRecord, device_name

DEFAULT_WRAP_UP_SECONDS = 30


def _agent(request: web.Request) -> UserRecord:
    state = request.app[STATE]
    user_id = request.query.get("user_id", "")
    if user_id:
        return state.agent(integer("user_id", user_id))
    if state.session_user_id is None:
        raise Refused("user_id is required when no user is logged in")
    return state.agent(state.session_user_id)


def _force(request: web.Request) -> bool:
    return flag("forceCheckOut", request.query.get("forceCheckOut", "0"))


def _push_status(pusher: EventPusher, user: UserRecord) -> None:
    in_calls = int(user.agent.checked_in)
    pusher.push(
        "agent:status",
        {
            "user_id": user.id,
            "activity_id": in_calls,
            "pause_id": user.agent.pause_id,
            "in_calls": in_calls,
        },
    )


def _check_in(pusher: EventPusher, user: UserRecord, device_id: int | None) -> None:
    user.agent.checked_in, user.agent.device_id = True, device_id
    name = None if device_id is None else device_name(device_id)
    pusher.push("agent:checkin", {"user_id": user.id, "device_id": device_id, "device_name": name})
    _push_status(pusher, user)


def _check_out(pusher: EventPusher, user: UserRecord) -> None:
    if user.agent.checked_in:
        user.agent.checked_in, user.agent.device_id, user.agent.pause_id = False, None, 0
        pusher.push("agent:checkout", {"user_id": user.id})
        _push_status(pusher, user)


async def check_in(request: web.Request) -> web.Response:
    user = _agent(request)
    _force(request)  # accepted and checked; there is no device to take over yet
    if not user.agent.checked_in:
        _check_in(request.app[EVENTS], user, None)
    return ok(f"***{9000 + user.id % 1000}")


async def check_out(request: web.Request) -> web.Response:
    _check_out(request.app[EVENTS], _agent(request))
    return ok()


async def check_in_device(request: web.Request) -> web.Response:
    state, pusher = request.app[STATE], request.app[EVENTS]
    user = _agent(request)
    if not request.query.get("device_id"):
        raise Refused("device_id is required")
    device_id = integer("device_id", request.query["device_id"])
    force = _force(request)
    holder = next(
        (
            other
            for other in state.users.values()
            if other.id != user.id and other.agent.checked_in and other.agent.device_id == device_id
        ),
        None,
    )
    if holder is not None and not force:
        raise Refused(
            f"device {device_id} is in use by user {holder.id}; send forceCheckOut=1 to take it"
        )
    current = user.agent.device_id if user.agent.checked_in else None
    if current not in (None, device_id) and not force:
        raise Refused(
            f"user {user.id} is checked in on device {current}; send forceCheckOut=1 to move"
        )
    if holder is not None:
        _check_out(pusher, holder)
    if current not in (None, device_id):
        _check_out(pusher, user)
    if current != device_id:
        _check_in(pusher, user, device_id)
    return ok()


async def set_pause(request: web.Request) -> web.Response:
    user = _agent(request)
    if not request.query.get("id"):
        raise Refused("id is required (a pause id, or 0 for available)")
    pause_id = non_negative("id", request.query["id"])
    if not user.agent.checked_in:
        raise Refused(f"user {user.id} is not checked in")
    user.agent.pause_id = pause_id
    _push_status(request.app[EVENTS], user)
    return ok()


async def set_queues(request: web.Request) -> web.Response:
    """Join exactly the queues of ``queue_ids`` (comma-separated, or repeated keys)."""
    state, pusher = request.app[STATE], request.app[EVENTS]
    user = _agent(request)
    given = request.query.getall("queue_ids", []) + request.query.getall("queue_ids[]", [])
    if not given:
        raise Refused("queue_ids is required")
    queue_ids = list(dict.fromkeys(id_list("queue_ids", ",".join(given))))
    for queue_id in queue_ids:
        state.queue(queue_id)
    joined = [q for q in queue_ids if q not in user.agent.queues]
    left = [q for q in user.agent.queues if q not in queue_ids]
    user.agent.queues = queue_ids
    if joined:
        pusher.push("queue:join", {"user_id": user.id, "queues": joined})
    if left:
        pusher.push("queue:leave", {"user_id": user.id, "queues": left})
    return ok(state.queue_json(state.queues[queue_ids[-1]]) if queue_ids else None)


async def wrapup(request: web.Request) -> web.Response:
    user = _agent(request)
    now = time.time()
    if request.query.get("seconds"):
        user.agent.wrapup_until = now + non_negative("seconds", request.query["seconds"])
    else:
        seconds = user.fields.get("wrap_up_time", DEFAULT_WRAP_UP_SECONDS)
        user.agent.wrapup_until = max(now, user.agent.wrapup_until or now) + seconds
    return ok()


def add_routes(app: web.Application) -> None:
    for action, handler in {
        "checkIn": check_in,
        "checkOut": check_out,
        "checkInDevice": check_in_device,
        "setPause": set_pause,
        "setQueues": set_queues,
        "wrapup": wrapup,
    }.items():
        app.router.add_get(f"/api/cc_agent/{action}", handler)
