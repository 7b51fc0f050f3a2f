"""The server's TOML configuration: listen address, storage, tenants and their dialers.

Secrets (``api_key``, ``api_pass``, ``auth_code``) may be written inline or taken from
the environment with ``{ env = "NAME" }``. Every mistake is reported with the path of
the offending key, so the operator knows what to fix.
"""

import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

RUNTIMES = ("micropython", "pyodide")
DIALER_KINDS = ("rest", "elision", "euphoria")
SECRET_KEYS = frozenset({"api_key", "api_pass", "auth_code"})
REQUIRED_KEYS = {
    "rest": ("api_key",),
    "elision": ("api_user", "api_pass"),
    "euphoria": ("tenant_name", "auth_code"),
}


class ConfigError(ValueError):
    """The configuration is wrong; the message names the key and what to change."""


@dataclass(frozen=True, slots=True)
class DialerConfig:
    name: str
    kind: str
    base_url: str
    timeout_seconds: float = 10.0
    settings: dict[str, Any] = field(default_factory=dict)
    secrets: dict[str, str] = field(default_factory=dict, repr=False)


@dataclass(frozen=True, slots=True)
class TenantConfig:
    id: str
    name: str
    allowed_origins: tuple[str, ...]
    runtime: str = "micropython"
    default_region: str = "US"
    click_to_call_dialer: str = "rest"
    recordings_dialer: str = ""
    dialers: dict[str, DialerConfig] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class AdminConfig:
    """Who may open the admin pages and API (HTTP Basic)."""

    username: str
    password: str = field(repr=False)


@dataclass(frozen=True, slots=True)
class ServerConfig:
    host: str = "127.0.0.1"
    port: int = 8780
    public_url: str = ""
    database: str = "sqlite:///var/crm-bridge.sqlite3"
    session_idle_seconds: int = 3600
    session_max_seconds: int = 12 * 3600
    tenants: dict[str, TenantConfig] = field(default_factory=dict)
    admin: AdminConfig | None = None

    @property
    def origin(self) -> str:
        """The widget's origin as browsers see it."""
        return (self.public_url or f"http://{self.host}:{self.port}").rstrip("/")


def load_config(path: str | Path) -> ServerConfig:
    try:
        raw = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as error:
        raise ConfigError(f"cannot read configuration {path}: {error.strerror}") from None
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{path} is not valid TOML: {error}") from None
    return parse_config(raw)


def parse_config(raw: dict[str, Any]) -> ServerConfig:
    server = dict(raw.get("server", {}))
    known = set(ServerConfig.__dataclass_fields__) - {"tenants", "admin"}
    _reject_unknown("server", server, known)
    tenants = {
        tenant_id: _parse_tenant(tenant_id, body)
        for tenant_id, body in raw.get("tenants", {}).items()
    }
    if not tenants:
        raise ConfigError("no [tenants.<id>] table: configure at least one tenant")
    return ServerConfig(**server, tenants=tenants, admin=_parse_admin(raw.get("admin")))


def _parse_admin(raw: dict[str, Any] | None) -> AdminConfig | None:
    if raw is None:
        return None
    _reject_unknown("admin", raw, {"username", "password"})
    username = raw.get("username")
    if not isinstance(username, str) or not username:
        raise ConfigError("admin.username: give the admin's user name")
    return AdminConfig(username=username, password=_secret("admin.password", raw.get("password")))


def normalise_origin(where: str, value: Any) -> str:
    """``scheme://host[:port]`` exactly as browsers report ``event.origin``."""
    parts = urlsplit(str(value))
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.path not in ("", "/"):
        raise ConfigError(f"{where}: {value!r} is not an origin like https://crm.example.com")
    if parts.query or parts.fragment or parts.username:
        raise ConfigError(f"{where}: {value!r} must be scheme://host[:port] only")
    return f"{parts.scheme}://{parts.netloc.lower()}"


def _parse_tenant(tenant_id: str, body: dict[str, Any]) -> TenantConfig:
    where = f"tenants.{tenant_id}"
    known = set(TenantConfig.__dataclass_fields__) - {"id"}
    _reject_unknown(where, body, known)
    origins = body.get("allowed_origins")
    if not isinstance(origins, list) or not origins:
        raise ConfigError(
            f"{where}.allowed_origins: list the CRM origins that may embed the widget"
        )
    runtime = body.get("runtime", "micropython")
    if runtime not in RUNTIMES:
        raise ConfigError(f"{where}.runtime: {runtime!r} is not one of {', '.join(RUNTIMES)}")
    dialers = {
        name: _parse_dialer(f"{where}.dialers.{name}", name, spec)
        for name, spec in body.get("dialers", {}).items()
    }
    click_to_call = body.get("click_to_call_dialer", "rest")
    if dialers and click_to_call not in dialers:
        raise ConfigError(f"{where}.click_to_call_dialer: no dialer named {click_to_call!r}")
    recordings = body.get("recordings_dialer") or next(
        (name for name, d in dialers.items() if d.kind == "euphoria"), ""
    )
    if recordings and recordings not in dialers:
        raise ConfigError(f"{where}.recordings_dialer: no dialer named {recordings!r}")
    return TenantConfig(
        id=tenant_id,
        name=body.get("name", tenant_id),
        allowed_origins=tuple(
            normalise_origin(f"{where}.allowed_origins[{i}]", origin)
            for i, origin in enumerate(origins)
        ),
        runtime=runtime,
        default_region=body.get("default_region", "US"),
        click_to_call_dialer=click_to_call,
        recordings_dialer=recordings,
        dialers=dialers,
    )


def _parse_dialer(where: str, name: str, spec: dict[str, Any]) -> DialerConfig:
    kind = spec.get("kind", name)
    if kind not in DIALER_KINDS:
        raise ConfigError(f"{where}.kind: {kind!r} is not one of {', '.join(DIALER_KINDS)}")
    missing = [key for key in REQUIRED_KEYS[kind] if not spec.get(key)]
    if missing:
        raise ConfigError(f"{where}: a {kind} dialer needs {', '.join(missing)}")
    base_url = spec.get("base_url")
    if not isinstance(base_url, str) or urlsplit(base_url).scheme not in ("http", "https"):
        raise ConfigError(f"{where}.base_url: give the dialer's http(s) base URL")
    settings = {
        k: v for k, v in spec.items() if k not in SECRET_KEYS | {"kind", "base_url", "timeout"}
    }
    secrets = {k: _secret(f"{where}.{k}", v) for k, v in spec.items() if k in SECRET_KEYS}
    return DialerConfig(
        name=name,
        kind=kind,
        base_url=base_url,
        timeout_seconds=float(spec.get("timeout", 10.0)),
        settings=settings,
        secrets=secrets,
    )


def _secret(where: str, value: Any) -> str:
    if isinstance(value, str) and value:
        return value
    if isinstance(value, dict) and set(value) == {"env"}:
        resolved = os.environ.get(value["env"], "")
        if not resolved:
            raise ConfigError(f"{where}: environment variable {value['env']} is not set")
        return resolved
    raise ConfigError(f'{where}: give the secret as text or as {{ env = "VARIABLE" }}')


def _reject_unknown(where: str, table: dict[str, Any], known: set[str]) -> None:
    unknown = sorted(set(table) - known)
    if unknown:
        raise ConfigError(f"{where}: unknown key(s) {', '.join(unknown)}")
