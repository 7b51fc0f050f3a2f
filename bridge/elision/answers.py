"""Spec 004's answers, read in every style the spec shows, whatever the function.

Text lines ``SUCCESS: <function> <TEXT> - a|b|c`` / ``ERROR: …`` (VICIdial's ``ERROR: … :
|a|b|`` form too), the envelope ``{"success", "message", "data"}``, the array ``["ERROR",
reason, user, data]``, add_multi_lead's ``{"lead 1": {…}}`` and version's ``VERSION:``
line. A failed login is `LoginRefused` (a `DialerUnauthorized`), a locked API user
(VICIdial's "Too many login attempts") `DialerLocked`, a refusal that speaks of
permission `DialerUnauthorized`, any other ``ERROR`` `DialerRejected`; HTML, broken JSON,
an empty body or an unexpected shape is `DialerBadResponse`. The dialer echoes secrets
(`bridge.elision.echoes`): every text kept or returned is redacted first, and cut after.
"""

import contextlib
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, NoReturn

from bridge.errors import DialerBadResponse, DialerLocked, DialerRejected, DialerUnauthorized
from bridge.interface import DialerList

EXCERPT = 1000  # characters of an answer kept in an error
LOGIN_REFUSED = "LOGIN INCORRECT"
LOCKED = "TOO MANY LOGIN ATTEMPTS"
UNAUTHORIZED_MARKS = ("DOES NOT HAVE PERMISSION", "IP ADDRESS IS NOT ALLOWED")
ALREADY_THERE = re.compile(r"ERROR: add_lead DUPLICATE PHONE NUMBER IN ")

_LINE = re.compile(r"(SUCCESS|ERROR): ?(.*)")
_VERSION = re.compile(r"VERSION: ([^|\r\n]+)")
_PER_LEAD = re.compile(r"lead \d+")
_LIST_ENTRY = re.compile(r"(.+?)-(\d+)-(.*)", re.DOTALL)


class LoginRefused(DialerUnauthorized):
    """The dialer refused the API user's login (VICIdial: "Login incorrect")."""


@dataclass(frozen=True, slots=True)
class Answer:
    """An answer read: success or not, its reason, its data, and its (redacted) text."""

    ok: bool
    reason: str
    data: Any
    text: str


@dataclass(frozen=True, slots=True)
class LeadAnswer:
    """The dialer's word on one lead of add_multi_lead (``data`` as it wrote it)."""

    ok: bool
    message: str
    data: str

    @property
    def outcome(self) -> str:
        """The dialer's words on the lead: its message, and its data if any."""
        return f"{self.message} - {self.data}" if self.data else self.message


class AnswerReader:
    """Reads the answers of the dialer named ``dialer``; ``redact`` cleans every text kept."""

    def __init__(self, dialer: str, redact: Callable[[str], str]) -> None:
        self.dialer = dialer
        self.redact = redact

    def body(self, function: str, status: int, text: str) -> str:
        """The answer's text, trimmed; an HTTP error or an empty body raises."""
        body = text.lstrip("\ufeff").strip()
        if status in (401, 403):
            raise DialerUnauthorized(
                f"{self.dialer} refused {function} with HTTP {status}: "
                "check the base URL and any access rules in front of the API",
                dialer=self.dialer,
                dialer_text=self.redact(body)[:EXCERPT],
            )
        if status != 200:
            raise self._bad(function, f"HTTP {status}: check the base URL and path", body)
        if not body:
            raise self._bad(function, "an empty body", body)
        return body

    def success(self, body: str, function: str) -> Answer:
        """The answer to ``function``, if a success; a refusal raises its typed error."""
        answer = self._read(body, function)
        if not answer.ok:
            self._refuse(function, answer)
        return answer

    def lists(self, answer: Answer) -> list[DialerList]:
        """active_lists' data: entries "CAMPAIGN-LISTID-List name" (names may hold '-')."""
        if not isinstance(answer.data, list):
            raise self._bad("active_lists", "data that is not a list", answer.text)
        return [self._list_entry(entry, answer.text) for entry in answer.data]

    def lead_answers(self, body: str, count: int) -> list[LeadAnswer]:
        """add_multi_lead's ``{"lead 1": {…}, …}``, one per lead sent, in order."""
        value = None
        if body.startswith("{"):
            with contextlib.suppress(ValueError):
                value = json.loads(body)
        if not (isinstance(value, dict) and value and all(map(_PER_LEAD.fullmatch, value))):
            # Not per-lead: an ERROR (array, envelope or line) raises; anything else is bad.
            self.success(body, "add_multi_lead")
            raise self._bad("add_multi_lead", "no per-lead answers", body)
        expected = [f"lead {n}" for n in range(1, count + 1)]
        if set(value) != set(expected):
            raise self._bad("add_multi_lead", f"answers for other leads than 1..{count}", body)
        answers = []
        for entry in (value[key] for key in expected):
            if not (isinstance(entry, dict) and isinstance(entry.get("success"), bool)):
                raise self._bad("add_multi_lead", "a lead's answer without success", body)
            data = entry.get("data")
            answers.append(
                LeadAnswer(
                    entry["success"],
                    self.redact(str(entry.get("message", ""))),
                    self.redact(_as_text(data)),
                )
            )
        return answers

    def version(self, body: str) -> str:
        """version's ``VERSION: 2.14-917|…`` line: the version string."""
        found = _VERSION.match(body)
        if found is None:
            self.success(body, "version")
            raise self._bad("version", "no VERSION line", body)
        return found[1].strip()

    def _read(self, body: str, function: str) -> Answer:
        if body.startswith(("{", "[")):
            try:
                value = json.loads(body)
            except ValueError:
                raise self._bad(function, "invalid or truncated JSON", body) from None
            return self._json_answer(function, value, body)
        if body.startswith("<"):
            raise self._bad(function, "HTML, not an API answer: check the base URL and path", body)
        return self._line_answer(function, body)

    def _line_answer(self, function: str, body: str) -> Answer:
        lines = (_LINE.fullmatch(self.redact(line.strip())) for line in body.splitlines())
        found = next((line for line in lines if line), None)
        if found is None:
            raise self._bad(function, "text without a SUCCESS or ERROR line", body)
        result, rest = found.groups()
        head, sep, data = _split_line(rest)
        text = f"{result}: {head}{sep}{data}"
        if result == "SUCCESS" and not head.startswith(function + " "):
            raise self._bad(function, "a SUCCESS line for another function", text)
        reason = _without_function(function, head)
        return Answer(result == "SUCCESS", reason, data.split("|") if sep else [], text)

    def _json_answer(self, function: str, value: Any, body: str) -> Answer:
        text = self.redact(body)
        if isinstance(value, dict) and isinstance(value.get("success"), bool):
            message = value.get("message")
            if not isinstance(message, str):
                raise self._bad(function, "an envelope without a message", body)
            return Answer(value["success"], self.redact(message), value.get("data"), text)
        if (
            isinstance(value, list)
            and len(value) >= 2
            and value[0] in ("SUCCESS", "ERROR")
            and isinstance(value[1], str)
        ):
            reason = self.redact(_without_function(function, value[1]))
            return Answer(value[0] == "SUCCESS", reason, value[2:], text)
        raise self._bad(function, "JSON of an unexpected shape", body)

    def _refuse(self, function: str, answer: Answer) -> NoReturn:
        dialer_text = answer.text[:EXCERPT]
        reason = answer.reason.upper()
        if LOCKED in reason:
            raise DialerLocked(
                f"{self.dialer} has locked the API user after too many failed logins "
                f"({answer.reason}): until the lock ends it refuses every login of that "
                "user, the right password too",
                dialer=self.dialer,
                dialer_text=dialer_text,
            )
        if LOGIN_REFUSED in reason:
            raise LoginRefused(
                f"{self.dialer} refused the API user's login for {function} "
                f"({answer.reason}): check api_user and api_pass",
                dialer=self.dialer,
                dialer_text=dialer_text,
            )
        if any(mark in reason for mark in UNAUTHORIZED_MARKS):
            raise DialerUnauthorized(
                f"{self.dialer} refused the API user for {function} ({answer.reason}): check "
                "api_user and api_pass, and that the API user has user level 8 or higher "
                "and the permission this function needs",
                dialer=self.dialer,
                dialer_text=dialer_text,
            )
        raise DialerRejected(
            f"{self.dialer} refused {function}: {answer.reason}",
            dialer=self.dialer,
            dialer_text=dialer_text,
        )

    def _list_entry(self, entry: Any, text: str) -> DialerList:
        found = _LIST_ENTRY.fullmatch(entry) if isinstance(entry, str) else None
        if found is None:
            raise self._bad("active_lists", "an entry that is not CAMPAIGN-LISTID-NAME", text)
        campaign, list_id, name = found.groups()
        return DialerList(list_id=list_id, name=name, campaign=campaign, active=True)

    def _bad(self, function: str, what: str, body: str) -> DialerBadResponse:
        return DialerBadResponse(
            f"{self.dialer} answered {function} with {what}",
            dialer=self.dialer,
            dialer_text=self.redact(body)[:EXCERPT],
        )


def _split_line(rest: str) -> tuple[str, str, str]:
    """``head - a|b`` or VICIdial's ``head: |a|b`` → (head, separator, data)."""
    found = [(rest.find(sep), sep) for sep in (" - ", ": |") if sep in rest]
    if not found:
        return rest, "", ""
    at, sep = min(found)
    return rest[:at], sep, rest[at + len(sep) :]


def _without_function(function: str, head: str) -> str:
    return head[len(function) + 1 :] if head.startswith(function + " ") else head


def _as_text(value: Any) -> str:
    if value is None:
        return ""
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
