"""The Euphoria XML envelope: requests built by a serializer, answers read safely and in pieces.

A request is ``<XML><Tenant><Name/><Auth/></Tenant><ActionName/>…</XML>`` (spec 000),
serialized by ElementTree, so names with ``&``, ``<``, quotes or any Unicode survive.

An answer is fed to `AnswerReader` chunk by chunk. It parses with defusedxml's parser
(no DTD, no entity declaration, no external reference: XML bombs and XXE are refused at
once) and keeps the text of each child of ``<XML>``, except the one named by
``audio_tag``, whose base64 text is decoded as it arrives and handed out in pieces, so a
recording is never held whole, neither as text nor as bytes.
"""

import binascii
import re
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from typing import Any

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import DefusedXMLParser, ParseError

from bridge.errors import (
    DialerBusy,
    DialerError,
    DialerRejected,
    DialerUnauthorized,
    DialerUnavailable,
)

XML_DECLARATION = b'<?xml version="1.0" encoding="UTF-8"?>\n'
# Characters that XML 1.0 cannot carry at all, not even escaped.
_NOT_XML_CHAR = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")

Node = tuple[str, "str | Sequence[Node]"]


class UnsendableText(ValueError):
    """A value holds a character XML cannot carry; ``tag`` names its element (never the value)."""

    def __init__(self, tag: str) -> None:
        super().__init__(f"<{tag}> holds a character that XML cannot carry")
        self.tag = tag


class BadAnswer(Exception):
    """The answer is not the documented envelope; the text says what it was instead."""


def request_body(tenant_name: str, auth_code: str, action: str, nodes: Sequence[Node]) -> bytes:
    """The UTF-8 request document: the envelope, then ``nodes`` as children of ``<XML>``.

    Empty values are sent as ``<Tag></Tag>``, as the spec's examples write them.
    """
    root = ET.Element("XML")
    tenant: Node = ("Tenant", [("Name", tenant_name), ("Auth", auth_code)])
    _append(root, [tenant, ("ActionName", action), *nodes])
    text = ET.tostring(root, encoding="unicode", short_empty_elements=False)
    return XML_DECLARATION + text.encode("utf-8")


def _append(parent: ET.Element, nodes: Sequence[Node]) -> None:
    for tag, content in nodes:
        element = ET.SubElement(parent, tag)
        if isinstance(content, str):
            if _NOT_XML_CHAR.search(content):
                raise UnsendableText(tag)
            element.text = content
        else:
            _append(element, content)


class Base64Stream:
    """Decodes base64 that arrives in pieces of any length; whitespace between them is ignored."""

    def __init__(self) -> None:
        self._pending = ""
        self._decoded: list[bytes] = []
        self._padded = False
        self.size = 0

    def feed(self, text: str) -> None:
        text = self._pending + "".join(text.split())
        usable = len(text) - len(text) % 4
        self._pending = text[usable:]
        if not usable:
            return
        if self._padded:
            raise BadAnswer("audioData that goes on after its base64 padding")
        try:
            data = binascii.a2b_base64(text[:usable], strict_mode=True)
        except binascii.Error as error:
            raise BadAnswer(f"audioData that is not base64 ({error})") from None
        self._padded = text[usable - 1] == "="
        self._decoded.append(data)
        self.size += len(data)

    def take(self) -> bytes:
        """The bytes decoded since the last call."""
        data = b"".join(self._decoded)
        self._decoded.clear()
        return data

    def finish(self) -> None:
        if self._pending:
            raise BadAnswer("audioData cut short (its base64 length is not a multiple of 4)")


class _Target:
    """Parser target: checks the root, collects child texts, streams the audio child."""

    def __init__(self, audio_tag: str | None, text_limit: int) -> None:
        self.audio_tag = audio_tag.casefold() if audio_tag else None
        self.audio = Base64Stream()
        self.audio_seen = False
        self.fields: dict[str, str] = {}
        self.root_seen = False
        self._text_left = text_limit
        self._depth = 0
        self._child = ""
        self._texts: list[str] = []

    def start(self, tag: str, attrib: dict[str, str]) -> None:
        if self._depth == 0:
            if tag.casefold() != "xml":
                raise BadAnswer(f"a <{tag[:40]}> document instead of <XML>")
            self.root_seen = True
        elif self._depth == 1:
            self._child = tag
            self.audio_seen |= tag.casefold() == self.audio_tag
        self._depth += 1

    def end(self, tag: str) -> None:
        self._depth -= 1
        if self._depth == 1:
            if self._child.casefold() != self.audio_tag:
                self.fields.setdefault(self._child, "".join(self._texts))
            self._texts.clear()

    def data(self, text: str) -> None:
        if self._depth < 2:
            return
        if self._child.casefold() == self.audio_tag:
            self.audio.feed(text)
            return
        self._text_left -= len(text)
        if self._text_left < 0:
            raise BadAnswer("an answer with more text than any documented answer holds")
        self._texts.append(text)

    def close(self) -> None:
        """Called by the parser at the end; the results are in the attributes."""


class AnswerReader:
    """Reads one answer fed in chunks. After `close`, ``fields`` maps each child of
    ``<XML>`` to its text (first occurrence) and ``error`` holds ``<Error>``'s text, if any."""

    def __init__(self, *, audio_tag: str | None = None, text_limit: int = 64 * 1024) -> None:
        self.audio_tag = audio_tag
        self._text_limit = text_limit
        self.reset()

    def reset(self) -> None:
        """Forget what was fed, to read another answer."""
        self._target = _Target(self.audio_tag, self._text_limit)
        self._parser = DefusedXMLParser(target=self._target, forbid_dtd=True)

    @property
    def fields(self) -> dict[str, str]:
        return self._target.fields

    @property
    def error(self) -> str | None:
        errors = [text for tag, text in self.fields.items() if tag.casefold() == "error"]
        return errors[0].strip() if errors else None

    @property
    def audio_seen(self) -> bool:
        return self._target.audio_seen

    @property
    def audio_size(self) -> int:
        return self._target.audio.size

    def feed(self, data: bytes) -> bytes:
        """Parse ``data``; return the audio bytes it completed (often empty)."""
        self._guard(self._parser.feed, data)
        return self._target.audio.take()

    def close(self) -> bytes:
        """End of the answer: check it was complete; return the last audio bytes."""
        self._guard(self._parser.close)
        if self._target.audio_seen:
            self._target.audio.finish()
        return self._target.audio.take()

    def _guard(self, call: Any, *args: Any) -> None:
        try:
            call(*args)
        except DefusedXmlException:
            raise BadAnswer("XML with a DTD or entity declaration, which is refused") from None
        except ParseError as error:
            what = "malformed or truncated XML" if self._target.root_seen else "something not XML"
            raise BadAnswer(f"{what} ({error})") from None


def _normalise(text: str) -> str:
    return " ".join(text.replace("\u2019", "'").split()).rstrip(" .").casefold()


class EuphoriaError(DialerError):
    """An ``<Error>`` of the spec's Error Reference: ``texts`` as the specs write them,
    ``advice`` for whoever must act. Each subclass also derives from its bridge category."""

    texts: tuple[str, ...] = ()
    advice = ""


class InputXmlNotLoaded(EuphoriaError, DialerRejected):
    texts = ("Input XML not loaded",)
    advice = "could not load the XML the bridge sent (a bridge bug: please report it)"


class NoDocumentElement(EuphoriaError, DialerRejected):
    texts = ("No Document Element",)
    advice = "found no <XML> document element in the bridge's request (a bridge bug)"


class AuthorizationFailed(EuphoriaError, DialerUnauthorized):
    texts = ("Authorization Failed",)
    advice = (
        "refused the tenant name or auth code: check the Euphoria tenant name and "
        "API auth code in the bridge's configuration"
    )


class NoActionDefined(EuphoriaError, DialerRejected):
    texts = ("No Action Defined",)
    advice = "received no ActionName (a bridge bug)"


class IncorrectInputParameters(EuphoriaError, DialerRejected):
    # Spec 000 writes "check the documentation", spec 001 "check documentation".
    texts = (
        "Incorrect Input Parameters. Please check the documentation",
        "Incorrect Input Parameters. Please check documentation",
    )
    advice = "says required fields are missing or wrong: check the values sent"


class DatabaseConnectionFailed(EuphoriaError, DialerUnavailable):
    texts = ("I'm sorry, connection to one or more of the databases failed",)
    advice = "could not reach its own databases; try again later"


class UsernameNotInTenant(EuphoriaError, DialerUnauthorized):
    texts = ("That username is not part of this Tenant",)
    advice = "says a value sent (such as the assigned extension) does not belong to this tenant"


class PermissionDenied(EuphoriaError, DialerUnauthorized):
    texts = ("Permission Denied",)
    advice = "says the API key may not use this action: allow it in the Euphoria API Manager"


class SipServerNotFound(EuphoriaError, DialerUnavailable):
    texts = ("Sip Server not found",)
    advice = "says the tenant's SIP server is unavailable; try again later"


class ConcurrentCallsExceeded(EuphoriaError, DialerBusy):
    texts = ("Concurrent API Calls Exceeded",)
    advice = "refused: more than 3 concurrent calls of this action; try again shortly"


class ActionNameNotFound(EuphoriaError, DialerRejected):
    texts = ("Action Name Not Found",)
    advice = "does not offer this action (ask for it to be enabled in the API Manager)"


DOCUMENTED_ERRORS: tuple[type[EuphoriaError], ...] = (
    InputXmlNotLoaded,
    NoDocumentElement,
    AuthorizationFailed,
    NoActionDefined,
    IncorrectInputParameters,
    DatabaseConnectionFailed,
    UsernameNotInTenant,
    PermissionDenied,
    SipServerNotFound,
    ConcurrentCallsExceeded,
    ActionNameNotFound,
)
_BY_TEXT = {_normalise(text): cls for cls in DOCUMENTED_ERRORS for text in cls.texts}


def error_for(text: str, *, dialer: str) -> DialerError:
    """The typed error for an ``<Error>`` text (already redacted), keeping the text.

    Matching ignores case, spacing, a trailing full stop and the Reference's
    ": description" tail; an unknown text is a `DialerRejected` that quotes it.
    """
    cls = _BY_TEXT.get(_normalise(text)) or _BY_TEXT.get(_normalise(text.split(":", 1)[0]))
    if cls is None:
        return DialerRejected(
            f"{dialer} refused the request: {text or 'no reason given'}",
            dialer=dialer,
            dialer_text=text,
        )
    return cls(f"{dialer} {cls.advice}", dialer=dialer, dialer_text=text)
