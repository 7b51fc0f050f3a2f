"""The server's TOML configuration, as a schema: listen address, storage, admin, tenants.

Each section is a pydantic model; each dialer's table is its kind's settings model
(`bridge.DialerSettings`, told apart by ``kind``, which defaults to the dialer's name).
Secrets (``api_key``, ``api_pass``, ``auth_code``, the admin password) are written
inline or taken from the environment with ``{ env = "NAME" }``.

Every mistake is found at load, not at the first request: an unknown key, a value of
the wrong type, a region code phonenumbers does not know, a URL that is not http(s), a
``click_to_call_dialer`` or ``recordings_dialer`` that names no dialer or one whose kind
cannot do the job. `ConfigError.problems` lists them all, each with its path
(``tenants.acme.dialers.rest.timeout: expected a number, got text``).
"""

import re
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Literal, get_args
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import phonenumbers
from pydantic import (
    AfterValidator,
    BeforeValidator,
    Field,
    PrivateAttr,
    StringConstraints,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_core import ErrorDetails, PydanticCustomError

from bridge import (
    DIALER_KINDS,
    DialerSettings,
    HttpUrl,
    Networks,
    Settings,
    Text,
    kind_offers,
    secret_text,
)
from server.config_keys import did_you_mean, table_keys
from server.integrations.settings import IntegrationsSection, TenantIntegrations

Runtime = Literal["micropython", "pyodide"]
RUNTIMES: tuple[str, ...] = get_args(Runtime)


@dataclass(frozen=True, slots=True)
class ConfigProblem:
    """One mistake: where it is (a dotted path, or the file) and what is wrong."""

    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}" if self.path else self.message


class ConfigError(ValueError):
    """The configuration is wrong; ``problems`` says where and what to change."""

    def __init__(self, problems: str | Sequence[ConfigProblem]) -> None:
        self.problems = (
            (ConfigProblem("", problems),) if isinstance(problems, str) else tuple(problems)
        )
        super().__init__("\n".join(str(problem) for problem in self.problems))


def _origin_problem(value: str) -> str | None:
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.path not in ("", "/"):
        return f"{value!r} is not an origin like https://crm.example.com"
    if parts.query or parts.fragment or parts.username:
        return f"{value!r} must be scheme://host[:port] only"
    return None


def normalise_origin(where: str, value: Any) -> str:
    """``scheme://host[:port]`` exactly as browsers report ``event.origin``."""
    problem = _origin_problem(str(value))
    if problem:
        raise ConfigError([ConfigProblem(where, problem)])
    return f"{urlsplit(str(value)).scheme}://{urlsplit(str(value)).netloc.lower()}"


def _origin(value: str) -> str:
    problem = _origin_problem(value)
    if problem:
        raise PydanticCustomError("origin", "{problem}", {"problem": problem})
    parts = urlsplit(value)
    return f"{parts.scheme}://{parts.netloc.lower()}"


def _region(value: str) -> str:
    region = value.upper()
    if region not in phonenumbers.SUPPORTED_REGIONS:
        raise PydanticCustomError(
            "region", "{value} is not a region code like US or GB", {"value": repr(value)}
        )
    return region


Origin = Annotated[str, AfterValidator(_origin)]
Region = Annotated[str, AfterValidator(_region)]
Seconds = Annotated[int, Field(gt=0)]
PauseReason = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=40)]
DEFAULT_PAUSE_REASONS = ("Break", "Lunch", "Meeting", "Training", "Other")
QueueId = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64)]
QueueName = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=40)]


class QueueChoice(Settings):
    """One of a tenant's ``queues``: a dialer queue id and the name agents see."""

    id: QueueId
    name: QueueName


def _from_env(value: Any) -> Any:
    """``{ env = "NAME" }`` as that variable's value; anything else as it is."""
    return secret_text(value) if isinstance(value, dict) else value


class ServerSection(Settings):
    """``[server]``: where the bridge listens and keeps its data."""

    host: Text = "127.0.0.1"
    port: Annotated[int, Field(ge=0, le=65535)] = 8780
    public_url: HttpUrl | None = None  # the widget's origin as browsers see it
    # inline, or { env = "NAME" }: a PostgreSQL URL holds a password
    database: Annotated[Text, BeforeValidator(_from_env)] = "sqlite:///var/crm-bridge.sqlite3"
    session_idle_seconds: Seconds = 3600
    session_max_seconds: Seconds = 12 * 3600
    # Connections kept open to each dialer host: requests beyond wait for a free one,
    # each within its dialer's pool_timeout (which does not eat its timeout).
    dialer_connections_per_host: Annotated[int, Field(ge=1, le=1000)] = 50
    # On SIGTERM: streams closed with 1012 and jobs handed back at once, exit within this.
    shutdown_seconds: Seconds = 10
    # Load balancers / reverse proxies whose X-Forwarded-For or Forwarded header is believed.
    trusted_proxies: Networks = ()
    # "host:port" serving /metrics without credentials (keep it private); else admin auth.
    metrics_listen: Text | None = None
    # Live streams waiting for their hello (docs/security.md): per client address beyond
    # this are refused (429); in all, the oldest one is closed to make room.
    stream_waiting_per_address: Annotated[int, Field(ge=1)] = 50
    stream_waiting_max: Annotated[int, Field(ge=1)] = 1000


class JobsSection(Settings):
    """``[jobs]``: durable bulk work (lead exports, user sync, CSV imports; `server.jobs`)."""

    sync_max_leads: Annotated[int, Field(ge=0)] = 1000  # larger exports answer 202 at once
    sync_max_agents: Annotated[int, Field(ge=0)] = 20  # larger user syncs answer 202 at once
    workers: Annotated[int, Field(ge=1, le=64)] = 4  # jobs one bridge instance runs at once
    lease_seconds: Annotated[float, Field(ge=1)] = 30  # a stopped instance's jobs resume after
    poll_seconds: Annotated[float, Field(gt=0)] = 1.0  # how often idle instances look for jobs
    max_pause_seconds: Annotated[float, Field(gt=0)] = 30  # longest wait for a dialer that is down
    keep_days: Annotated[float, Field(gt=0)] = 30  # finished jobs are deleted after this


class EventsSection(Settings):
    """``[events]``: what the dialers' event receivers take and keep (docs/security.md)."""

    max_per_second: Annotated[float, Field(gt=0)] = 100  # per tenant, on average
    burst: Annotated[int, Field(ge=1)] = 1000  # events a tenant may send at once
    keep_days: Annotated[float, Field(gt=0)] = 30  # received events are deleted after this


class AdminConfig(Settings):
    """``[admin]``: who may open the admin pages and API (HTTP Basic)."""

    username: Text
    password: Annotated[str, BeforeValidator(secret_text)] = Field(repr=False)


def _origin_list(value: Any) -> Any:
    if isinstance(value, list | tuple) and not value:
        raise PydanticCustomError("no_origins", "list the CRM origins that may embed the widget")
    return tuple(value) if isinstance(value, list) else value


def _as_tuple(value: Any) -> Any:
    """TOML arrays are lists; the (strict) model keeps them as tuples."""
    return tuple(value) if isinstance(value, list) else value


def _dialer_tables(value: Any) -> Any:
    """Each dialer table with its ``kind``, which defaults to the dialer's name."""
    if not isinstance(value, dict):
        return value
    return {
        name: {"kind": name, **table} if isinstance(table, dict) else table
        for name, table in value.items()
    }


class TenantConfig(Settings):
    """``[tenants.<id>]``: a CRM, the origins that may embed the widget, its dialers."""

    _id: str = PrivateAttr(default="")
    name: Text
    allowed_origins: Annotated[tuple[Origin, ...], BeforeValidator(_origin_list)]
    runtime: Runtime = "micropython"
    default_region: Region = "US"
    dialers: Annotated[dict[str, DialerSettings], BeforeValidator(_dialer_tables)] = Field(
        default_factory=dict
    )
    click_to_call_dialer: str = Field(default="", validate_default=True)
    recordings_dialer: str = Field(default="", validate_default=True)
    # The agent's pause reasons, in order: the REST dialer's pause id is the position (1, 2, ...).
    pause_reasons: Annotated[
        tuple[PauseReason, ...], BeforeValidator(_as_tuple), Field(min_length=1)
    ] = DEFAULT_PAUSE_REASONS
    # The queues the widget's queue picker offers (``set_queues``); none: no picker.
    queues: Annotated[tuple[QueueChoice, ...], BeforeValidator(_as_tuple)] = ()
    # How long the bridge holds an agent's wrap-up after an answered call; 0: no wrap-up.
    wrapup_seconds: Annotated[int, Field(ge=0, le=86400)] = 120
    # The Integration Centre's PBX host name and declared groups and webhooks.
    integrations: TenantIntegrations = TenantIntegrations()
    # The widget offers its own sign-in form, for CRMs that cannot post ``login``.
    widget_sign_in: bool = False
    # Reports cut days and intervals in this IANA time zone; service level: answered within.
    time_zone: str = "UTC"
    service_level_seconds: Annotated[int, Field(ge=1, le=3600)] = 20

    @property
    def id(self) -> str:
        """The tenant's key in ``[tenants.<id>]``."""
        return self._id

    @field_validator("click_to_call_dialer")
    @classmethod
    def _originates(cls, value: str, info: ValidationInfo) -> str:
        return _dialer_for(value, info, "originate", "cannot originate calls")

    @field_validator("recordings_dialer")
    @classmethod
    def _has_recordings(cls, value: str, info: ValidationInfo) -> str:
        return _dialer_for(value, info, "download_recording", "cannot download recordings")

    @field_validator("time_zone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise PydanticCustomError(
                "unknown_time_zone",
                "{value} is not an IANA time zone like Europe/Berlin or UTC",
                {"value": repr(value)},
            ) from None
        return value

    @property
    def zone(self) -> ZoneInfo:
        """The tenant's `time_zone`."""
        return ZoneInfo(self.time_zone)

    @field_validator("integrations")
    @classmethod
    def _declared_names(cls, value: TenantIntegrations) -> TenantIntegrations:
        groups = [group.name for group in value.groups]
        for kind, names in (("group", groups), ("webhook", [w.name for w in value.webhooks])):
            twice = sorted({name for name in names if names.count(name) > 1})
            if twice:
                raise PydanticCustomError(
                    "duplicate", "{kind} {names} declared twice", {"kind": kind, "names": twice}
                )
        for webhook in value.webhooks:
            if webhook.group is not None and webhook.group not in groups:
                raise PydanticCustomError(
                    "no_group",
                    "webhook {webhook} names group {group}, which is not declared here",
                    {"webhook": repr(webhook.name), "group": repr(webhook.group)},
                )
        return value


def _dialer_for(name: str, info: ValidationInfo, operation: str, lacking: str) -> str:
    """``name`` if it names a dialer that can do ``operation``; unnamed, the first that can."""
    dialers = info.data.get("dialers")
    if dialers is None:  # the dialers are wrong themselves, and reported
        return name
    able = [key for key, settings in dialers.items() if kind_offers(settings.kind, operation)]
    if not name:
        return able[0] if able else ""
    if name not in dialers:
        raise PydanticCustomError("no_dialer", "no dialer named {name}", {"name": repr(name)})
    if name not in able:
        kinds = [kind for kind in DIALER_KINDS if kind_offers(kind, operation)]
        raise PydanticCustomError(
            "incapable_dialer",
            "dialer {name} is of kind {kind}, which {lacking}: name a dialer of kind {able}",
            {"name": repr(name), "kind": dialers[name].kind, "lacking": lacking, "able": kinds[0]},
        )
    return name


def _tenant_tables(value: Any) -> Any:
    """Each tenant's table with its ``name``, which defaults to the tenant's id."""
    if not isinstance(value, dict):
        return value
    return {
        key: {"name": key, **table} if isinstance(table, dict) else table
        for key, table in value.items()
    }


class ServerConfig(Settings):
    """The whole file: ``[server]``, ``[jobs]``, ``[integrations]``, ``[events]``,
    ``[admin]`` (optional), ``[tenants.<id>]``."""

    server: ServerSection = ServerSection()
    jobs: JobsSection = JobsSection()
    integrations: IntegrationsSection = IntegrationsSection()
    events: EventsSection = EventsSection()
    admin: AdminConfig | None = None
    tenants: Annotated[dict[str, TenantConfig], BeforeValidator(_tenant_tables)] = Field(
        default={}, validate_default=True
    )

    @field_validator("tenants")
    @classmethod
    def _some_tenants(cls, value: dict[str, TenantConfig]) -> dict[str, TenantConfig]:
        if not value:
            raise PydanticCustomError(
                "no_tenants", "no [tenants.<id>] table: configure at least one tenant"
            )
        return value

    @model_validator(mode="after")
    def _name_tenants(self) -> "ServerConfig":
        for tenant_id, tenant in self.tenants.items():
            tenant._id = tenant_id
        return self

    @property
    def host(self) -> str:
        return self.server.host

    @property
    def port(self) -> int:
        return self.server.port

    @property
    def public_url(self) -> str:
        return self.server.public_url or ""

    @property
    def database(self) -> str:
        return self.server.database

    @property
    def session_idle_seconds(self) -> int:
        return self.server.session_idle_seconds

    @property
    def session_max_seconds(self) -> int:
        return self.server.session_max_seconds

    @property
    def origin(self) -> str:
        """The widget's origin as browsers see it."""
        return (self.public_url or f"http://{self.host}:{self.port}").rstrip("/")


def load_config(path: str | Path) -> ServerConfig:
    try:
        raw = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as error:
        raise ConfigError(
            [ConfigProblem(str(path), f"cannot read it ({error.strerror})")]
        ) from None
    except tomllib.TOMLDecodeError as error:
        raise ConfigError([ConfigProblem(str(path), f"not valid TOML ({error})")]) from None
    return parse_config(raw)


def parse_config(raw: dict[str, Any]) -> ServerConfig:
    """The configuration in ``raw`` (TOML read into dicts), or every problem it has."""
    try:
        return ServerConfig.model_validate(raw)
    except ValidationError as error:
        raise ConfigError([_problem(detail) for detail in error.errors()]) from None


_EXPECTED = {
    "int_type": "a whole number",
    "int_parsing": "a whole number",
    "int_from_float": "a whole number",
    "float_type": "a number",
    "float_parsing": "a number",
    "string_type": "text",
    "bool_type": "true or false",
    "list_type": "an array",
    "tuple_type": "an array",
    "dict_type": "a table",
    "model_type": "a table",
    "model_attributes_type": "a table",
}
_TOML_TYPES = {str: "text", bool: "a boolean", int: "an integer", float: "a float"}
_TOML_TYPES |= {dict: "a table", list: "an array", tuple: "an array"}


def _problem(detail: ErrorDetails) -> ConfigProblem:
    """A pydantic error as a problem: its location as a path, its message in plain words.

    No message repeats the value of a field it cannot vouch for (a secret could be
    written in the wrong place), except where the value is one of a known set."""
    path = _path(detail["loc"])
    kind, given = detail["type"], detail.get("input")
    if kind in _EXPECTED:
        got = _TOML_TYPES.get(type(given), type(given).__name__)
        return ConfigProblem(path, f"expected {_EXPECTED[kind]}, got {got}")
    if kind == "extra_forbidden":
        loc = detail["loc"]
        keys = table_keys(ServerConfig, loc[:-1])
        return ConfigProblem(path, "unknown key" + did_you_mean(str(loc[-1]), keys))
    if kind == "missing":
        return ConfigProblem(path, "required, but not given")
    if kind == "union_tag_invalid":
        return ConfigProblem(
            f"{path}.kind", f"{given.get('kind')!r} is not one of {', '.join(DIALER_KINDS)}"
        )
    if kind == "literal_error":
        return ConfigProblem(path, f"must be {detail['ctx']['expected']}, not {given!r}")
    return ConfigProblem(path, re.sub(r"^\w+ should", "should", detail["msg"]))


def _path(loc: tuple[int | str, ...]) -> str:
    """``("tenants", "acme", "allowed_origins", 0)`` → ``tenants.acme.allowed_origins[0]``.

    The kind pydantic adds after a dialer's name (its union member) is left out."""
    parts: list[str] = []
    for index, item in enumerate(loc):
        if isinstance(item, int):
            parts[-1] += f"[{item}]"
        elif index >= 2 and loc[index - 2] == "dialers" and item in DIALER_KINDS:
            continue
        else:
            parts.append(item)
    return ".".join(parts)
