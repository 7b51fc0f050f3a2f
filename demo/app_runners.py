"""Several aiohttp apps in one process, each on its own ports (demo, simulators)."""

from aiohttp import web

from server.access_log import access_logging


async def serve(
    apps: list[tuple[web.Application, str, list[int]]], *, access_log: bool = False
) -> list[web.AppRunner]:
    """Start each ``(app, host, ports)``, logging each request only with ``access_log``;
    the caller cleans the runners up. If one cannot start (a port in use), those started
    are cleaned up before the error goes on."""
    runners: list[web.AppRunner] = []
    try:
        for app, host, ports in apps:
            runner = web.AppRunner(app, **access_logging(access_log))
            runners.append(runner)
            await runner.setup()
            for port in ports:
                await web.TCPSite(runner, host, port).start()
    except BaseException:
        for started in reversed(runners):
            await started.cleanup()
        raise
    return runners
