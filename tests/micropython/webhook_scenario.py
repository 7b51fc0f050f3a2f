"""The Integration Centre in the widget, driven through the pure modules: ``crm_tag`` and
``run_webhook`` requests, ``screen_pop`` and ``lookup_result`` stream events, the queue
picker's state.

Run by tests/widget/test_widget_webhooks.py under CPython and under MicroPython; both must give
the same results.
"""

from controller import Controller, ServerError
from live_stream import LiveStream
from session_state import SessionState

QUEUES = [{"id": "5", "name": "Sales"}, {"id": "7", "name": "Support"}]
CALL = {"call_id": "c-1", "direction": "inbound", "number": "+15550100", "caller_name": "Ada"}
LOOKUP = {
    "webhook": "Find contact",
    "call_id": "c-1",
    "columns": ["name", "note", "orders"],
    "records": [
        {"name": "<b>Ada</b>", "note": None, "orders": 3},
        {"name": "Bo", "note": "x" * 300, "orders": True, "extra": "not a column"},
        "not a record",
    ],
    "error": None,
}


class StandInServer:
    def __init__(self):
        self.calls = []

    async def login(self, username, password, extension):
        return {"token": "t-1", "agent": {"username": username, "extension": "1001"}}

    async def click_to_call(self, token, phone_code, phone_number, crm_tag):
        self.calls.append(["call", phone_number, crm_tag])
        return {"uuid": "u-1", "destination": "+" + phone_code + phone_number, "display": "+1"}

    async def run_webhook(self, token, body):
        self.calls.append(["webhook", token, body])
        if body["webhook"] == "Missing":
            raise ServerError("unknown_webhook", "no webhook named 'Missing'")
        return {"delivery_id": 41}


REQUESTS = [
    {"action": "run_webhook", "webhook": "Find contact", "request_id": 1},
    {"action": "login", "username": "agent1", "password": "p"},
    {"action": "click_to_call", "phone_number": "2025550143", "crm_tag": "deal-42"},
    {"action": "click_to_call", "phone_number": "2025550144"},
    {"action": "click_to_call", "phone_number": "2025550145", "crm_tag": "x" * 101},
    {"action": "run_webhook", "request_id": 2},
    {"action": "run_webhook", "webhook": "Find contact", "call_id": "c-1", "request_id": 3},
    {"action": "run_webhook", "webhook": "Missing", "dynamic_parameter": 7, "request_id": 4},
]


def stream_event(event_id, name, data):
    return {"type": "event", "id": event_id, "name": name, "data": data}


def pop(url, webhook, call_id):
    return {"url": url, "webhook": webhook, "call_id": call_id}


FAILED_LOOKUP = {"webhook": "Find", "call_id": "c-1", "columns": ["a"], "records": []}
FAILED_LOOKUP["error"] = "the CRM answered HTTP 500"


STREAM = [
    {"type": "welcome", "live_status": True, "state": None, "calls": [], "pause_reasons": []},
    stream_event(1, "call_ringing", CALL),
    stream_event(2, "screen_pop", pop("https://crm.test/c?id=1", "Pop", "c-1")),
    stream_event(3, "lookup_result", LOOKUP),
    stream_event(4, "screen_pop", pop("javascript:alert(1)", "Bad", "c-1")),
    stream_event(5, "lookup_result", FAILED_LOOKUP),
    stream_event(6, "screen_pop", pop("http://crm.test/other", "Pop", "c-2")),
    stream_event(7, "agent_state", {"state": "available", "queues": ["7", "9"]}),
]


async def run():
    state = SessionState(QUEUES)
    server = StandInServer()
    controller = Controller(server, state)
    results = []
    for request in REQUESTS:
        results.append(await controller.handle(request))
    results.append(server.calls)
    stream = LiveStream(state)
    for message in STREAM:
        forwarded = stream.receive(message, 10.0)
        results.append([forwarded, state.screen_pop_link(), state.lookup_tables()])
    results.append([state.view(10.0)["agent-state"], state.chosen_queues(), state.controls()])
    return results
