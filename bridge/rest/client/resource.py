"""What every family of REST endpoints shares: one connection, and typed ``data``."""

import json
from collections.abc import Callable
from typing import Any, TypeVar

from bridge.errors import DialerBadResponse
from bridge.rest.client.records import ShapeError, array
from bridge.rest.connection import RestConnection

T = TypeVar("T")


def each(read: Callable[[Any], T]) -> Callable[[Any], list[T]]:
    """A reader of an array whose items ``read`` reads."""

    def read_all(value: Any) -> list[T]:
        return [read(item) for item in array(value, "data")]

    return read_all


class Resource:
    """One family of endpoints (phone lists, users, ...) over a shared `RestConnection`."""

    def __init__(self, connection: RestConnection) -> None:
        self._connection = connection

    @property
    def dialer(self) -> str:
        return self._connection.dialer

    def _data(self, envelope: dict[str, Any], read: Callable[[Any], T]) -> T:
        """``envelope["data"]`` read by ``read``; a wrong shape is `DialerBadResponse`."""
        data = envelope.get("data")
        try:
            return read(data)
        except ShapeError as error:
            connection = self._connection
            raise DialerBadResponse(
                f"{self.dialer} answered with data in an unexpected shape: "
                f"{connection.redact(str(error))}",
                dialer=self.dialer,
                dialer_text=connection.excerpt(json.dumps(data, default=str)),
            ) from None
