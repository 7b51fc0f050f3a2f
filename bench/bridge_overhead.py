"""Bridge overhead: originate through the bridge's API vs straight to the simulator.

Both from one aiohttp client, sequential, against the same running demo: the
difference is what the bridge adds (session check, number normalisation, signing,
audit, one more HTTP hop).
"""

import time

import aiohttp

from bench.demo_process import Demo


async def measure(demo: Demo, calls: int) -> dict[str, list[float]]:
    async with aiohttp.ClientSession() as http:
        login = await http.post(
            f"{demo.bridge}/api/v1/tenants/demo/sessions",
            json={"username": "agent1", "password": "Agent1-demo-pass", "extension": "1001"},
        )
        token = (await login.json())["token"]
        headers = {"Authorization": f"Bearer {token}"}
        direct, bridged = [], []
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
            direct.append((time.perf_counter() - started) * 1000)
            started = time.perf_counter()
            async with http.post(
                f"{demo.bridge}/api/v1/calls",
                json={"phone_code": "1", "phone_number": number},
                headers=headers,
            ) as response:
                assert response.status == 200, await response.text()
                await response.read()
            bridged.append((time.perf_counter() - started) * 1000)
    return {"direct": direct, "bridged": bridged}
