"""What every dialer's settings share; each dialer package adds its own fields.

Settings are pydantic models that refuse unknown keys and values of the wrong type. A
secret is written inline or as ``{ env = "NAME" }`` (read from the environment when the
settings are read) and held as a `pydantic.SecretStr`, which never shows in a repr.
"""

import ipaddress
import os
from typing import Annotated, Any
from urllib.parse import urlsplit

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    SecretStr,
)
from pydantic_core import PydanticCustomError

from bridge.redaction import Redactor
from bridge.transport import Budgets


def secret_text(value: Any) -> str:
    """A secret given inline, or read from the environment variable ``{ env = "NAME" }``."""
    if isinstance(value, dict) and set(value) == {"env"} and isinstance(value["env"], str):
        resolved = os.environ.get(value["env"], "")
        if not resolved:
            raise PydanticCustomError(
                "secret_env_unset", "environment variable {name} is not set", {"name": value["env"]}
            )
        return resolved
    if isinstance(value, str) and value:
        return value
    raise PydanticCustomError("secret", 'give the secret as text or as { env = "VARIABLE" }')


def _http_url(value: str) -> str:
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise PydanticCustomError(
            "http_url", "{value} is not an http(s) URL with a host", {"value": repr(value)}
        )
    return value


def _absolute_path(value: str) -> str:
    if not value.startswith("/"):
        raise PydanticCustomError("path", "a path starts with '/'", {})
    return value


Secret = Annotated[SecretStr, BeforeValidator(secret_text)]
HttpUrl = Annotated[str, AfterValidator(_http_url)]
UrlPath = Annotated[str, AfterValidator(_absolute_path)]
Text = Annotated[str, Field(min_length=1)]


class Settings(BaseModel):
    """Strict, frozen, and closed: a key not declared is an error."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)


Seconds = Annotated[float, Field(gt=0)]


class DialerSettingsBase(Settings):
    """Where the dialer is and how long to wait for it (`bridge.transport.Budgets`):
    ``timeout`` for its answer once a request is sent; ``pool_timeout`` to get a
    connection before sending (waiting for a free one when all are busy, and opening
    it), of which ``connect_timeout`` at most to open it.

    ``kind`` names the dialer's kind; each kind's model fixes it to its own."""

    kind: str
    base_url: HttpUrl
    timeout: Seconds = 10.0
    connect_timeout: Seconds = 5.0
    pool_timeout: Seconds = 10.0

    def secrets(self) -> tuple[str, ...]:
        """Every secret's value, for the transport to keep out of any text."""
        return tuple(
            value.get_secret_value()
            for value in self.__dict__.values()
            if isinstance(value, SecretStr)
        )

    def budgets(self) -> Budgets:
        return Budgets(answer=self.timeout, connect=self.connect_timeout, pool=self.pool_timeout)

    def redactor(self) -> Redactor:
        """What keeps this dialer's secrets out of every text (kinds add their echoes)."""
        return Redactor(self.secrets())


def _networks(value: Any) -> Any:
    """``["203.0.113.7", "10.0.0.0/8"]`` as networks (an address is a network of one)."""
    if not isinstance(value, list | tuple):
        return value
    try:
        return tuple(ipaddress.ip_network(item, strict=False) for item in value)
    except (TypeError, ValueError):
        raise PydanticCustomError(
            "network", "give addresses or networks like 203.0.113.7 or 10.0.0.0/8"
        ) from None


# Addresses or networks (``"203.0.113.7"``, ``"10.0.0.0/8"``), as a tuple of networks.
Networks = Annotated[
    tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...], BeforeValidator(_networks)
]
