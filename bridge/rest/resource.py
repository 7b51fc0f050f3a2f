"""What every family of REST endpoints shares: audited operations and typed ``data``.

An operation is audited once, under the name of the outermost call: when a generic
adapter operation (``delete_user``) uses resource methods (``users.query``,
``users.delete``), the audit log gets one ``delete_user`` entry, not three.
"""

import json
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from contextvars import ContextVar
from typing import Any, TypeVar

from bridge.errors import DialerBadResponse
from bridge.rest.client import RestClient
from bridge.rest.records import ShapeError, array
from bridge.transport import DialerTransport

T = TypeVar("T")

_open_operation: ContextVar[bool] = ContextVar("rest_operation_open", default=False)


@contextmanager
def operation(transport: DialerTransport, action: str) -> Iterator[None]:
    """``transport.operation(action)``, unless an operation is already open in this task."""
    if _open_operation.get():
        yield
        return
    token = _open_operation.set(True)
    try:
        with transport.operation(action):
            yield
    finally:
        _open_operation.reset(token)


def each(read: Callable[[Any], T]) -> Callable[[Any], list[T]]:
    """A reader of an array whose items ``read`` reads."""

    def read_all(value: Any) -> list[T]:
        return [read(item) for item in array(value, "data")]

    return read_all


class Resource:
    """One family of endpoints (phone lists, users, ...) over a shared `RestClient`."""

    def __init__(self, client: RestClient) -> None:
        self._client = client

    @property
    def dialer(self) -> str:
        return self._client.dialer

    def _operation(self, action: str) -> AbstractContextManager[None]:
        return operation(self._client.transport, action)

    def _data(self, envelope: dict[str, Any], read: Callable[[Any], T]) -> T:
        """``envelope["data"]`` read by ``read``; a wrong shape is `DialerBadResponse`."""
        data = envelope.get("data")
        try:
            return read(data)
        except ShapeError as error:
            redact = self._client.transport.redact
            raise DialerBadResponse(
                f"{self.dialer} answered with data in an unexpected shape: {redact(str(error))}",
                dialer=self.dialer,
                dialer_text=redact(json.dumps(data, default=str)[:200]),
            ) from None
