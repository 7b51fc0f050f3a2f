"""The Integration Centre's objects as the code passes them around."""

from dataclasses import dataclass, field
from typing import Literal, get_args

AuthType = Literal["none", "api_key", "credentials"]
AuthLevel = Literal["global", "user"]
KeyPlacement = Literal["header", "parameter"]
WebhookType = Literal["browser_window", "ajax_get", "ajax_post"]
ContentType = Literal["form", "json"]
ResponseType = Literal["object", "records", "ignore"]
Trigger = Literal["call_ringing", "call_answered", "call_ended", "wrapup", "manual"]
CallDirection = Literal["inbound", "outbound", "internal"]
DeliveryState = Literal["pending", "sending", "delivered", "failed"]

TRIGGERS: tuple[str, ...] = get_args(Trigger)
AUTOMATIC_TRIGGERS = tuple(trigger for trigger in TRIGGERS if trigger != "manual")


@dataclass(frozen=True, slots=True)
class Credentials:
    """A group's or member's secret: an API key, or a user name and password."""

    api_key: str = field(default="", repr=False)
    username: str = ""
    password: str = field(default="", repr=False)

    def secrets(self) -> tuple[str, ...]:
        """The values that must never be shown (for redaction)."""
        return tuple(value for value in (self.api_key, self.password) if value)


@dataclass(frozen=True, slots=True)
class Group:
    id: int
    tenant: str
    name: str
    auth_type: AuthType
    level: AuthLevel
    key_name: str  # the header or parameter that carries the API key
    key_placement: KeyPlacement
    declared: bool  # from the TOML configuration: read-only
    has_secret: bool


@dataclass(frozen=True, slots=True)
class Parameter:
    name: str
    value: str  # may contain {VARIABLES}


@dataclass(frozen=True, slots=True)
class Webhook:
    id: int
    tenant: str
    name: str
    url: str
    parameters: tuple[Parameter, ...]
    test_values: dict[str, str]  # variable name → the value a test sends
    type: WebhookType
    content_type: ContentType
    response_type: ResponseType
    columns: tuple[str, ...]  # shown to the agent, in order
    group_id: int | None
    trigger: Trigger
    directions: tuple[str, ...]  # empty: every direction
    queues: tuple[str, ...]  # empty: every queue (and calls without one)
    declared: bool
    column_labels: dict[str, str] = field(default_factory=dict)  # column → what agents read

    def matches(self, direction: str, queue: str | None) -> bool:
        """Whether a call of ``direction`` in ``queue`` runs this webhook."""
        if self.directions and direction not in self.directions:
            return False
        return not self.queues or (queue is not None and queue in self.queues)
