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
    display_number,
    iso_seconds,
)

CALL = {"call_id": "c-1", "direction": "outbound", "number": "+13125550178"}
CALL["display"] = "+1 312-555-0178"


def signed_in(**options: object) -> SessionState:
    state = SessionState(**options)  # type: ignore[arg-type]
    state.login_succeeded("tok", "agent1", "1001")
    state.stream_welcomed(True, {"state": "available", "queues": []}, [], ["Lunch"], 100.0)
    return state


def test_a_session_from_waiting_to_call_to_logout() -> None:
    state = SessionState()
    assert (state.view()["call-state"], state.view()["call-headline"]) == (
        "signed_out",
        "Waiting for your CRM to sign you in",
    )
    state.begin_login("agent1")
    assert state.view()["call-headline"] == "Signing in…"
    state.login_succeeded("tok", "agent1", "1001")
    assert state.logged_in
    assert state.view()["session-status"] == "agent1 · ext. 1001"
    state.begin_call("+1 2025550143")
    assert state.call_status == CALL_DIALING
    assert (state.view()["call-state"], state.view()["call-headline"]) == (
        "calling",
        "Calling +1 202-555-0143…",
    )
    state.call_originated("+1 202-555-0143", "uuid-1")
    assert state.call_status == CALL_STARTED
    # A dialer without live status has no call to follow: the card says it was placed.
    assert state.view()["call-headline"] == "Call placed to +1 202-555-0143"
    state.logged_out()
    assert state.status == LOGGED_OUT
    assert state.token is None
    assert state.call_status == CALL_IDLE


def test_the_rest_dialer_asks_the_agent_to_pick_up_and_the_agent_may_stop_waiting() -> None:
    state = signed_in(rings_agent_first=True)
    state.begin_call("+1 3125550178")
    view = state.view()
    assert view["call-headline"] == "Pick up your phone (ext. 1001) to call +1 312-555-0178"
    assert view["call-number"] == ""  # said once, in the headline
    assert state.controls()["stop-waiting"] is True
    assert state.call_busy()
    state.stop_waiting()
    assert state.view()["call-state"] == "idle"
    assert not state.call_busy()


def test_one_call_at_a_time_while_placing_ringing_or_connected() -> None:
    state = signed_in()
    assert not state.call_busy(100.0)
    state.begin_call("+1 3125550178")
    assert state.call_busy(100.0)
    state.call_originated("+1 312-555-0178", "u-1", 100.0)
    assert state.call_busy(101.0)  # placed: until the stream shows the call
    assert state.view(101.0)["call-state"] == "calling"
    state.live_event("call_ringing", CALL, 102.0)
    assert state.call_busy(102.0)
    state.live_event("call_answered", CALL, 103.0)
    assert state.view(110.0)["call-timer"] == "0:07"
    state.live_event("call_ended", dict(CALL, duration_ms=7000, hangup_cause="USER_BUSY"), 110.0)
    assert not state.call_busy(110.0)
    view = state.view(111.0)
    assert (view["call-state"], view["call-headline"]) == ("ended", "Busy")
    assert view["error-code"] == "USER_BUSY"  # the code only behind "Details"


def test_a_call_that_ended_before_the_dialers_answer_does_not_hold_the_next() -> None:
    state = signed_in()
    state.begin_call("+1 3125550178")
    ended = dict(CALL, uuid="u-1", duration_ms=0, hangup_cause="USER_BUSY")
    state.live_event("call_ringing", dict(CALL, uuid="u-1"), 100.0)
    state.live_event("call_ended", ended, 100.1)
    assert state.call_busy(100.1)  # the click's answer has not come yet
    state.call_originated("+1 312-555-0178", "u-1", 100.2)
    assert not state.call_busy(100.2)
    assert state.view(100.3)["call-state"] == "ended"


def test_a_failed_login_returns_to_logged_out_with_the_error_in_plain_words() -> None:
    state = SessionState()
    state.begin_login("agent1")
    state.failed("invalid_credentials", "wrong username or password")
    assert state.status == LOGGED_OUT
    assert state.view()["error"] == "Wrong username or password"
    assert state.view()["error-code"] == "invalid_credentials: wrong username or password"


def test_a_failed_call_keeps_the_session_and_a_new_attempt_clears_the_old_error() -> None:
    state = signed_in()
    state.begin_call("+1 2025550143")
    state.failed("dialer_busy", "rest refused: No free channels")
    assert state.status == LOGGED_IN
    assert state.call_status == CALL_FAILED
    view = state.view()
    assert (view["call-state"], view["call-headline"]) == ("failed", "Call not placed")
    assert view["error"] == "The phone system has no free lines; try again in a minute"
    assert "No free channels" not in view["error"]
    state.begin_call("+1 2025550143")
    assert state.view()["error"] == ""


def test_ignored_messages_are_counted() -> None:
    state = SessionState()
    state.ignore_message()
    state.ignore_message()
    assert state.view()["ignored-count"] == "2"


def test_a_call_whose_outcome_is_unknown_is_not_shown_as_failed_nor_twice() -> None:
    state = signed_in()
    state.begin_call("+1 2025550143")
    state.call_outcome_unknown("dialer_outcome_unknown", "the call may have been placed")
    assert state.call_status == CALL_UNKNOWN
    view = state.view()
    assert view["call-headline"] == "The call may have been placed: check before calling again"
    assert view["error"] == ""  # said once, in the headline


def test_the_wrap_up_belongs_to_the_ended_call_and_hides_during_the_next() -> None:
    state = signed_in()
    state.live_event("call_ringing", CALL, 1.0)
    state.live_event("call_ended", dict(CALL, duration_ms=0), 2.0)
    assert state.wrapup_shown()["call_id"] == "c-1"
    assert state.wrapup_title() == "Wrap-up: +1 312-555-0178"
    state.live_event("call_ringing", dict(CALL, call_id="c-2", direction="inbound"), 3.0)
    assert state.wrapup_shown() is None  # never during the next call
    state.wrapped_up("c-1")
    assert state.pending_wrapup() is None


def test_the_servers_pending_wrap_up_wins_and_is_restored_from_the_agent_state() -> None:
    state = signed_in()
    pending = {"call_id": "c-7", "display": "+44 20 7946 0018", "number": "442079460018"}
    state.live_event("agent_state", {"state": "wrap_up", "wrapup": pending}, 5.0)
    assert state.wrapup_shown() == pending
    state.live_event("agent_state", {"state": "available", "wrapup": None}, 6.0)
    assert state.wrapup_shown() is None


def test_numbers_read_the_same_everywhere() -> None:
    assert display_number({"display": "+1 312-555-0178", "number": "13125550178"}) == (
        "+1 312-555-0178"
    )
    assert display_number({"number": "442079460018"}) == "+442079460018"
    assert display_number({"number": "442079460018", "display": "442079460018"}) == (
        "+442079460018"
    )
    assert display_number({"number": "+13125550178"}) == "+13125550178"
    assert display_number({"number": "1001"}) == "1001"


def test_iso_times_are_read_without_a_date_library() -> None:
    assert iso_seconds("1970-01-01T00:00:00Z") == 0
    assert iso_seconds("2026-12-07T22:00:44.5+00:00") == 1796680844.5
    assert iso_seconds("2026-12-07T23:00:44+01:00") == 1796680844
    assert iso_seconds("yesterday") is None


def test_the_panel_speaks_spanish_and_german() -> None:
    for locale, headline in (("es", "Esperando respuesta"), ("de", "Warten auf Annahme")):
        state = signed_in(locale=locale)
        state.live_event("call_ringing", CALL, 1.0)
        assert state.view()["call-headline"] == headline


def test_with_its_own_sign_in_form_the_panel_asks_the_agent_to_sign_in() -> None:
    assert SessionState(sign_in=True).view()["call-headline"] == "Sign in to make and take calls"


def test_a_call_placed_from_here_keeps_the_number_form_the_bridge_answered() -> None:
    state = signed_in()
    state.begin_call("+44 2079460018")
    state.call_originated("+44 20 7946 0018", "u-9", 1.0)
    call = {"call_id": "c-9", "uuid": "u-9", "direction": "outbound", "number": "442079460018"}
    state.live_event("call_ringing", dict(call, display="442079460018"), 2.0)
    assert state.view()["call-number"] == "+44 20 7946 0018"


def test_the_agents_figures_of_the_day_in_a_line() -> None:
    state = signed_in()
    assert state.today_text() == ""  # not fetched yet
    state.today = {"calls": 3, "talk_seconds": 754.4, "aht_seconds": 251.5}
    assert state.today_text() == "Today: 3 calls · talk 12:34 · average 4:11"
    state.today = {"calls": 0, "talk_seconds": 0.0, "aht_seconds": None}
    assert state.today_text() == "Today: 0 calls · talk 0:00 · average \u2013"  # an en dash
    state.today = {"calls": "3"}  # not the server's answer: nothing shown
    assert state.today_text() == ""
