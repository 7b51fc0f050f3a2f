"""Access log lines without query strings (which can carry secrets)."""

from typing import Any

from aiohttp import web
from aiohttp.abc import AbstractAccessLogger


class PathOnlyAccessLogger(AbstractAccessLogger):
    def log(self, request: web.BaseRequest, response: web.StreamResponse, time: float) -> None:
        self.logger.info(
            "%s %s %s %d %.1fms",
            request.remote,
            request.method,
            request.path,
            response.status,
            time * 1000,
        )


def access_logging(enabled: bool) -> dict[str, Any]:
    """The aiohttp runner's settings: a line per request with `PathOnlyAccessLogger`, or
    none at all (the default of ``serve`` and ``demo``, unless ``--access-log``)."""
    return {"access_log_class": PathOnlyAccessLogger} if enabled else {"access_log": None}
