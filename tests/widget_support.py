"""The widget's Python (controller, server_api, session state) against the real bridge:
the browser's fetch replaced by one made of aiohttp with the same shape."""

import json

from aiohttp.test_utils import TestClient
from controller import Controller
from server_api import ServerApi
from session_state import SessionState

from tests.support import TENANT


class FetchAnswer:
    def __init__(self, status: int, body: bytes) -> None:
        self.status = status
        self.ok = 200 <= status < 300
        self._body = body

    async def json(self) -> object:
        return json.loads(self._body)


def fetch_through(client: TestClient):
    async def fetch(url: str, method: str, headers: dict, body: str | None = None) -> FetchAnswer:
        response = await client.request(method, url, headers=headers, data=body)
        return FetchAnswer(response.status, await response.read())

    return fetch


def widget(client: TestClient) -> Controller:
    return Controller(ServerApi("", TENANT, fetch_through(client)), SessionState())
