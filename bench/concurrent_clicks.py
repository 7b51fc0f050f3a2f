"""Many agents clicking at once: 200 ``POST /api/v1/calls``, each from its own agent,
all started together, against the same 200 originates sent straight to the simulator
at once (the baseline).

The bridge (`crm-bridge serve`, SQLite) and the REST simulator run as processes of their
own (`bench.jobs.running`); the agents and their sessions are seeded into the bridge's
database while it runs. Each latency runs from the request's start to its answer.
"""

import asyncio
import time

import aiohttp

from bench import jobs
from bench.seeding import seed_agents
from bench.simulators_process import REST_API_KEY


async def _timed(request: "aiohttp.client._RequestContextManager") -> float:
    started = time.perf_counter()
    async with request as response:
        assert response.status == 200, await response.text()
        await response.read()
    return (time.perf_counter() - started) * 1000


async def measure(clicks: int) -> dict[str, list[float]]:
    async with jobs.running() as processes:
        tokens = await seed_agents(processes.database, clicks)
        connector = aiohttp.TCPConnector(limit=0)
        async with aiohttp.ClientSession(connector=connector) as http:

            def direct(i: int) -> "aiohttp.client._RequestContextManager":
                return http.get(
                    f"{processes.rest}/api/cc_agent/originate",
                    params={
                        "destination": f"1202555{i:04d}",
                        "extension": str(1001 + i),
                        "api_key": REST_API_KEY,
                    },
                )

            def bridged(i: int) -> "aiohttp.client._RequestContextManager":
                return http.post(
                    f"{processes.bridge}/api/v1/calls",
                    json={"phone_code": "1", "phone_number": f"202555{i:04d}"},
                    headers={"Authorization": f"Bearer {tokens[i]}"},
                )

            # Warm-up: connections open, statements cached, on both sides.
            await asyncio.gather(*(_timed(direct(i)) for i in range(min(clicks, 20))))
            await asyncio.gather(*(_timed(bridged(i)) for i in range(min(clicks, 20))))
            baseline = await asyncio.gather(*(_timed(direct(i)) for i in range(clicks)))
            through = await asyncio.gather(*(_timed(bridged(i)) for i in range(clicks)))
    return {"direct": list(baseline), "bridged": list(through)}
