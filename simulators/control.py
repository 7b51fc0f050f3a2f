"""What every simulator shares: a log of the requests it received and injected faults.

Tests and benchmarks use the ``/_sim`` endpoints over HTTP:

- ``GET /_sim/requests?path=/api/...`` lists what arrived (newest last);
  ``DELETE /_sim/requests`` forgets it (and the peak below).
- ``GET /_sim/concurrency`` gives ``{"in_flight", "peak"}``: requests being answered
  now, and the most at once so far.
- ``POST /_sim/faults`` with ``{"kind": ..., "path": ..., "match": {...}, "times": n}``
  adds a fault; ``DELETE /_sim/faults`` clears them. Kinds: ``latency`` (``ms``),
  ``status`` (``status``, ``body``), ``body`` (``body``, ``content_type``: a malformed
  answer with status 200), ``drop`` (close the connection), ``timeout`` (never answer).
  ``match`` selects requests whose query or form fields equal the given values,
  ``body_contains`` those whose raw body holds a text, and ``query_contains`` those
  whose decoded query values hold one, so parallel tests do not collide.
"""

import asyncio
import time
from dataclasses import asdict, dataclass, field
from typing import Any

from aiohttp import web

FAULT_KINDS = ("latency", "status", "body", "drop", "timeout")


@dataclass(slots=True)
class RecordedRequest:
    at: float
    method: str
    path: str
    query: dict[str, str]
    body: str


@dataclass(slots=True)
class Fault:
    kind: str
    path: str = ""
    match: dict[str, str] = field(default_factory=dict)
    body_contains: str = ""
    query_contains: str = ""
    times: int | None = None
    ms: float = 0.0
    status: int = 500
    body: str = ""
    content_type: str = "text/plain"

    def applies_to(self, request: web.Request, fields: dict[str, str], raw: str) -> bool:
        if self.times is not None and self.times <= 0:
            return False
        if self.path and not request.path.startswith(self.path):
            return False
        if self.body_contains and self.body_contains not in raw:
            return False
        if self.query_contains and not any(
            self.query_contains in value for value in request.query.values()
        ):
            return False
        return all(fields.get(key) == str(value) for key, value in self.match.items())


class SimulatorControl:
    """Request log and fault plan of one simulator app."""

    def __init__(self, *, keep_requests: int = 10_000) -> None:
        self.requests: list[RecordedRequest] = []
        self.faults: list[Fault] = []
        self.in_flight = 0
        self.peak_in_flight = 0
        self._keep = keep_requests

    def add_fault(self, spec: dict[str, Any]) -> Fault:
        if spec.get("kind") not in FAULT_KINDS:
            raise ValueError(f"fault kind must be one of {', '.join(FAULT_KINDS)}")
        known = set(Fault.__dataclass_fields__)
        fault = Fault(**{key: value for key, value in spec.items() if key in known})
        self.faults.append(fault)
        return fault

    def _take_fault(self, request: web.Request, fields: dict[str, str], raw: str) -> Fault | None:
        for fault in self.faults:
            if fault.applies_to(request, fields, raw):
                if fault.times is not None:
                    fault.times -= 1
                return fault
        return None

    @web.middleware
    async def middleware(self, request: web.Request, handler: Any) -> web.StreamResponse:
        if request.path.startswith("/_sim/"):
            return await handler(request)
        raw = (await request.text()) if request.can_read_body else ""
        fields = dict(request.query)
        if request.content_type == "application/x-www-form-urlencoded":
            fields.update({k: str(v) for k, v in (await request.post()).items()})
        self.requests.append(
            RecordedRequest(time.time(), request.method, request.path, dict(request.query), raw)
        )
        del self.requests[: -self._keep]
        fault = self._take_fault(request, fields, raw)
        self.in_flight += 1
        self.peak_in_flight = max(self.peak_in_flight, self.in_flight)
        try:
            if fault is None:
                return await handler(request)
            return await self._apply(fault, request, handler)
        finally:
            self.in_flight -= 1

    async def _apply(self, fault: Fault, request: web.Request, handler: Any) -> web.StreamResponse:
        if fault.kind == "latency":
            await asyncio.sleep(fault.ms / 1000)
            return await handler(request)
        if fault.kind == "status":
            return web.Response(
                status=fault.status, text=fault.body, content_type=fault.content_type
            )
        if fault.kind == "body":
            return web.Response(text=fault.body, content_type=fault.content_type)
        if fault.kind == "timeout":
            await asyncio.sleep(3600)
        if request.transport is not None:
            request.transport.close()
        raise web.HTTPServiceUnavailable()

    def install(self, app: web.Application) -> None:
        """Add the middleware and the ``/_sim`` routes to ``app``."""
        app.middlewares.append(self.middleware)
        app.router.add_get("/_sim/requests", self._list_requests)
        app.router.add_delete("/_sim/requests", self._clear_requests)
        app.router.add_get("/_sim/concurrency", self._concurrency)
        app.router.add_post("/_sim/faults", self._add_fault)
        app.router.add_delete("/_sim/faults", self._clear_faults)

    async def _list_requests(self, request: web.Request) -> web.Response:
        prefix = request.query.get("path", "")
        rows = [asdict(r) for r in self.requests if r.path.startswith(prefix)]
        return web.json_response(rows)

    async def _clear_requests(self, request: web.Request) -> web.Response:
        self.requests.clear()
        self.peak_in_flight = self.in_flight
        return web.json_response({"cleared": True})

    async def _concurrency(self, request: web.Request) -> web.Response:
        return web.json_response({"in_flight": self.in_flight, "peak": self.peak_in_flight})

    async def _add_fault(self, request: web.Request) -> web.Response:
        try:
            fault = self.add_fault(await request.json())
        except (ValueError, TypeError) as error:
            return web.json_response({"error": str(error)}, status=400)
        return web.json_response(asdict(fault), status=201)

    async def _clear_faults(self, request: web.Request) -> web.Response:
        self.faults.clear()
        return web.json_response({"cleared": True})
