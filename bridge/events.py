"""What a dialer pushes, in the bridge's terms: call updates and agent events.

Each dialer that tells the bridge about calls translates its own pushes in its
package's ``events`` module (pure functions: raw push in, `PushedEvent` out) and names
the way it pushes in its traits (`EventPush`). Receiving them (the URL, its
authentication, size and rate limits, storing) is the server's.

Two ways of pushing are received:

- `UrlPush`: one body per request to the dialer's own Event Push URL, which holds a
  secret the bridge makes (``/api/v1/events/{tenant}/{dialer}?secret=…``);
- `WebhookPush`: parameters (form-encoded or JSON) to one URL for all dialers of the
  kind (``/api/v1/events/{kind}``), with an API key of the tenant.

A push the translation cannot read raises `EventRefused`, whose code and message the
receiver answers (400).
"""

import ipaddress
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

State = Literal["ringing", "answered", "ended"]
Direction = Literal["inbound", "outbound", "internal"]


class EventRefused(ValueError):
    """A push that says nothing the bridge can read: ``code`` (``invalid_json``,
    ``unknown_event``, ``invalid_event``) and a message saying what is wrong."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True, slots=True)
class CallUpdate:
    """What one dialer event says about a call; ``None`` where it says nothing.

    ``number`` is the remote party's number as the dialer wrote it (the receiver
    normalises it with the tenant's region)."""

    call_id: str
    state: State
    at: float
    leg_id: str | None = None
    direction: Direction | None = None
    number: str | None = None
    caller_name: str | None = None
    user_ids: tuple[str, ...] = ()  # the dialer's ids of the agent(s) on the call
    device_ids: tuple[str, ...] = ()
    extension: str | None = None
    queue: str | None = None
    lead_id: str | None = None
    tags: str | None = None
    waitms: int | None = None
    durationms: int | None = None
    billms: int | None = None
    progressms: int | None = None
    cc_wait: int | None = None
    hangup_cause: str | None = None
    canceled: str | None = None
    disposition: str | None = None
    outcome: str | None = None
    notes: str | None = None


@dataclass(frozen=True, slots=True)
class AgentEvent:
    """What one dialer event says about the agent with the dialer's ``user_id``, applied
    in this order: checked in (``True``) or out (``False``), queues joined, queues left,
    paused with the dialer's pause id (1 and up; 0 is "not paused").

    ``device_id`` is the device the agent checked in on, to remember."""

    user_id: str
    checked_in: bool | None = None
    joined: tuple[str, ...] | None = None
    left: tuple[str, ...] | None = None
    pause_id: int | None = None
    device_id: str | None = None


@dataclass(frozen=True, slots=True)
class PushedEvent:
    """One push read: the dialer's ``name`` of the event, the ``variables`` the bridge
    keeps of it (stored, and its digest tells a re-delivery), and what it says."""

    name: str
    variables: dict[str, Any]
    change: CallUpdate | AgentEvent


@dataclass(frozen=True, slots=True)
class UrlPush:
    """The dialer pushes each event as a request body to its own Event Push URL.

    ``read`` translates a body; ``sources`` are the addresses or networks the dialer's
    settings allow pushes from (empty: any)."""

    read: Callable[[bytes], PushedEvent]
    sources: tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...] = ()


@dataclass(frozen=True, slots=True)
class WebhookPush:
    """The dialer posts webhook parameters to the bridge's one URL for its kind.

    ``read`` translates the parameters (the API key already taken out); ``parameters``
    are the ones to configure on the dialer (the admin page lists them); a request
    with more than ``max_parameters`` is refused before it is read."""

    read: Callable[[Mapping[str, str]], PushedEvent]
    parameters: tuple[str, ...]
    max_parameters: int


EventPush = UrlPush | WebhookPush
