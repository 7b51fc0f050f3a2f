"""add_multi_lead (Elision) and add_lead (VICIdial, with its duplicate check and custom fields)."""

import json
import re
from typing import Any

from aiohttp import web

from simulators.elision.answers import answer, line, php_json
from simulators.elision.requests import Call, digits
from simulators.elision.sanitising import LEAD_FIELDS, custom_value, stored
from simulators.elision.state import ElisionState


def _scalar(value: Any) -> str:
    """A JSON value as PHP would print it into a query (numbers and text alike)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else ""
    return value if isinstance(value, str) else json.dumps(value)


def add_multi_lead(call: Call) -> web.Response:
    if not call.may_modify():
        reason = "add_multi_lead USER DOES NOT HAVE PERMISSION TO ADD LEADS TO THE SYSTEM"
        return php_json(["ERROR", reason, call.user, "0"])
    try:
        rows = json.loads(call.text("multi_leads"))
    except ValueError:
        rows = None
    if not isinstance(rows, list) or not rows or not all(isinstance(r, dict) for r in rows):
        return php_json(["ERROR", "add_multi_lead YOU MUST USE ALL REQUIRED FIELDS", call.user, ""])
    return php_json({f"lead {n}": _multi_lead(call.state, row) for n, row in enumerate(rows, 1)})


def _multi_lead(state: ElisionState, row: dict[str, Any]) -> dict[str, Any]:
    phone, list_id = _scalar(row.get("phone_number")), _scalar(row.get("list_id"))
    phone_code = _scalar(row.get("phone_code")) or "1"
    if not digits(phone, 6, 16) or not digits(phone_code, 1, 4):
        return {"success": False, "message": "Invalid phone number", "data": phone}
    if list_id not in state.lists:
        return {"success": False, "message": "Invalid list id", "data": list_id}
    fields = {key: _scalar(value) for key, value in row.items()}
    lead_id = state.add_lead(phone, list_id, {**fields, "phone_code": phone_code})
    return {
        "success": True,
        "message": "Record(s) Created",
        "data": f"{phone}|{list_id}|{lead_id}||NEW|",
    }


DUPLICATE_SCOPES = (("DUPLIST", "LIST"), ("DUPCAMP", "CAMPAIGN LISTS"), ("DUPSYS", "SYSTEM"))


def add_lead(call: Call) -> web.Response:
    user, state = call.user, call.state
    if not call.may_modify():
        reason = "add_lead USER DOES NOT HAVE PERMISSION TO ADD LEADS TO THE SYSTEM"
        return line("ERROR", reason, user, "0")
    phone = call.text("phone_number")
    if not digits(phone, 6, 16):
        return line("ERROR", "add_lead INVALID PHONE NUMBER LENGTH", phone, user)
    list_id = re.sub(r"[^0-9]", "", call.text("list_id")) or "999"
    if call.get("list_exists_check") == "Y" and list_id not in state.lists:
        reason = "add_lead NOT A DEFINED LIST ID, LIST EXISTS CHECK ENABLED"
        return line("ERROR", reason, phone, list_id)
    for option, scope in DUPLICATE_SCOPES:
        if option in call.text("duplicate_check").upper():
            found = state.duplicate(phone, list_id, scope)
            if found is not None:
                data = [phone, list_id, found["lead_id"]]
                data += [] if scope == "LIST" else [found["list_id"]]
                return line("ERROR", f"add_lead DUPLICATE PHONE NUMBER IN {scope}", *data)
    fields = {k: stored(k, v) for k, v in call.query.items() if k in LEAD_FIELDS}
    custom, notice = _custom_fields(call, list_id)
    lead_id = state.add_lead(phone, list_id, {"phone_code": "1", **fields, **custom})
    added = line("SUCCESS", "add_lead LEAD HAS BEEN ADDED", phone, list_id, lead_id, "0", user)
    if notice:
        return answer(added.text + f"NOTICE: add_lead {notice} - {phone}|{lead_id}|{list_id}\n")
    return added


def _custom_fields(call: Call, list_id: str) -> tuple[dict[str, str], str]:
    """The custom fields add_lead stores (``custom_fields=Y``: the list's labels given),
    and the NOTICE VICIdial writes about them (none without ``custom_fields=Y``)."""
    if call.get("custom_fields") != "Y":
        return {}, ""
    labels = call.state.list_fields.get(list_id, ())
    if not labels:
        return {}, "CUSTOM FIELDS NOT ADDED, NO CUSTOM FIELDS DEFINED FOR THIS LIST"
    given = {label: custom_value(call.text(label)) for label in labels if label in call.query}
    return given, "CUSTOM FIELDS VALUES ADDED"
