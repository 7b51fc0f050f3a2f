"""Bridge overhead: originate through the bridge's API vs straight to the simulator.

Both from one aiohttp client, sequential, alternating, against the same running demo:
the difference is what the bridge adds (session check, number normalisation, signing,
audit, one more HTTP hop). The bridge's ``Server-Timing`` header splits its time into
steps (`server.routes.calls`): ``auth`` (session and agent), ``body``, ``number``
(normalisation), ``dialer`` (the originate, the audit entry queued), ``remember`` (the
click queued for the next shared transaction).
"""

import time
from collections import defaultdict

import aiohttp

from bench.demo_process import Demo


def steps_of(server_timing: str) -> dict[str, float]:
    """``{"auth": 0.41, ...}`` from ``auth;dur=0.410, body;dur=0.031, ...``."""
    steps = {}
    for part in server_timing.split(","):
        name, _, duration = part.strip().partition(";dur=")
        steps[name] = float(duration)
    return steps


async def measure(demo: Demo, calls: int) -> dict[str, list[float]]:
    """``direct`` and ``bridged`` round trips in ms, and each bridge step's ms."""
    async with aiohttp.ClientSession() as http:
        login = await http.post(
            f"{demo.bridge}/api/v1/tenants/demo/sessions",
            json={"username": "agent1", "password": "Agent1-demo-pass", "extension": "1001"},
        )
        token = (await login.json())["token"]
        headers = {"Authorization": f"Bearer {token}"}
        result: dict[str, list[float]] = defaultdict(list)
        for i in range(calls):
            number = f"2025558{i % 1000:03d}"
            started = time.perf_counter()
            async with http.get(
                f"{demo.simulator}/api/cc_agent/originate",
                params={
                    "destination": f"1{number}",
                    "extension": "1001",
                    "api_key": demo.rest_api_key,
                },
            ) as response:
                assert response.status == 200, await response.text()
                await response.read()
            result["direct"].append((time.perf_counter() - started) * 1000)
            started = time.perf_counter()
            async with http.post(
                f"{demo.bridge}/api/v1/calls",
                json={"phone_code": "1", "phone_number": number},
                headers=headers,
            ) as response:
                assert response.status == 200, await response.text()
                await response.read()
            elapsed = (time.perf_counter() - started) * 1000
            result["bridged"].append(elapsed)
            steps = steps_of(response.headers["Server-Timing"])
            for name, ms in steps.items():
                result[f"step {name}"].append(ms)
            result["outside the handler"].append(elapsed - sum(steps.values()))
    return dict(result)
