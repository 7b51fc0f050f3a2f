"""The webhook variables of the spec's table, their values for a call, and filling them in.

A variable is a name in braces, ``{CALL_NUMBER}``; any braced name that is not in
`VARIABLES` is refused when a webhook is saved. Values are plain text here: the caller
encodes them for where they go (`fill` takes the encoder), so a value with ``&``,
quotes or non-ASCII arrives exactly.

The three DATETIME variables are formatted as the spec's examples show them, although
their names look swapped: ``{DATETIME_DATE}`` is ``2020-01-01_00-00-00``,
``{DATETIME_TIME}`` ``00-00-00`` and ``{DATETIME}`` ``2020-01-01`` (UTC).
"""

import datetime as dt
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

VARIABLES: dict[str, str] = {
    "CALLERID_NAME": "name of the contact (calling or called)",
    "CALLERID_NUMBER": "phone number of the contact",
    "CALLERID": "NAME <NUMBER@PBX-HOST>",
    "CALL_CRMTAG": "the crm_tag the CRM passed with click-to-call",
    "CALL_DIR": "incoming or outgoing",
    "CALL_DISPOSITION": "the agent's disposition (Success, Unsure, Failed, Failed Contact)",
    "CALL_DURATION": "whole seconds since the call was answered (0 if it was not)",
    "CALL_NOTES": "the agent's notes",
    "CALL_NUMBER": "phone number of the contact",
    "CALL_OUTCOME": "the agent's outcome (e.g. Voicemail)",
    "CALL_QUEUE": "the call's queue",
    "CALL_SIPID": "the dialer's unique id of the call",
    "DATETIME_DATE": "2020-01-01_00-00-00",
    "DATETIME_TIME": "00-00-00",
    "DATETIME": "2020-01-01",
    "DYNAMIC_PARAMETER": "what the agent's manual run passed",
    "EXTENSION_NO": "the agent's extension, e.g. 100",
    "EXTENSION": "extension-tenant, e.g. 100-Acme",
}
_BRACED = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")


def unknown_variables(texts: Iterable[str]) -> list[str]:
    """The braced names in ``texts`` that are not variables, each once, in order."""
    found: dict[str, None] = {}
    for text in texts:
        for name in _BRACED.findall(text):
            if name not in VARIABLES:
                found[f"{{{name}}}"] = None
    return list(found)


def fill(template: str, values: dict[str, str], encode: Callable[[str], str] = str) -> str:
    """``template`` with each ``{VARIABLE}`` replaced by its value, encoded."""
    return _BRACED.sub(lambda match: encode(values.get(match.group(1), "")), template)


@dataclass(frozen=True, slots=True)
class CallFacts:
    """What the variables are made of: the call (if any), its agent, its tenant."""

    tenant_name: str
    pbx_host: str
    extension: str = ""
    call_id: str = ""
    direction: str = ""
    number: str = ""
    caller_name: str = ""
    queue: str = ""
    crm_tag: str = ""
    disposition: str = ""
    outcome: str = ""
    notes: str = ""
    answered_at: float | None = None
    ended_at: float | None = None
    dynamic_parameter: str = ""


def variable_values(facts: CallFacts, now: float) -> dict[str, str]:
    """Every variable's value for ``facts`` at ``now`` (epoch seconds)."""
    moment = dt.datetime.fromtimestamp(now, dt.UTC)
    duration = 0
    if facts.answered_at is not None:
        duration = max(0, int((facts.ended_at or now) - facts.answered_at))
    return {
        "CALLERID_NAME": facts.caller_name,
        "CALLERID_NUMBER": facts.number,
        "CALLERID": f"{facts.caller_name} <{facts.number}@{facts.pbx_host}>",
        "CALL_CRMTAG": facts.crm_tag,
        "CALL_DIR": "incoming" if facts.direction == "inbound" else "outgoing",
        "CALL_DISPOSITION": facts.disposition,
        "CALL_DURATION": str(duration),
        "CALL_NOTES": facts.notes,
        "CALL_NUMBER": facts.number,
        "CALL_OUTCOME": facts.outcome,
        "CALL_QUEUE": facts.queue,
        "CALL_SIPID": facts.call_id,
        "DATETIME_DATE": moment.strftime("%Y-%m-%d_%H-%M-%S"),
        "DATETIME_TIME": moment.strftime("%H-%M-%S"),
        "DATETIME": moment.strftime("%Y-%m-%d"),
        "DYNAMIC_PARAMETER": facts.dynamic_parameter,
        "EXTENSION_NO": facts.extension,
        "EXTENSION": f"{facts.extension}-{facts.tenant_name}" if facts.extension else "",
    }
