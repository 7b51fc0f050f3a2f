"""The widget's live stream driven through the pure modules: a drop, a resume that
repeats an event, a drop before the first event, and a backoff with a fixed random source.

Run by tests/widget/test_widget_live_stream.py under CPython and under MicroPython; both must
give the same results.
"""

from live_stream import Backoff, LiveStream
from session_state import SessionState

CALL = {
    "call_id": "c-7",
    "uuid": "u-1",
    "direction": "outbound",
    "number": "+12025550143",
    "caller_name": None,
    "queue": None,
    "lead_id": "42",
}
ENDED = dict(CALL)
ENDED.update(duration_ms=65000, bill_ms=61000, hangup_cause="NORMAL_CLEARING", answered=True)
INBOUND = {"call_id": "c-8", "uuid": None, "direction": "inbound", "number": "+15550100"}
INBOUND["caller_name"] = "Ada"
INBOUND["display"] = "+1 555-0100"
AGENT = {"state": "paused", "pause_reason": "Lunch", "queues": ["5", "7"]}
AGENT["since"] = "1970-01-01T00:02:00.250Z"  # 120.25 s after the clock's start

WELCOME = {"type": "welcome", "live_status": True, "state": None, "calls": []}
WELCOME["pause_reasons"] = ["Break", "Lunch"]
FIRST_CONNECTION = [
    WELCOME,
    {"type": "event", "id": 11, "name": "call_ringing", "data": CALL},
    {"type": "event", "id": 12, "name": "call_answered", "data": CALL},
]
SECOND_CONNECTION = [
    WELCOME,
    {"type": "event", "id": 12, "name": "call_answered", "data": CALL},  # seen already
    {"type": "event", "id": 13, "name": "call_ended", "data": ENDED},
    {"type": "event", "id": 14, "name": "agent_state", "data": AGENT},
    {"type": "event", "id": 15, "name": "call_ringing", "data": INBOUND},
    {"type": "event", "id": 16, "name": "call_forwarded", "data": {}},
    {"type": "event", "id": 17, "name": "call_ended", "data": {"call_id": "c-9"}},
    {"type": "error", "code": "session_ended", "message": "the session has ended"},
]


async def run():
    state = SessionState()
    state.login_succeeded("t-1", "agent1", "1001")
    stream = LiveStream(state)
    results = [stream.hello("t-1")]
    for message in FIRST_CONNECTION:
        results.append([stream.receive(message, 100.0), state.view(172.0)])
    results.append(stream.hello("t-1"))
    for message in SECOND_CONNECTION:
        results.append([stream.receive(message, 200.0), state.view(200.0)])
    results.append(state.pending_wrapup())
    randoms = [0.0, 0.5, 0.999, 0.25, 0.0, 0.0, 0.0]
    backoff = Backoff(lambda: randoms.pop(0), first=1.0, cap=8.0)
    delays = [backoff.next_delay() for _ in range(6)]
    backoff.reset()
    delays.append(backoff.next_delay())
    results.append([round(delay, 3) for delay in delays])
    unwelcome = SessionState()
    unwelcome.login_succeeded("t-2", "agent1", "1001")
    LiveStream(unwelcome).receive({"type": "welcome", "live_status": False, "calls": []})
    results.append(unwelcome.view())
    early = LiveStream(SessionState())  # dropped after its welcome, before any event
    early.receive({"type": "welcome", "live_status": True, "calls": [], "cursor": 20})
    results.append(early.hello("t-2"))
    return results
