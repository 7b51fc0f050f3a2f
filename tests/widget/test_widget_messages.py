"""The widget's texts: every language has every key, and every key is used.

The catalogue (widget/messages.py) is the one place the panel's words live; a key left
out of a language, or one nothing uses any more, fails here.
"""

import re

import messages
import protocol
import session_state

from tests.support import ROOT

SOURCES = [
    *(path for path in sorted((ROOT / "widget").glob("*.py")) if path.name != "messages.py"),
    *sorted((ROOT / "widget" / "templates").glob("*")),
]
# Keys built from a value at run time: the family and where its values come from.
DYNAMIC = {
    "badge": (
        session_state.CARD_SIGNED_OUT,
        session_state.CARD_IDLE,
        *session_state.BUSY_CARDS,
        session_state.CARD_ENDED,
        session_state.CARD_FAILED,
        session_state.CARD_UNKNOWN,
    ),
    "state": ("failed", "unknown"),
    "agent": session_state.AGENT_STATES,
    "outcome": ("answered", "missed", "busy", "no_answer", "failed", "cancelled"),
    "disposition": protocol.DISPOSITIONS,
    "ui": ("wrapup_saved", "wrapup_skipped"),
}
ERROR_CODES = re.compile(r'\| "([a-z_]+)"')


def source_text() -> str:
    return "\n".join(path.read_text(encoding="utf-8") for path in SOURCES if path.is_file())


def test_every_language_has_every_key_with_the_same_placeholders() -> None:
    for locale, catalogue in messages.CATALOGUES.items():
        assert set(catalogue) == set(messages.EN), locale
        for key, text in catalogue.items():
            placeholders = sorted(re.findall(r"\{(\w+)\}", text))
            assert placeholders == sorted(re.findall(r"\{(\w+)\}", messages.EN[key])), (
                locale,
                key,
            )


def test_every_key_is_used() -> None:
    code = source_text()
    unused = []
    for key in messages.EN:
        family, name = key.split(".", 1)
        if family in ("cause", "error"):
            continue  # looked up by code: checked below
        if f'"{key}"' in code or f"'{key}'" in code or name in DYNAMIC.get(family, ()):
            continue
        unused.append(key)
    assert unused == []


def test_every_error_code_and_every_hang_up_cause_reads_as_words() -> None:
    declared = (ROOT / "static" / "embed.d.ts").read_text(encoding="utf-8")
    block = declared.split("type ErrorCode =", 1)[1].split(";", 1)[0]
    codes = set(ERROR_CODES.findall(block))
    assert {"call_in_progress", "dialer_busy", "invalid_credentials"} <= codes
    for code in codes:
        assert f"error.{code}" in messages.EN, code
    for cause in ("NORMAL_CLEARING", "USER_BUSY", "NO_ANSWER", "UNALLOCATED_NUMBER"):
        assert messages.cause_text("en", cause) != messages.text("en", "cause.other")
    assert messages.cause_text("en", "SOMETHING_NEW") == "Call ended"
    assert messages.error_text("de", "no_such_code") == "Etwas ist schiefgegangen"
    # No catalogue entry carries a code in capitals or an underscore: words only.
    for catalogue in messages.CATALOGUES.values():
        for text in catalogue.values():
            assert not re.search(r"[A-Z]{3,}_|_[a-z]", text), text


def test_the_language_is_picked_from_the_mount_option_then_the_browser() -> None:
    assert messages.pick_locale("es", "de-DE") == "es"
    assert messages.pick_locale("", "de-AT") == "de"
    assert messages.pick_locale("fr", "pt-BR") == "en"
