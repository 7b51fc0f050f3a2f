"""In-memory state of the REST simulator."""

from dataclasses import dataclass, field
from typing import Any

from aiohttp import web


@dataclass(slots=True)
class OriginatedCall:
    uuid: str
    destination: str
    extension: str | None
    user_id: str | None
    device_id: str | None
    params: dict[str, str]


@dataclass(slots=True)
class RestState:
    """Extensions routed to users or devices, and the calls originated so far."""

    extensions: dict[str, dict[str, Any]] = field(default_factory=dict)
    calls: list[OriginatedCall] = field(default_factory=list)

    def route_extension(self, extension: str, *, user_id: int | None = None) -> None:
        self.extensions[extension] = {"user_id": user_id}


STATE = web.AppKey("rest_state", RestState)
