"""Where this API's answers echo secrets, redacted by the answer's structure.

Whatever the value, and however the dialer changed it before echoing it (VICIdial keeps
only letters, digits, '-' and '_' of a password), these are redacted:

- the password of a failed login: ``ERROR: Login incorrect, please try again: |user|pass|BAD|``;
- the agent's password in add_user's answers: ``… - api|agent_user|agent_pass|…`` and
  VICIdial's ``…: |api|agent_user|agent_pass|…``;
- the ``"password"`` of add_list's and active_lists' refusals (Elision's JSON);
- the values of ``pass``, ``agent_pass`` and ``phone_pass`` wherever a page echoes the
  query string (a web server's 404 page).

The secrets themselves are redacted too, in every form (`bridge.redaction`).
"""

import re
from collections.abc import Iterable

from bridge.elision.sanitising import secret_variants
from bridge.redaction import Redactor

ECHOES = (
    re.compile(r"\|[^|\r\n]*\|(?P<secret>[^|\r\n]*)\|BAD\|"),
    re.compile(r"add_user [A-Z ,]+?(?: - |: \|)[^|\r\n]*\|[^|\r\n]*\|(?P<secret>[^|\r\n]*)"),
    re.compile(r'"password"\s*:\s*"(?P<secret>(?:[^"\\]|\\.)*)"'),
)
SECRET_PARAMETERS = ("pass", "agent_pass", "phone_pass")


def echo_redactor(secrets: Iterable[str]) -> Redactor:
    """``secrets`` (the API password) and every echo of this API, redacted."""
    return Redactor(
        secrets, parameters=SECRET_PARAMETERS, patterns=ECHOES, variants=(secret_variants,)
    )
