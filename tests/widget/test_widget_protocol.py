"""The postMessage protocol as the widget reads it (pure logic, CPython)."""

import protocol
import pytest


def test_login_exactly_as_the_spec_posts_it() -> None:
    request = protocol.parse_request(
        {
            "action": "login",
            "username": "crm username",
            "password": "crm password",
            "extension": "crm phone extension",
            "phone_pass": "crm phone extension",
        }
    )
    assert request == {
        "action": "login",
        "request_id": None,
        "username": "crm username",
        "password": "crm password",
        "extension": "crm phone extension",
        "phone_pass": "crm phone extension",
    }


def test_click_to_call_accepts_a_number_typed_phone_number() -> None:
    request = protocol.parse_request(
        {"action": "click_to_call", "phone_code": "1", "phone_number": 2025550143, "request_id": 7}
    )
    assert request["phone_number"] == "2025550143"
    assert request["phone_code"] == "1"
    assert request["request_id"] == 7


def test_logout_needs_nothing_else() -> None:
    assert protocol.parse_request({"action": "logout"}) == {"action": "logout", "request_id": None}


@pytest.mark.parametrize(
    ("message", "code", "fragment"),
    [
        ({"action": "dial"}, protocol.UNKNOWN_ACTION, "unknown action 'dial'"),
        ({"action": "login", "username": "a"}, protocol.INVALID_MESSAGE, "'password'"),
        (
            {"action": "login", "username": "", "password": "x"},
            protocol.INVALID_MESSAGE,
            "'username'",
        ),
        (
            {"action": "click_to_call", "phone_code": "1"},
            protocol.INVALID_MESSAGE,
            "'phone_number'",
        ),
        (
            {"action": "click_to_call", "phone_number": "1", "phone_code": ["1"]},
            protocol.INVALID_MESSAGE,
            "'phone_code' must be text",
        ),
        (
            {"action": "click_to_call", "phone_number": True},
            protocol.INVALID_MESSAGE,
            "phone_number",
        ),
    ],
)
def test_malformed_requests_say_what_to_fix(message: dict, code: str, fragment: str) -> None:
    with pytest.raises(protocol.ProtocolError) as caught:
        protocol.parse_request({**message, "request_id": "r1"})
    assert caught.value.code == code
    assert fragment in caught.value.message
    assert caught.value.request_id == "r1"


def test_requests_are_objects_with_an_action_or_with_a_type_naming_one() -> None:
    assert protocol.is_request({"action": "logout"})
    assert protocol.is_request({"action": "dial"})  # answered: unknown_action
    assert protocol.is_request({"type": "login"})  # answered: invalid_message
    assert not protocol.is_request({"type": "crm-internal"})
    assert not protocol.is_request({"type": ["login"]})
    assert not protocol.is_request({"event": "ready"})
    assert not protocol.is_request(["login"])
    assert not protocol.is_request("login")
    assert not protocol.is_request(None)


def test_a_request_with_type_instead_of_action_is_told_to_use_action() -> None:
    with pytest.raises(protocol.ProtocolError) as caught:
        protocol.parse_request({"type": "login", "username": "a", "password": "b", "request_id": 4})
    assert caught.value.code == protocol.INVALID_MESSAGE
    assert "use 'action'" in caught.value.message
    assert caught.value.request_id == 4
    assert caught.value.action == "login"


def test_events_are_namespaced_and_echo_the_request_id() -> None:
    assert protocol.event(protocol.LOGGED_OUT, "r9") == {
        "channel": "crm-bridge",
        "protocol": protocol.PROTOCOL_VERSION,
        "event": "logged_out",
        "request_id": "r9",
    }
    error = protocol.error_event("not_logged_in", "log in first", None, "click_to_call")
    assert error["event"] == "error"
    assert "request_id" not in error
    assert error["action"] == "click_to_call"


def test_login_with_a_token_needs_no_password() -> None:
    request = protocol.parse_request({"action": "login", "token": "clt_abc", "extension": "1001"})
    assert request == {
        "action": "login",
        "request_id": None,
        "token": "clt_abc",
        "extension": "1001",
    }


def test_login_with_an_empty_token_is_refused() -> None:
    with pytest.raises(protocol.ProtocolError) as refused:
        protocol.parse_request({"action": "login", "token": ""})
    assert refused.value.message == "login needs 'token' as non-empty text"


@pytest.mark.parametrize(("field", "most"), sorted(protocol.LOGIN_FIELD_MAX.items()))
def test_an_oversized_login_field_is_refused_by_name(field: str, most: int) -> None:
    message = {"action": "login", "username": "a", "password": "p", field: "x" * (most + 1)}
    if field == "token":
        message = {"action": "login", "token": "x" * (most + 1)}
    with pytest.raises(protocol.ProtocolError) as refused:
        protocol.parse_request(message)
    assert refused.value.code == protocol.INVALID_MESSAGE  # not the server's body_too_large
    assert f"'{field}'" in refused.value.message
    message[field] = "x" * most
    assert protocol.parse_request(message)[field] == "x" * most


def test_a_wrapup_may_be_skipped_without_a_disposition() -> None:
    request = protocol.parse_request({"action": "wrapup", "call_id": "c-1", "skip": True})
    assert (request["call_id"], request["skip"], request["disposition"]) == ("c-1", True, "")
    with pytest.raises(protocol.ProtocolError):
        protocol.parse_request({"action": "wrapup", "call_id": "c-1", "skip": "yes"})


def test_the_server_speaks_the_protocol_modules_names() -> None:
    """Live events, webhook triggers and the stream's words are the widget's, not copies."""
    from server.events.call_model import EVENT_OF_STATE
    from server.integrations.model import TRIGGERS

    assert tuple(EVENT_OF_STATE.values()) == (
        protocol.CALL_RINGING,
        protocol.CALL_ANSWERED,
        protocol.CALL_ENDED,
    )
    assert set(EVENT_OF_STATE.values()) <= set(TRIGGERS)  # a call event triggers webhooks
    assert set(EVENT_OF_STATE.values()) <= set(protocol.LIVE_EVENTS)
