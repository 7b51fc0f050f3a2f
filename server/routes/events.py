"""The receivers of dialer events, one per way of pushing (`bridge.events`).

The receivers authenticate, limit and store; what a push says is read by the dialer's
own package (its traits' ``event_push``), so no receiver knows a kind of dialer.

- ``POST /api/v1/events/{tenant}/{dialer}?secret=…``: the Event Push URL of a dialer
  that pushes to a URL of its own (`UrlPush`: the REST dialer; the admin page shows
  it). Refused unless the secret is the dialer's current one and, when its settings
  name sources (``event_push_sources``), the sender's address is in them. The body is
  what the dialer pushes (the REST dialer: one JSON object ``{"event", "data"}``, any
  Content-Type).
- ``POST /api/v1/events/{kind}``: the webhook of the dialers of that kind that post
  parameters (`WebhookPush`: ``/api/v1/events/euphoria``, Euphoria's Integration Centre),
  form-encoded or JSON, with an API key of the tenant (``X-Api-Key``, ``Authorization:
  Bearer cbk_…``, or an ``api_key`` parameter); the event goes to the tenant's first
  dialer of the kind.

Both store the event before answering ``200 {"ok": true, "duplicate": false}``; a
re-delivered event answers ``"duplicate": true`` and changes nothing. Bad input is a
4xx whose message says what is wrong.
"""

import dataclasses
import functools
import ipaddress
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import parse_qsl

from aiohttp import web

from bridge import (
    AgentEvent,
    CallUpdate,
    DialerAdapter,
    EventRefused,
    InvalidNumber,
    PushedEvent,
    UrlPush,
    WebhookPush,
    adapter_class,
    kinds_pushing,
    normalise,
    titles_pushing,
)
from server import strict_json
from server.auth import API_KEY_PREFIX, bearer_token
from server.client_address import client_address
from server.config import TenantConfig
from server.dialers import UnknownDialer
from server.events.agent_model import AgentState
from server.events.intake import AgentChange
from server.keys import API_KEYS, CONFIG, DIALERS, INTAKE, METRICS, PUSH_RATE, PUSH_SECRETS
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


def url_pushing_dialer(request: web.Request, tenant: str, dialer: str) -> UrlPush | None:
    """How the tenant's ``dialer`` pushes to its Event Push URL; None if it does not."""
    try:
        adapter = request.config_dict[DIALERS].get(tenant, dialer)
    except UnknownDialer:
        return None
    push = adapter.traits.event_push
    return push if isinstance(push, UrlPush) else None


def _url_dialer(request: web.Request) -> tuple[TenantConfig, str, UrlPush]:
    config = request.config_dict[CONFIG]
    tenant = config.tenants.get(request.match_info["tenant"])
    dialer = request.match_info["dialer"]
    push = url_pushing_dialer(request, tenant.id, dialer) if tenant else None
    if tenant is None or push is None:
        raise Problem(
            "unknown_event_url", f"no {titles_pushing(UrlPush)} dialer has this Event Push URL"
        )
    sources = push.sources
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
    return tenant, dialer, push


def pause_reason(tenant: TenantConfig, pause_id: int) -> str | None:
    """The tenant's pause reason for a dialer's pause id (1 is the first); 0 is none."""
    if pause_id == 0:
        return None
    reasons = tenant.pause_reasons
    return reasons[pause_id - 1] if pause_id <= len(reasons) else f"Pause {pause_id}"


def agent_change(tenant: TenantConfig, event: AgentEvent) -> AgentChange:
    """What ``event`` does to the agent's state, its pause id read as the tenant's reason."""

    def apply(state: AgentState) -> AgentState:
        if event.checked_in is not None:
            state = state.checked_in_now() if event.checked_in else state.checked_out_now()
        if event.joined is not None:
            state = state.joined(event.joined)
        if event.left is not None:
            state = state.left(event.left)
        if event.pause_id is not None:
            state = state.paused(pause_reason(tenant, event.pause_id))
        return state

    return AgentChange(user_id=event.user_id, apply=apply, device_id=event.device_id)


def _read(read: Callable[[], PushedEvent]) -> PushedEvent:
    """The push read by its dialer's translation; what it refuses is a 400."""
    try:
        return read()
    except EventRefused as refused:
        raise Problem(refused.code, refused.message) from None


async def _store(
    request: web.Request, tenant: TenantConfig, dialer: str, pushed: PushedEvent
) -> web.Response:
    """Store ``pushed`` (its number normalised) and answer whether it was new."""
    change: CallUpdate | AgentChange
    if isinstance(pushed.change, AgentEvent):
        change = agent_change(tenant, pushed.change)
    else:
        change = dataclasses.replace(pushed.change, number=e164(tenant, pushed.change.number))
    variables = _stored(pushed.variables)
    received = await request.config_dict[INTAKE].receive(
        tenant.id, dialer, pushed.name, variables, change
    )
    _count(request, received)
    return web.json_response({"ok": True, "duplicate": not received})


async def receive_pushed_event(request: web.Request) -> web.Response:
    tenant, dialer, push = _url_dialer(request)
    secret = request.query.get("secret", "")
    if not secret or not await request.config_dict[PUSH_SECRETS].verify(tenant.id, dialer, secret):
        raise Problem(
            "invalid_secret",
            "the secret in this Event Push URL is not the dialer's current one: copy the URL"
            " from the bridge's admin page (Event Push)",
        )
    request.config_dict[PUSH_RATE].take(tenant.id)
    raw = await read_at_most(request, MAX_EVENT_BYTES)
    return await _store(request, tenant, dialer, _read(lambda: push.read(raw)))


async def _webhook_params(request: web.Request, max_parameters: int) -> dict[str, str]:
    raw = await read_at_most(request, MAX_EVENT_BYTES)
    if request.content_type == "application/json":
        try:
            body = strict_json.loads(raw)
        except ValueError:
            raise Problem("invalid_json", "the body must be a JSON object") from None
        if isinstance(body, dict) and len(body) > max_parameters:
            raise _too_many_parameters(max_parameters)
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
                max_num_fields=max_parameters,
            )
        except UnicodeDecodeError:
            raise Problem("invalid_event", "the parameters must be UTF-8") from None
        except ValueError:
            raise _too_many_parameters(max_parameters) from None
        return dict(pairs)
    raise Problem(
        "unsupported_media_type",
        "send the parameters form-encoded or as JSON (Content Type of the webhook)",
    )


def _too_many_parameters(max_parameters: int) -> Problem:
    return Problem(
        "invalid_event",
        f"at most {max_parameters} parameters: send the webhook's variables only",
    )


def webhook_receiver(kind: str) -> Callable[[web.Request], Awaitable[web.Response]]:
    """The receiver of the webhooks of the dialers of ``kind`` (a `WebhookPush`)."""
    traits = adapter_class(kind).traits
    push, title = traits.event_push, traits.title
    if not isinstance(push, WebhookPush):
        raise TypeError(f"dialers of kind {kind} post no webhooks")

    async def receive(request: web.Request) -> web.Response:
        return await _receive_webhook(request, kind, title, push)

    return receive


async def _receive_webhook(
    request: web.Request, kind: str, title: str, push: WebhookPush
) -> web.Response:
    if len(request.query) > push.max_parameters:
        raise _too_many_parameters(push.max_parameters)
    params = {**request.query, **await _webhook_params(request, push.max_parameters)}
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
    dialer = _first_of_kind(request.config_dict[DIALERS].of_tenant(tenant.id), kind)
    if dialer is None:
        raise Problem(f"no_{kind}_dialer", f"tenant {tenant.id} has no {title} dialer")
    return await _store(request, tenant, dialer, _read(lambda: push.read(params)))


def _first_of_kind(adapters: dict[str, DialerAdapter], kind: str) -> str | None:
    return next((name for name, adapter in adapters.items() if adapter.kind == kind), None)


def _count(request: web.Request, received: bool) -> None:
    outcome = "new" if received else "repeated"
    request.config_dict[METRICS].dialer_events.labels(outcome).inc()


def add_routes(app: web.Application) -> None:
    """A webhook URL per kind that posts webhooks, and the dialers' own Event Push URLs."""
    for kind in kinds_pushing(WebhookPush):
        app.router.add_post(f"/api/v1/events/{kind}", webhook_receiver(kind))
    app.router.add_post("/api/v1/events/{tenant}/{dialer}", receive_pushed_event)
