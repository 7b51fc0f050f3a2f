"""What every dialer's settings share; each dialer package adds its own fields.

Settings are pydantic models that refuse unknown keys and values of the wrong type. A
secret is written inline or as ``{ env = "NAME" }`` (read from the environment when the
settings are read) and held as a `pydantic.SecretStr`, which never shows in a repr.
"""

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


class DialerSettingsBase(Settings):
    """Where the dialer is and how long to wait for it."""

    base_url: HttpUrl
    timeout: Annotated[float, Field(gt=0)] = 10.0

    def secrets(self) -> tuple[str, ...]:
        """Every secret's value, for the transport to keep out of any text."""
        return tuple(
            value.get_secret_value()
            for value in self.__dict__.values()
            if isinstance(value, SecretStr)
        )
