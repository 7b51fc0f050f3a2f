"""A widget session driven through the pure modules, with a stand-in for the server.

Run by tests/widget/test_widget_micropython.py under CPython and under MicroPython; both must
produce the same events and views.
"""

import protocol
from controller import Controller, ServerError
from session_state import SessionState


class StandInServer:
    def __init__(self):
        self.calls = []

    async def login(self, username, password, extension):
        if password != "right":
            raise ServerError("invalid_credentials", "wrong username or password")
        return {"token": "t-1", "agent": {"username": username, "extension": extension or "1001"}}

    async def logout(self, token):
        self.calls.append(("logout", token))

    async def recording(self, token, filename):
        if filename == "missing.WAV":
            raise ServerError("dialer_rejected", "euphoria refused the request: File Not Found")
        return {"url": "blob:" + filename, "bytes": 32044}

    async def click_to_call(self, token, phone_code, phone_number, crm_tag):
        if phone_number == "500":
            raise ServerError("dialer_unavailable", "rest is unreachable")
        self.calls.append(("call", token, phone_code, phone_number, crm_tag))
        return {"uuid": "u-1", "destination": "+" + phone_code + phone_number, "display": "+1 555"}


MESSAGES = [
    {"action": "click_to_call", "phone_code": "1", "phone_number": "2025550143", "request_id": 1},
    {"action": "login", "username": "agent1", "password": "wrong", "request_id": "2"},
    {"action": "login", "username": "agent1", "password": "right", "extension": 1001},
    {"action": "click_to_call", "phone_code": "1", "phone_number": 2025550143, "request_id": "4"},
    {"action": "click_to_call", "phone_code": "1", "phone_number": "500"},
    {"action": "dial", "request_id": "6"},
    {"type": "click_to_call", "phone_code": "1", "phone_number": "2025550143", "request_id": 9},
    {"type": "crm-internal"},
    {"action": "play_recording", "filename": "pbx4-1.WAV", "request_id": "7"},
    {"action": "play_recording", "filename": "missing.WAV"},
    {"action": "login", "username": "agent1"},
    {"action": "logout", "request_id": "8"},
    {"action": "play_recording", "filename": "pbx4-1.WAV"},
]


async def run():
    state = SessionState()
    server = StandInServer()
    controller = Controller(server, state)
    results = []
    for message in MESSAGES:
        outcome = await controller.handle(message)
        results.append([outcome, state.view(), protocol.is_request(message)])
    results.append([[list(call) for call in server.calls]])
    return results
