"""Keeping secrets out of every text the bridge keeps or shows, by value and by structure.

A `Redactor` replaces each secret it knows wherever it appears: as given, URL-encoded (a
web server's error page may echo the query string), JSON-escaped, and in the variants a
dialer makes of it (VICIdial strips most punctuation before echoing a password). It
also redacts by structure, whatever the value: the value of a secret query parameter
(``pass=…``), and what a dialer-specific pattern marks (VICIdial's ``|user|pass|BAD|``).
A secret of fewer than four characters is replaced only where it stands alone (not
inside a word or number), so that texts stay readable.
An excerpt is cut after redacting, never before, so a cut cannot leave part of a secret.

Secrets a single request carries (an agent's password) are added for that request with
`Redactor.with_secrets`.
"""

import json
import re
from collections.abc import Callable, Iterable
from urllib.parse import quote, quote_plus

REDACTED = "***"
MIN_VARIANT = 4  # a shorter variant of a secret is too common a text to replace
SHORT = 4  # a secret shorter than this is replaced only where it stands alone

Variants = Callable[[str], Iterable[str]]


def _forms(secret: str, variants: Iterable[Variants]) -> set[str]:
    """``secret`` as given, URL-encoded, JSON-escaped, and the dialer's own variants."""
    escaped = json.dumps(secret)[1:-1]
    forms = {secret, quote_plus(secret), quote(secret, safe=""), escaped}
    forms.add(escaped.replace("/", "\\/"))  # PHP's json_encode escapes '/'
    made = {variant for make in variants for variant in make(secret)}
    forms.update(variant for variant in made if len(variant) >= MIN_VARIANT)
    return {form for form in forms if form}


class Redactor:
    """Redacts ``secrets`` (and their forms), the values of the query ``parameters``, and
    the named group ``secret`` of each of ``patterns``."""

    def __init__(
        self,
        secrets: Iterable[str | None] = (),
        *,
        parameters: Iterable[str] = (),
        patterns: Iterable[re.Pattern[str]] = (),
        variants: Iterable[Variants] = (),
    ) -> None:
        self._secrets = frozenset(s for s in secrets if s)
        self._parameters = frozenset(parameters)
        self._patterns = tuple(patterns)
        self._variants = tuple(variants)
        forms = {form for secret in self._secrets for form in _forms(secret, self._variants)}
        self._forms = sorted((f for f in forms if len(f) >= SHORT), key=len, reverse=True)
        short = sorted((f for f in forms if len(f) < SHORT), key=len, reverse=True)
        self._short = (
            re.compile(rf"(?<![0-9A-Za-z])(?:{'|'.join(map(re.escape, short))})(?![0-9A-Za-z])")
            if short
            else None
        )
        names = "|".join(map(re.escape, sorted(self._parameters)))
        self._parameter = re.compile(rf"(?<![\w%])((?:{names})=)[^&\s\"'<>]+") if names else None

    def redact(self, text: str) -> str:
        """``text`` with every secret, secret parameter and marked echo replaced by ``***``."""
        for pattern in self._patterns:
            text = pattern.sub(_redact_group, text)
        if self._parameter is not None:
            text = self._parameter.sub(rf"\1{REDACTED}", text)
        for form in self._forms:
            text = text.replace(form, REDACTED)
        if self._short is not None:
            text = self._short.sub(REDACTED, text)
        return text

    def excerpt(self, text: str, limit: int) -> str:
        """The first ``limit`` characters of ``text``, redacted first and then cut."""
        return self.redact(text)[:limit]

    def with_secrets(self, secrets: Iterable[str | None]) -> "Redactor":
        """This redactor, also redacting ``secrets`` (those of one request)."""
        return self | Redactor(secrets)

    def __or__(self, other: "Redactor") -> "Redactor":
        return Redactor(
            self._secrets | other._secrets,
            parameters=self._parameters | other._parameters,
            patterns=self._patterns + tuple(p for p in other._patterns if p not in self._patterns),
            variants=self._variants + tuple(v for v in other._variants if v not in self._variants),
        )


def _redact_group(found: re.Match[str]) -> str:
    start, end = found.span("secret")
    if start == end:
        return found[0]
    offset = found.start()
    return found[0][: start - offset] + REDACTED + found[0][end - offset :]
