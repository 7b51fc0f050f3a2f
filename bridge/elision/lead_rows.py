"""Leads as spec 004's add_multi_lead and add_lead rows, checked before they are sent.

A lead's number is sent as ``phone_code`` and the national ``phone_number``;
``Lead.language`` and ``Lead.priority`` have no field in this API and are not sent;
``Lead.custom`` keys are sent as custom fields.
"""

import json
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any
from urllib.parse import quote_plus

from bridge.elision.requests import REQUIRED
from bridge.errors import InvalidRequest
from bridge.interface import Lead

CUSTOM_KEY = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,49}$")

# Lead fields of add_multi_lead and add_lead, and the Lead attribute each comes from.
LEAD_FIELDS = (
    ("title", "title"),
    ("first_name", "first_name"),
    ("last_name", "last_name"),
    ("address1", "address"),
    ("city", "city"),
    ("postal_code", "postal_code"),
    ("email", "email"),
    ("comments", "notes"),
    ("vendor_lead_code", "vendor_lead_code"),
)
RESERVED_LEAD_KEYS = frozenset(
    {"source", "user", "pass", "function", "phone_number", "phone_code", "list_id"}
    | {"list_exists_check", "custom_fields", "multi_leads"}
    | {key for key, _ in LEAD_FIELDS}
)


def lead_row(lead: Lead, list_id: str) -> dict[str, str]:
    """The lead as add_multi_lead / add_lead fields."""
    row = {
        "phone_code": lead.phone.country_code,
        "phone_number": lead.phone.national_number,
        "list_id": list_id,
    }
    row.update({key: getattr(lead, name) for key, name in LEAD_FIELDS if getattr(lead, name)})
    row.update(lead.custom)
    return row


def check_custom_keys(leads: Iterable[Lead], *, dialer: str) -> None:
    """Refuse the leads if a custom key is not a name the API can take as a custom field."""
    for lead in leads:
        for key in lead.custom:
            if key in RESERVED_LEAD_KEYS or not CUSTOM_KEY.match(key):
                raise InvalidRequest(
                    f"custom field {key!r} cannot be sent: use a name of letters, digits "
                    "and '_' that is not one of the API's own fields",
                    dialer=dialer,
                )


def check_multi_lead_rows(rows: Sequence[Mapping[str, Any]], *, dialer: str) -> None:
    """Refuse add_multi_lead's rows unless there are some and each has its two fields."""
    if not rows:
        raise InvalidRequest(f"add_multi_lead {REQUIRED} (no leads)", dialer=dialer)
    for number, row in enumerate(rows, 1):
        missing = [k for k in ("phone_number", "list_id") if row.get(k) in (None, "")]
        if missing:
            raise InvalidRequest(
                f"add_multi_lead {REQUIRED} (lead {number} has no {missing[0]})", dialer=dialer
            )


def multi_leads(rows: Sequence[Mapping[str, Any]]) -> str:
    """add_multi_lead's ``multi_leads`` field: the rows as compact JSON."""
    return _compact_json(list(rows))


def multi_lead_size(row: Mapping[str, Any]) -> int:
    """How much ``row`` adds to add_multi_lead's encoded query, with its comma."""
    return len(quote_plus(_compact_json(row))) + len(quote_plus(","))


def check_lead_row(row: Mapping[str, str], *, dialer: str) -> None:
    """Refuse add_lead's row unless it has a ``phone_number``."""
    if not row.get("phone_number"):
        raise InvalidRequest(f"add_lead {REQUIRED} (phone_number)", dialer=dialer)


def add_lead_params(row: Mapping[str, str]) -> dict[str, str]:
    """add_lead's fields: ``row``, sent only to a list that exists, custom fields marked."""
    params = {**row, "list_exists_check": "Y"}
    if set(row) - RESERVED_LEAD_KEYS:
        params["custom_fields"] = "Y"
    return params


def _compact_json(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)
