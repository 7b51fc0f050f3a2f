"""Leads as spec 004's add_multi_lead and add_lead rows, checked before they are sent.

A lead's number is sent as ``phone_code`` and the national ``phone_number``;
``Lead.language`` and ``Lead.priority`` have no field in this API and are not sent.
``Lead.custom`` keys are sent as custom fields, and only those the dialer's settings
allow (``custom_fields``: the labels defined on its lists). A custom field can never
bear the name of one of the API's own parameters, or a CRM could steer the call
(``duplicate_check``, ``add_to_hopper``, ``callback``, ...). add_lead is sent with
``list_exists_check=Y``, the configured ``duplicate_check``, and ``custom_fields=Y``
when it carries custom fields (VICIdial takes them only then).
"""

import json
import re
from collections.abc import Collection, Iterable, Mapping, Sequence
from typing import Any
from urllib.parse import quote_plus

from bridge.elision.rules import REQUIRED
from bridge.elision.sanitising import LEAD_TEXT, stored_custom_value
from bridge.errors import InvalidRequest
from bridge.interface import Lead

CUSTOM_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,49}")

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
STANDARD_KEYS = frozenset({"phone_code", "phone_number", "list_id"} | {k for k, _ in LEAD_FIELDS})
# The API's own parameters of add_lead and add_multi_lead (VICIdial's non-agent API
# documentation), and the lead fields of its vicidial_list table.
API_PARAMETERS = frozenset(
    {"source", "user", "pass", "function", "format", "DB", "multi_leads", "archived_lead"}
    | {"dnc_check", "campaign_dnc_check", "campaign_id", "add_to_hopper", "hopper_priority"}
    | {"hopper_local_call_time_check", "duplicate_check", "usacan_prefix_check"}
    | {"usacan_areacode_check", "nanpa_ac_prefix_check", "custom_fields", "tz_method"}
    | {"callback", "callback_status", "callback_datetime", "callback_type", "callback_user"}
    | {"callback_comments", "lookup_state", "list_exists_check", "entry_list_id"}
    | {"lead_id", "vendor_lead_code", "source_id", "list_id", "gmt_offset_now", "status"}
    | {"called_since_last_reset", "phone_code", "phone_number", "title", "first_name"}
    | {"middle_initial", "last_name", "address1", "address2", "address3", "city", "state"}
    | {"province", "postal_code", "country_code", "gender", "date_of_birth", "alt_phone"}
    | {"email", "security_phrase", "comments", "called_count", "last_local_call_time"}
    | {"rank", "owner", "multi_alt_phones", "entry_date", "modify_date", "user_field"}
)
_API_PARAMETERS = frozenset(name.lower() for name in API_PARAMETERS)


def custom_field_problem(name: str) -> str | None:
    """Why ``name`` cannot be a custom field, or None if it can."""
    if not CUSTOM_KEY.fullmatch(name):
        return f"custom field {name!r}: use 1-50 letters, digits and '_', not starting with a digit"
    if name.lower() in _API_PARAMETERS:
        return f"custom field {name!r} is one of the API's own parameters and cannot be sent"
    return None


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


def check_custom_keys(leads: Iterable[Lead], allowed: Collection[str], *, dialer: str) -> None:
    """Refuse the leads if a custom key is not one of the ``allowed`` custom fields."""
    for lead in leads:
        for key in lead.custom:
            if problem := custom_field_problem(key):
                raise InvalidRequest(problem, dialer=dialer)
            if key not in allowed:
                raise InvalidRequest(
                    f"custom field {key!r} is not one this dialer takes: add its label to "
                    "the dialer's custom_fields setting (the labels defined on its lists)",
                    dialer=dialer,
                )


def stored_as(lead: Lead) -> dict[str, str]:
    """The lead's fields VICIdial stores otherwise than sent, by the lead's names (custom
    fields as ``custom.<name>``), with the value it stores."""
    stored = {}
    for key, name in LEAD_FIELDS:
        value = getattr(lead, name)
        if value and LEAD_TEXT[key].stored(value) != value:
            stored[name] = LEAD_TEXT[key].stored(value)
    for key, value in lead.custom.items():
        if stored_custom_value(value) != value:
            stored[f"custom.{key}"] = stored_custom_value(value)
    return stored


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


def add_lead_params(row: Mapping[str, str], *, duplicate_check: str) -> dict[str, str]:
    """add_lead's fields: ``row``, sent only to a list that exists, checked for a
    duplicate, custom fields marked."""
    params = {**row, "list_exists_check": "Y", "duplicate_check": duplicate_check}
    if set(row) - STANDARD_KEYS:
        params["custom_fields"] = "Y"
    return params


def _compact_json(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)
