"""Euphoria answers, read safely and in pieces.

An answer is fed to `AnswerReader` chunk by chunk. It parses with defusedxml's parser
(no DTD, no entity declaration, no external reference: XML bombs and XXE are refused at
once) and keeps the text of each child of ``<XML>``, except the one named by
``audio_tag``, whose base64 text is decoded as it arrives and handed out in pieces, so a
recording is never held whole, neither as text nor as bytes. ``<Error>`` texts become
typed errors in `bridge.euphoria.error_reference`.
"""

import binascii
from typing import Any

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import DefusedXMLParser, ParseError


class BadAnswer(Exception):
    """The answer is not the documented envelope; the text says what it was instead."""


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
