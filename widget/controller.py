"""Carries out one CRM request against the bridge server and says what happened.

The server is reached through an injected ``api`` object (the browser's is
`server_api.ServerApi`), so this logic runs, and is tested, on CPython as well.
Every request gets exactly one outcome event.
"""

import protocol
from session_state import SessionState

SESSION_ENDED = ("session_expired", "invalid_token")
IN_PROGRESS = "a call is being placed or is not over yet: one call at a time"
# The request fields each agent action sends to the server (empty ones are left out)
AGENT_BODIES = {
    protocol.CHECK_IN: ("device_id",),
    protocol.CHECK_OUT: (),
    protocol.PAUSE: ("reason",),
    protocol.RESUME: (),
    protocol.SET_QUEUES: ("queues",),
}


class ServerError(Exception):
    """The bridge server refused a request or could not be reached."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def _no_clock() -> float:
    return 0.0


class Controller:
    def __init__(self, api, state: SessionState, clock=_no_clock) -> None:
        self.api = api
        self.state = state
        self.clock = clock  # seconds since 1970 (the browser's Date.now() / 1000)

    def refusal(self, data) -> "dict | None":
        """The ``call_in_progress`` error for a click_to_call while a call is being placed
        or is not over (answered at once, not queued behind that call), else None."""
        if not isinstance(data, dict) or data.get("action") != protocol.CLICK_TO_CALL:
            return None
        if not self.state.logged_in or not self.state.call_busy(self.clock()):
            return None
        try:
            request_id = protocol.parse_request(data)["request_id"]
        except protocol.ProtocolError:
            return None  # answered as any malformed request is
        self.state.error_code = protocol.CALL_IN_PROGRESS
        self.state.error_message = IN_PROGRESS
        return protocol.error_event(
            protocol.CALL_IN_PROGRESS, IN_PROGRESS, request_id, protocol.CLICK_TO_CALL
        )

    async def handle(self, data: dict, source: str = protocol.SOURCE_CRM) -> dict:
        """Validate and carry out one inbound message (from the CRM page or, ``source``
        "widget", the panel's own controls); return its outcome event."""
        try:
            request = protocol.parse_request(data)
        except protocol.ProtocolError as error:
            self.state.failed(error.code, error.message)
            return protocol.error_event(error.code, error.message, error.request_id, error.action)
        refused = self.refusal(data)
        if refused is not None:
            return refused
        action = request["action"]
        request_id = request["request_id"]
        try:
            if action == protocol.LOGIN:
                return await self._login(request)
            if action == protocol.LOGOUT:
                return await self._logout(request)
            if action == protocol.PLAY_RECORDING:
                return await self._play_recording(request)
            if action in protocol.AGENT_ACTIONS:
                return await self._agent_action(request)
            if action == protocol.WRAPUP:
                return await self._wrapup(request)
            if action == protocol.RUN_WEBHOOK:
                return await self._run_webhook(request)
            return await self._click_to_call(request, source)
        except ServerError as error:
            if error.code in SESSION_ENDED:
                self.state.logged_out()
            if error.code == protocol.DIALER_OUTCOME_UNKNOWN:
                self.state.call_outcome_unknown(error.code, error.message)
            elif error.code == protocol.CALL_IN_PROGRESS:
                self.state.error_code = error.code  # the call under way stays as it is
                self.state.error_message = error.message
            else:
                self.state.failed(error.code, error.message)
            return protocol.error_event(error.code, error.message, request_id, action)

    async def _login(self, request: dict) -> dict:
        if self.state.token is not None:
            await self._end_session()
        if "token" in request:
            self.state.begin_login("")
            answer = await self.api.login_with_token(request["token"], request["extension"])
        else:
            self.state.begin_login(request["username"])
            answer = await self.api.login(
                request["username"], request["password"], request["extension"]
            )
        agent = answer["agent"]
        self.state.login_succeeded(answer["token"], agent["username"], agent["extension"] or "")
        return protocol.event(
            protocol.LOGGED_IN,
            request["request_id"],
            username=agent["username"],
            extension=agent["extension"],
        )

    async def _logout(self, request: dict) -> dict:
        await self._end_session()
        return protocol.event(protocol.LOGGED_OUT, request["request_id"])

    async def _end_session(self) -> None:
        token = self.state.token
        self.state.logged_out()
        if token is not None:
            try:
                await self.api.logout(token)
            except ServerError:
                pass  # the token is forgotten here either way; it expires on the server

    async def _click_to_call(self, request: dict, source: str) -> dict:
        if not self.state.logged_in:
            raise ServerError(protocol.NOT_LOGGED_IN, "log in before click_to_call")
        code = request["phone_code"]
        self.state.begin_call(("+" + code + " " if code else "") + request["phone_number"])
        answer = await self.api.click_to_call(
            self.state.token, request["phone_code"], request["phone_number"], request["crm_tag"]
        )
        if self.state.call_status != "dialing":
            self.state.call_number = answer["display"]  # the agent stopped waiting
        self.state.call_originated(answer["display"], answer["uuid"], self.clock())
        return protocol.event(
            protocol.CALL_ORIGINATED,
            request["request_id"],
            uuid=answer["uuid"],
            destination=answer["destination"],
            display=answer.get("display"),
            source=source,
        )

    async def load_recent(self) -> None:
        """Fetch the agent's recent calls for the panel (kept as they were on failure)."""
        if not self.state.logged_in:
            return
        try:
            answer = await self.api.recent_calls(self.state.token)
        except ServerError:
            return
        calls = answer.get("calls")
        if isinstance(calls, list):
            self.state.recent = calls
        self.state.today = answer.get("today")

    async def _play_recording(self, request: dict) -> dict:
        if not self.state.logged_in:
            raise ServerError(protocol.NOT_LOGGED_IN, "log in before play_recording")
        answer = await self.api.recording(self.state.token, request["filename"])
        self.state.recording_loaded(request["filename"], answer["url"])
        return protocol.event(
            protocol.RECORDING_READY,
            request["request_id"],
            filename=request["filename"],
            bytes=answer["bytes"],
        )

    async def _agent_action(self, request: dict) -> dict:
        action = request["action"]
        if not self.state.logged_in:
            raise ServerError(protocol.NOT_LOGGED_IN, "log in before " + action)
        body = {}
        for name in AGENT_BODIES[action]:
            if request[name] != "":
                body[name] = request[name]
        answer = await self.api.agent_action(self.state.token, action, body)
        self.state.set_agent_state(answer["state"], self.clock())
        fields = {}
        for name in protocol.LIVE_FIELDS[protocol.AGENT_STATE]:
            fields[name] = answer["state"].get(name)
        if answer.get("check_in_number"):
            fields["check_in_number"] = answer["check_in_number"]
        return protocol.event(protocol.AGENT_STATE, request["request_id"], **fields)

    async def _wrapup(self, request: dict) -> dict:
        if not self.state.logged_in:
            raise ServerError(protocol.NOT_LOGGED_IN, "log in before wrapup")
        if request["skip"]:
            body = {"skip": True}
        else:
            body = {"disposition": request["disposition"]}
            for name in ("outcome", "notes"):
                if request[name]:
                    body[name] = request[name]
        answer = await self.api.wrapup(self.state.token, request["call_id"], body)
        self.state.wrapped_up(request["call_id"], request["skip"])
        call = answer.get("call") or {}
        return protocol.event(
            protocol.WRAPPED_UP,
            request["request_id"],
            call_id=request["call_id"],
            disposition=call.get("disposition"),
            outcome=call.get("outcome"),
            notes=call.get("notes"),
            skipped=request["skip"],
        )

    async def _run_webhook(self, request: dict) -> dict:
        if not self.state.logged_in:
            raise ServerError(protocol.NOT_LOGGED_IN, "log in before run_webhook")
        body = {"webhook": request["webhook"]}
        for name in ("call_id", "dynamic_parameter"):
            if request[name]:
                body[name] = request[name]
        answer = await self.api.run_webhook(self.state.token, body)
        return protocol.event(
            protocol.WEBHOOK_STARTED,
            request["request_id"],
            delivery_id=answer.get("delivery_id"),
            webhook=request["webhook"],
            call_id=request["call_id"] or None,
        )
