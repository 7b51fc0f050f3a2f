"""The receivers of dialer events.

- ``POST /api/v1/events/{tenant}/{dialer}?secret=…``: a REST dialer's Event Push URL
  (the admin page shows it). Refused unless the secret is the dialer's current one and,
  when ``event_push_sources`` is set, the sender's address is in it. The body is one
  JSON object ``{"event", "data"}`` (any Content-Type).
- ``POST /api/v1/events/euphoria``: Euphoria's Integration Centre webhook, form-encoded
  or JSON parameters, with an API key of the tenant (``X-Api-Key``, ``Authorization:
  Bearer cbk_…``, or an ``api_key`` parameter).

Both store the event before answering ``200 {"ok": true, "duplicate": false}``; a
re-delivered event answers ``"duplicate": true`` and changes nothing. Bad input is a
4xx whose message says what is wrong.
"""

import functools
import ipaddress
from typing import Any
from urllib.parse import parse_qsl

from aiohttp import web

from bridge import InvalidNumber, normalise
from server import strict_json
from server.auth import API_KEY_PREFIX, bearer_token
from server.client_address import client_address
from server.config import TenantConfig
from server.events import euphoria_webhook, rest_push
from server.events.agent_model import AgentState
from server.events.intake import AgentChange
from server.events.rest_push import Variables
from server.keys import API_KEYS, CONFIG, INTAKE, METRICS, PUSH_RATE, PUSH_SECRETS
from server.problems import Problem
from server.request_body import read_at_most

MAX_EVENT_BYTES = 64 * 1024
MAX_STORED_EVENT_BYTES = 16 * 1024  # an event's known variables, as stored


def _stored(data: dict[str, Any]) -> dict[str, Any]:
    """``data`` if it is small enough to keep, else a 413."""
    size = len(strict_json.dumps(data).encode())
    if size > MAX_STORED_EVENT_BYTES:
        raise Problem(
            "event_too_large",
            f"the event's variables take {size:,} bytes; at most {MAX_STORED_EVENT_BYTES:,}"
            " are kept",
        )
    return data


def e164(tenant: TenantConfig, number: str | None) -> str | None:
    """``number`` in E.164 with '+', or as given when it is no phone number (an extension)."""
    return _e164(tenant.default_region, number) if number else None


@functools.lru_cache(maxsize=4096)
def _e164(region: str, number: str) -> str:
    try:
        return normalise(number, default_region=region).e164
    except InvalidNumber:
        return number


def _rest_dialer(request: web.Request) -> tuple[TenantConfig, str]:
    config = request.config_dict[CONFIG]
    tenant = config.tenants.get(request.match_info["tenant"])
    dialer = request.match_info["dialer"]
    settings = tenant.dialers.get(dialer) if tenant else None
    if tenant is None or settings is None or settings.kind != "rest":
        raise Problem("unknown_event_url", "no REST dialer has this Event Push URL")
    sources = settings.event_push_sources
    if sources:
        try:
            remote = ipaddress.ip_address(client_address(request))
        except ValueError:
            remote = None
        if remote is None or not any(remote in network for network in sources):
            raise Problem(
                "source_not_allowed",
                f"events for {dialer} are accepted from its event_push_sources only",
            )
    return tenant, dialer


def pause_reason(tenant: TenantConfig, pause_id: int) -> str | None:
    """The tenant's pause reason for a REST pause id (1 is the first); 0 is none."""
    if pause_id == 0:
        return None
    reasons = tenant.pause_reasons
    return reasons[pause_id - 1] if pause_id <= len(reasons) else f"Pause {pause_id}"


def agent_change(tenant: TenantConfig, name: str, data: Variables) -> AgentChange:
    if not data.user_id:
        raise Problem("invalid_event", f"{name}: user_id is required")
    queues = tuple(data.queues)

    def status(state: AgentState) -> AgentState:
        if data.in_calls is not None:
            state = state.checked_in_now() if data.in_calls else state.checked_out_now()
        if data.pause_id is not None:
            state = state.paused(pause_reason(tenant, data.pause_id))
        return state

    changes = {
        "agent:checkin": AgentState.checked_in_now,
        "agent:checkout": AgentState.checked_out_now,
        "queue:join": lambda state: state.joined(queues),
        "queue:leave": lambda state: state.left(queues),
        "agent:status": status,
    }
    device = data.device_id if name == "agent:checkin" else None
    return AgentChange(user_id=data.user_id, apply=changes[name], device_id=device)


async def receive_rest_event(request: web.Request) -> web.Response:
    tenant, dialer = _rest_dialer(request)
    secret = request.query.get("secret", "")
    if not secret or not await request.config_dict[PUSH_SECRETS].verify(tenant.id, dialer, secret):
        raise Problem(
            "invalid_secret",
            "the secret in this Event Push URL is not the dialer's current one: copy the URL"
            " from the bridge's admin page (Event Push)",
        )
    request.config_dict[PUSH_RATE].take(tenant.id)
    pushed = rest_push.read_pushed_event(await read_at_most(request, MAX_EVENT_BYTES))
    name, data = pushed.event, pushed.data
    if name in rest_push.CALL_EVENTS:
        change: Any = rest_push.call_update(name, data, e164(tenant, rest_push.remote_number(data)))
    else:
        change = agent_change(tenant, name, data)
    received = await request.config_dict[INTAKE].receive(
        tenant.id, dialer, name, _stored(data.model_dump(mode="json", exclude_unset=True)), change
    )
    _count(request, received)
    return web.json_response({"ok": True, "duplicate": not received})


async def _webhook_params(request: web.Request) -> dict[str, str]:
    raw = await read_at_most(request, MAX_EVENT_BYTES)
    if request.content_type == "application/json":
        try:
            body = strict_json.loads(raw)
        except ValueError:
            raise Problem("invalid_json", "the body must be a JSON object") from None
        if isinstance(body, dict) and len(body) > euphoria_webhook.MAX_PARAMETERS:
            raise _too_many_parameters()
        if not isinstance(body, dict) or not all(
            isinstance(v, str | int | float | None) for v in body.values()
        ):
            raise Problem("invalid_event", "the body must be a JSON object of plain values")
        return {str(k): "" if v is None else str(v) for k, v in body.items()}
    if request.content_type in ("application/x-www-form-urlencoded", ""):
        try:
            pairs = parse_qsl(
                raw.decode(),
                keep_blank_values=True,
                max_num_fields=euphoria_webhook.MAX_PARAMETERS,
            )
        except UnicodeDecodeError:
            raise Problem("invalid_event", "the parameters must be UTF-8") from None
        except ValueError:
            raise _too_many_parameters() from None
        return dict(pairs)
    raise Problem(
        "unsupported_media_type",
        "send the parameters form-encoded or as JSON (Content Type of the webhook)",
    )


def _too_many_parameters() -> Problem:
    return Problem(
        "invalid_event",
        f"at most {euphoria_webhook.MAX_PARAMETERS} parameters: send the webhook's variables only",
    )


async def receive_euphoria_webhook(request: web.Request) -> web.Response:
    if len(request.query) > euphoria_webhook.MAX_PARAMETERS:
        raise _too_many_parameters()
    params = {**request.query, **await _webhook_params(request)}
    secret = request.headers.get("X-Api-Key") or bearer_token(request) or params.get("api_key")
    params.pop("api_key", None)
    key = None
    if secret and secret.startswith(API_KEY_PREFIX):
        key = await request.config_dict[API_KEYS].authenticate(secret)
    config = request.config_dict[CONFIG]
    if key is None or key.tenant not in config.tenants:
        raise Problem("invalid_api_key", "send an API key of the bridge's API Manager")
    tenant = config.tenants[key.tenant]
    request.config_dict[PUSH_RATE].take(tenant.id)
    dialer = next((n for n, s in tenant.dialers.items() if s.kind == "euphoria"), None)
    if dialer is None:
        raise Problem("no_euphoria_dialer", f"tenant {tenant.id} has no Euphoria dialer")
    number = e164(tenant, euphoria_webhook.remote_number(params))
    update = euphoria_webhook.call_update(params, number)
    name = euphoria_webhook.event_name(params)
    kept = _stored({k: v for k, v in params.items() if k in euphoria_webhook.KEPT})
    received = await request.config_dict[INTAKE].receive(tenant.id, dialer, name, kept, update)
    _count(request, received)
    return web.json_response({"ok": True, "duplicate": not received})


def _count(request: web.Request, received: bool) -> None:
    outcome = "new" if received else "repeated"
    request.config_dict[METRICS].dialer_events.labels(outcome).inc()


def add_routes(app: web.Application) -> None:
    app.router.add_post("/api/v1/events/euphoria", receive_euphoria_webhook)
    app.router.add_post("/api/v1/events/{tenant}/{dialer}", receive_rest_event)
