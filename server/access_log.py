"""Access log lines without query strings (which can carry secrets)."""

from aiohttp import web
from aiohttp.abc import AbstractAccessLogger

from server.client_address import client_address


class PathOnlyAccessLogger(AbstractAccessLogger):
    def log(self, request: web.BaseRequest, response: web.StreamResponse, time: float) -> None:
        self.logger.info(
            "%s %s %s %d %.1fms",
            client_address(request) if isinstance(request, web.Request) else request.remote,
            request.method,
            request.path,
            response.status,
            time * 1000,
        )
