"""An Elision adapter on a real socket to the Elision simulator, for the adapter tests."""

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any

import aiohttp
from aiohttp.test_utils import TestServer

from bridge.elision import ElisionAdapter, ElisionSettings
from bridge.retry import RetryPolicy
from bridge.transport import dialer_session
from simulators.elision import create_elision_simulator
from tests.dialers import FAST_READS, SimulatorRig, transport

API_PASS = "Api-Pass-7f3e9c-SECRET"
TEST_LIST = ("1101", "Test API list", "TESTCAMP")
CUSTOM = ("favorite_color",)  # the custom field of TEST_LIST
SETTINGS = (
    "api_user",
    "api_pass",
    "source",
    "flavour",
    "path",
    "custom_fields",
    "duplicate_check",
    "lead_concurrency",
)


def adapter_at(
    session: aiohttp.ClientSession,
    url: str,
    *,
    timeout: float = 5.0,
    secrets: bool = True,
    retry: RetryPolicy = FAST_READS,
    **options: Any,
) -> ElisionAdapter:
    """An adapter to ``url``: ``options`` are settings (api_user "api" unless given) or
    the adapter's own options; the transport redacts the secrets unless ``secrets`` is false."""
    given = {key: options.pop(key) for key in SETTINGS if key in options}
    settings = ElisionSettings(
        base_url=url, timeout=timeout, **{"api_user": "api", "api_pass": API_PASS, **given}
    )
    told = settings.secrets() if secrets else ()
    return ElisionAdapter(
        transport(session, url, dialer="elision", timeout=timeout, secrets=told),
        settings,
        retry=retry,
        **options,
    )


class Rig(SimulatorRig[ElisionAdapter]):
    async def sent(self) -> list[list[tuple[str, str]]]:
        """The queries the simulator received at the API path, oldest first, in order."""
        rows = await self.sim("GET", "/_sim/requests", params={"path": self.adapter.path})
        return [list(row["query"].items()) for row in rows]

    async def answer_once(self, body: str, *, times: int = 1, **spec: Any) -> None:
        """The next ``times`` calls get ``body`` as the answer (HTTP 200)."""
        await self.fault(kind="body", body=body, content_type="text/html", times=times, **spec)

    async def fault(self, **spec: Any) -> None:
        await self.sim("POST", "/_sim/faults", json=spec)

    async def state(self) -> dict[str, Any]:
        return await self.sim("GET", "/_sim/state")


MakeRig = Callable[..., Awaitable[Rig]]


@asynccontextmanager
async def rigs(aiohttp_server: Any) -> AsyncIterator[MakeRig]:
    """Makes rigs: a simulator (``lists``, ``clock``, the API user's password and level)
    and an adapter to it (settings and adapter options: ``breakers`` to share them)."""
    sessions: list[aiohttp.ClientSession] = []

    async def make(
        *,
        flavour: str = "elision",
        api_pass: str = API_PASS,
        dialer_pass: str | None = None,
        level: int = 9,
        source: str = "crmbridge",
        timeout_seconds: float = 5.0,
        secrets: bool = True,
        lists: list[tuple[str, str, str]] | None = None,
        clock: Callable[[], float] | None = None,
        server: TestServer | None = None,
        **adapter_options: Any,
    ) -> Rig:
        if server is None:
            app = create_elision_simulator(
                api_users={"api": (dialer_pass or api_pass, level)},
                flavour=flavour,
                lists=[TEST_LIST] if lists is None else lists,
                list_fields={TEST_LIST[0]: CUSTOM},
                **({"clock": clock} if clock else {}),
            )
            server = await aiohttp_server(app)
        session = dialer_session()
        sessions.append(session)
        adapter = adapter_at(
            session,
            str(server.make_url("")),
            timeout=timeout_seconds,
            secrets=secrets,
            api_pass=api_pass,
            source=source,
            flavour=flavour,
            **{"custom_fields": CUSTOM, **adapter_options},
        )
        return Rig(adapter, [], server, session)

    try:
        yield make
    finally:
        for session in sessions:
            await session.close()
