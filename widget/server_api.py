"""The widget's calls to the bridge server (browser only: uses PyScript's fetch).

Every answer is JSON; failures come as ``{"error": {"code", "message"}}`` and are
raised as `ServerError`. The bearer token travels in the Authorization header; no
cookie is used (browsers block third-party cookies in iframes).
"""

import json

import protocol
from controller import ServerError
from pyscript import fetch


class ServerApi:
    def __init__(self, base_url: str, tenant: str) -> None:
        self.base_url = base_url
        self.tenant = tenant

    async def _send(self, method: str, path: str, body=None, token=None) -> dict:
        headers = {"Content-Type": "application/json"}
        if token is not None:
            headers["Authorization"] = "Bearer " + token
        try:
            response = await fetch(
                self.base_url + path,
                method=method,
                headers=headers,
                body=json.dumps(body) if body is not None else None,
            )
            answer = await response.json()
        except Exception:
            raise ServerError(
                protocol.SERVER_UNREACHABLE,
                "the bridge server cannot be reached; check the network and try again",
            ) from None
        if not response.ok:
            error = answer.get("error") or {}
            raise ServerError(
                error.get("code", "server_error"),
                error.get("message", "the bridge server answered HTTP " + str(response.status)),
            )
        return answer

    async def login(self, username: str, password: str, extension: str) -> dict:
        body = {"username": username, "password": password, "extension": extension}
        return await self._send("POST", "/api/v1/tenants/" + self.tenant + "/sessions", body)

    async def logout(self, token: str) -> None:
        await self._send("DELETE", "/api/v1/session", token=token)

    async def click_to_call(self, token: str, phone_code: str, phone_number: str) -> dict:
        body = {"phone_code": phone_code, "phone_number": phone_number}
        return await self._send("POST", "/api/v1/calls", body, token=token)
