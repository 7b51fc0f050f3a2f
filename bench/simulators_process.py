"""The REST simulator and a VICIdial-flavoured Elision simulator in a process of their
own, for the jobs benchmark: ``python -m bench.simulators_process PORT`` (REST on PORT,
VICIdial on PORT+1)."""

import asyncio
import sys

from demo.app_runners import serve
from simulators.elision import create_elision_simulator
from simulators.rest import create_rest_simulator

REST_API_KEY = "bench-rest-key"
VICIDIAL_PASS = "bench-vicidial-pass"  # noqa: S105
EXTENSIONS = [str(1000 + i) for i in range(1, 1001)]  # those of `bench.seeding`'s agents


async def main(port: int) -> None:
    rest = create_rest_simulator(api_keys=[REST_API_KEY], extensions=EXTENSIONS)
    vicidial = create_elision_simulator(
        api_users={"api": (VICIDIAL_PASS, 9)},
        flavour="vicidial",
        lists=[("1101", "Bench list", "TESTCAMP")],
        phones=EXTENSIONS,  # `bench.user_sync`'s agents' phone logins
    )
    await serve([(rest, "127.0.0.1", [port]), (vicidial, "127.0.0.1", [port + 1])])
    await asyncio.Event().wait()


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1])))
