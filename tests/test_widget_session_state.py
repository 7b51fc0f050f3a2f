"""The widget's session/call state machine and what it shows (pure logic, CPython)."""

from session_state import (
    CALL_DIALING,
    CALL_FAILED,
    CALL_IDLE,
    CALL_STARTED,
    CALL_UNKNOWN,
    LOGGED_IN,
    LOGGED_OUT,
    SessionState,
)


def test_a_session_from_login_to_call_to_logout() -> None:
    state = SessionState()
    assert state.view()["session-status"] == "Logged out"
    state.begin_login("agent1")
    assert state.view()["session-status"] == "Logging in as agent1…"
    state.login_succeeded("tok", "agent1", "1001")
    assert state.logged_in
    assert state.view()["session-status"] == "Logged in as agent1 (ext. 1001)"
    state.begin_call("+1 2025550143")
    assert state.call_status == CALL_DIALING
    assert state.view()["call-status"] == "Calling +1 2025550143…"
    state.call_originated("+1 202-555-0143", "uuid-1")
    assert state.call_status == CALL_STARTED
    assert state.view()["call-status"] == "Call started to +1 202-555-0143"
    state.logged_out()
    assert state.status == LOGGED_OUT
    assert state.token is None
    assert state.call_status == CALL_IDLE


def test_a_failed_login_returns_to_logged_out_with_the_error_shown() -> None:
    state = SessionState()
    state.begin_login("agent1")
    state.failed("wrong username or password")
    assert state.status == LOGGED_OUT
    assert state.view()["error"] == "wrong username or password"


def test_a_failed_call_keeps_the_session() -> None:
    state = SessionState()
    state.login_succeeded("tok", "agent1", "")
    state.begin_call("+1 2025550143")
    state.failed("rest is unreachable")
    assert state.status == LOGGED_IN
    assert state.call_status == CALL_FAILED
    assert state.view()["session-status"] == "Logged in as agent1"
    assert state.view()["call-status"] == "Call to +1 2025550143 failed"


def test_ignored_messages_are_counted() -> None:
    state = SessionState()
    state.ignore_message()
    state.ignore_message()
    assert state.view()["ignored-count"] == "2"


def test_a_call_whose_outcome_is_unknown_is_not_shown_as_failed() -> None:
    state = SessionState()
    state.login_succeeded("tok", "agent1", "")
    state.begin_call("+1 2025550143")
    state.call_outcome_unknown("the call may have been placed; check before calling again")
    assert state.call_status == CALL_UNKNOWN
    assert state.view()["call-status"] == (
        "Call to +1 2025550143 may have been placed: check before calling again"
    )
    assert state.view()["error"] == "the call may have been placed; check before calling again"
