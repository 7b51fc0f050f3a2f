"""Several aiohttp apps in one process, each on its own ports (demo, simulators)."""

from aiohttp import web

from server.access_log import access_logging


async def serve(
    apps: list[tuple[web.Application, str, list[int]]], *, access_log: bool = False
) -> list[web.AppRunner]:
    """Start each ``(app, host, ports)``, logging each request only with ``access_log``;
    the caller cleans the runners up."""
    runners = []
    for app, host, ports in apps:
        runner = web.AppRunner(app, **access_logging(access_log))
        await runner.setup()
        for port in ports:
            await web.TCPSite(runner, host, port).start()
        runners.append(runner)
    return runners
