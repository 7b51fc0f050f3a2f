"""The widget's calls to the bridge server.

``fetch`` is PyScript's in the browser (``fetch(url, method=, headers=, body=)`` whose
answer has ``ok``, ``status``, ``await json()`` and ``await blob()``) and
``object_url`` is ``URL.createObjectURL``; tests pass stand-ins of the same shape.
Every answer is JSON; failures come as ``{"error": {"code", "message"}}`` and are
raised as `ServerError`. The bearer token travels in the Authorization header; no
cookie is used (browsers block third-party cookies in iframes).
"""

import json

import protocol
from controller import ServerError

SERVER_ERROR = "server_error"
AGENT_ROUTES = {
    protocol.CHECK_IN: ("POST", "/api/v1/agent/check-in"),
    protocol.CHECK_OUT: ("POST", "/api/v1/agent/check-out"),
    protocol.PAUSE: ("POST", "/api/v1/agent/pause"),
    protocol.RESUME: ("POST", "/api/v1/agent/resume"),
    protocol.SET_QUEUES: ("PUT", "/api/v1/agent/queues"),
}


class ServerApi:
    def __init__(self, base_url: str, tenant: str, fetch, object_url=None) -> None:
        self.base_url = base_url
        self.tenant = tenant
        self.fetch = fetch
        self.object_url = object_url

    async def _request(self, method: str, path: str, body=None, token=None):
        headers = {"Content-Type": "application/json"}
        if token is not None:
            headers["Authorization"] = "Bearer " + token
        options = {"method": method, "headers": headers}
        if body is not None:
            options["body"] = json.dumps(body)
        try:
            return await self.fetch(self.base_url + path, **options)
        except Exception:
            raise ServerError(
                protocol.SERVER_UNREACHABLE,
                "the bridge server cannot be reached; check the network and try again",
            ) from None

    async def _send(self, method: str, path: str, body=None, token=None) -> dict:
        response = await self._request(method, path, body, token)
        return await self._answer(response)

    async def _answer(self, response) -> dict:
        """The JSON answer of a successful response; a `ServerError` otherwise."""
        try:
            answer = await response.json()
        except Exception:
            answer = None
        if not isinstance(answer, dict):
            raise ServerError(
                SERVER_ERROR,
                "the bridge server answered HTTP " + str(response.status) + " without JSON",
            )
        if not response.ok:
            error = answer.get("error") or {}
            raise ServerError(
                error.get("code", SERVER_ERROR),
                error.get("message", "the bridge server answered HTTP " + str(response.status)),
            )
        return answer

    async def login(self, username: str, password: str, extension: str) -> dict:
        body = {"username": username, "password": password, "extension": extension}
        return await self._send("POST", "/api/v1/tenants/" + self.tenant + "/sessions", body)

    async def login_with_token(self, login_token: str, extension: str) -> dict:
        """Log in with a single-use token the CRM's back end got for the agent."""
        body = {"token": login_token, "extension": extension}
        return await self._send("POST", "/api/v1/tenants/" + self.tenant + "/sessions", body)

    async def logout(self, token: str) -> None:
        await self._send("DELETE", "/api/v1/session", token=token)

    async def recording(self, token: str, filename: str) -> dict:
        """Fetch a call's recording as PCM WAV; ``{"url": object URL, "bytes": size}``."""
        path = "/api/v1/recordings/" + filename + "?format=pcm"
        response = await self._request("GET", path, token=token)
        if not response.ok:
            await self._answer(response)
        blob = await response.blob()
        return {"url": self.object_url(blob), "bytes": blob.size}

    async def click_to_call(
        self, token: str, phone_code: str, phone_number: str, crm_tag: str = ""
    ) -> dict:
        """Place a call; ``crm_tag`` (the CRM's own label for it) only when given."""
        body = {"phone_code": phone_code, "phone_number": phone_number}
        if crm_tag:
            body["crm_tag"] = crm_tag
        return await self._send("POST", "/api/v1/calls", body, token=token)

    async def agent_action(self, token: str, action: str, body: dict) -> dict:
        """Check in or out, pause, resume or set the queues; ``{"state": {...}, ...}``."""
        method, path = AGENT_ROUTES[action]
        return await self._send(method, path, body, token=token)

    async def wrapup(self, token: str, call_id: str, body: dict) -> dict:
        path = "/api/v1/calls/" + call_id + "/wrapup"
        return await self._send("POST", path, body, token=token)

    async def recent_calls(self, token: str) -> dict:
        """The agent's last calls, newest first: ``{"calls": [...]}``."""
        return await self._send("GET", "/api/v1/agent/calls?limit=20", token=token)

    async def run_webhook(self, token: str, body: dict) -> dict:
        """Start one of the Integration Centre's webhooks; ``{"delivery_id", ...}`` (202)."""
        return await self._send("POST", "/api/v1/webhooks/run", body, token=token)
