"""The Integration Centre's configuration and its objects' shapes.

``[integrations]`` holds the bridge-wide settings (`IntegrationsSection`): the keys that
encrypt stored secrets, what outbound requests may reach, timeouts, retries and how
long finished deliveries are kept.
``[tenants.<id>.integrations]`` (`TenantIntegrations`) holds a tenant's PBX host name and
the groups and webhooks declared there (read-only in the admin API). The admin API's
bodies are the same shapes (`GroupSpec`, `WebhookSpec`), except that only the
configuration may take a secret from the environment (``{ env = "NAME" }``).
"""

import ipaddress
from typing import Annotated, Any

from pydantic import BeforeValidator, Field, StringConstraints, field_validator, model_validator
from pydantic_core import PydanticCustomError

from bridge import Settings, secret_text
from server.integrations.model import (
    AuthLevel,
    AuthType,
    CallDirection,
    ContentType,
    KeyPlacement,
    ResponseType,
    Trigger,
    WebhookType,
)
from server.integrations.variables import VARIABLES, unknown_variables

Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
Secret = Annotated[str, StringConstraints(min_length=1, max_length=2000)]
ConfigSecret = Annotated[str, BeforeValidator(secret_text), StringConstraints(max_length=2000)]
Value = Annotated[str, StringConstraints(max_length=2000)]
HeaderName = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_.\-]{1,100}$")]
Column = Annotated[str, StringConstraints(min_length=1, max_length=200)]
Label = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=60)]
ColumnLabels = Annotated[dict[Column, Label], Field(max_length=50)]
QueueId = Annotated[str, StringConstraints(min_length=1, max_length=64)]


def _as_tuple(value: Any) -> Any:
    return tuple(value) if isinstance(value, list) else value


def _network(value: str) -> str:
    try:
        return str(ipaddress.ip_network(value, strict=False))
    except ValueError:
        raise PydanticCustomError(
            "cidr", "{value} is not an address or network like 10.0.0.0/8", {"value": repr(value)}
        ) from None


def _fernet_keys(value: Any) -> Any:
    if isinstance(value, list):
        return tuple(secret_text(item) for item in value)
    return value


class IntegrationsSection(Settings):
    """``[integrations]``: secrets' keys, outbound safety, timeouts, retries, retention."""

    # Fernet keys (``crm-bridge secret-key`` makes one); the first encrypts, all
    # decrypt, so a new key goes first and an old one stays until secrets are re-saved.
    # Without any, ``CRM_BRIDGE_SECRET_KEYS`` (comma-separated) is read.
    secret_keys: Annotated[tuple[str, ...], BeforeValidator(_fernet_keys)] = Field(
        default=(), repr=False
    )
    allow_http_hosts: Annotated[tuple[str, ...], BeforeValidator(_as_tuple)] = ()
    allow_addresses: Annotated[
        tuple[Annotated[str, BeforeValidator(_network)], ...], BeforeValidator(_as_tuple)
    ] = ()
    timeout_seconds: Annotated[float, Field(gt=0, le=120)] = 10
    max_attempts: Annotated[int, Field(ge=1, le=50)] = 6
    backoff_seconds: Annotated[float, Field(ge=0)] = 2  # the first wait; doubles each time
    backoff_max_seconds: Annotated[float, Field(ge=0)] = 600
    retry_after_max_seconds: Annotated[float, Field(ge=0)] = 3600  # longest Retry-After honoured
    poll_seconds: Annotated[float, Field(gt=0)] = 0.5  # how often the outbox is looked at
    per_tenant_concurrency: Annotated[int, Field(ge=1, le=100)] = 4
    concurrency: Annotated[int, Field(ge=1, le=1000)] = 32
    keep_days: Annotated[float, Field(gt=0)] = 30  # finished deliveries are deleted after this


class MemberSpec(Settings):
    """A user-level group's member: an agent (by user name) and their own secret."""

    agent: Name
    api_key: Secret | None = Field(default=None, repr=False)
    username: Value | None = None
    password: Secret | None = Field(default=None, repr=False)


class GroupSpec(Settings):
    """A group: how its webhooks authenticate (``none``, ``api_key``, ``credentials``),
    and whether one secret serves everyone (``global``) or each agent has theirs
    (``user``, in members)."""

    name: Name
    auth_type: AuthType = "none"
    level: AuthLevel = "global"
    key_name: HeaderName | None = None  # the header or parameter carrying the API key
    key_placement: KeyPlacement = "header"
    api_key: Secret | None = Field(default=None, repr=False)
    username: Value | None = None
    password: Secret | None = Field(default=None, repr=False)

    @model_validator(mode="after")
    def _consistent(self) -> "GroupSpec":
        if self.auth_type == "api_key" and not self.key_name:
            raise PydanticCustomError(
                "key_name", "an API key group needs key_name: the header or parameter to send"
            )
        if self.auth_type != "api_key" and self.api_key:
            raise PydanticCustomError("api_key", "api_key is only for auth_type api_key")
        if self.auth_type != "credentials" and (self.username or self.password):
            raise PydanticCustomError(
                "credentials", "username and password are only for auth_type credentials"
            )
        if self.level == "user" and (self.api_key or self.username or self.password):
            raise PydanticCustomError(
                "user_level", "a user-level group's secrets belong to its members, not the group"
            )
        return self


class DeclaredMember(MemberSpec):
    api_key: ConfigSecret | None = Field(default=None, repr=False)
    password: ConfigSecret | None = Field(default=None, repr=False)


class DeclaredGroup(GroupSpec):
    api_key: ConfigSecret | None = Field(default=None, repr=False)
    password: ConfigSecret | None = Field(default=None, repr=False)
    members: Annotated[tuple[DeclaredMember, ...], BeforeValidator(_as_tuple)] = ()


class ParameterSpec(Settings):
    name: Annotated[str, StringConstraints(min_length=1, max_length=200)]
    value: Value = ""


class WebhookSpec(Settings):
    """A webhook: where, what (parameters with ``{VARIABLES}``), how, and when."""

    name: Name
    url: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000)]
    parameters: Annotated[
        tuple[ParameterSpec, ...], BeforeValidator(_as_tuple), Field(max_length=100)
    ] = ()
    test_values: Annotated[dict[str, Value], Field(max_length=len(VARIABLES))] = Field(
        default_factory=dict
    )
    type: WebhookType = "ajax_get"
    content_type: ContentType = "form"
    response_type: ResponseType = "ignore"
    columns: Annotated[tuple[Column, ...], BeforeValidator(_as_tuple), Field(max_length=50)] = ()
    column_labels: ColumnLabels = Field(default_factory=dict)  # what the agent sees as heads
    group: Name | None = None
    trigger: Trigger = "manual"
    directions: Annotated[tuple[CallDirection, ...], BeforeValidator(_as_tuple)] = ()
    queues: Annotated[tuple[QueueId, ...], BeforeValidator(_as_tuple), Field(max_length=200)] = ()

    @field_validator("url")
    @classmethod
    def _web_url(cls, value: str) -> str:
        scheme = value.split(":", 1)[0].lower()
        if scheme not in ("http", "https") or "://" not in value:
            raise PydanticCustomError("url", "give an https:// URL")
        return value

    @field_validator("test_values")
    @classmethod
    def _known_test_values(cls, value: dict[str, str]) -> dict[str, str]:
        unknown = [name for name in value if name.strip("{}") not in VARIABLES]
        if unknown:
            raise PydanticCustomError(
                "unknown_variable",
                "test_values names unknown variables: {names}",
                {"names": ", ".join(unknown)},
            )
        return {name.strip("{}"): text for name, text in value.items()}

    @model_validator(mode="after")
    def _known_variables(self) -> "WebhookSpec":
        texts = [self.url, *(p.value for p in self.parameters), *(p.name for p in self.parameters)]
        unknown = unknown_variables(texts)
        if unknown:
            raise PydanticCustomError(
                "unknown_variable",
                "unknown variable {names}: use one of {known}",
                {"names": ", ".join(unknown), "known": ", ".join(f"{{{v}}}" for v in VARIABLES)},
            )
        if self.type == "browser_window" and self.response_type != "ignore":
            raise PydanticCustomError(
                "response_type",
                "a browser_window webhook opens in the agent's browser: its response_type is"
                " ignore",
            )
        return self


class TenantIntegrations(Settings):
    """``[tenants.<id>.integrations]``: the PBX host of ``{CALLERID}``, declared objects."""

    pbx_host: Annotated[str, StringConstraints(max_length=253)] = ""
    groups: Annotated[tuple[DeclaredGroup, ...], BeforeValidator(_as_tuple)] = ()
    webhooks: Annotated[tuple[WebhookSpec, ...], BeforeValidator(_as_tuple)] = ()
