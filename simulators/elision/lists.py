"""add_list (both flavours' answers) and active_lists."""

from aiohttp import web

from simulators.elision.answers import envelope, line
from simulators.elision.requests import Call, digits, sized


def list_row(list_id: str, name: str, campaign: str, active: str) -> dict[str, str]:
    return {"list_id": list_id, "list_name": name, "campaign_id": campaign, "active": active}


def _list_refusal(call: Call, list_id: str, name: str, campaign: str) -> str | None:
    """Why add_list is refused: permission, required, campaign, duplicate, active; or None."""
    name_min = 6 if call.state.flavour == "elision" else 2
    if not call.may_modify():
        return "permission"
    if not (digits(list_id, 2, 14) and sized(name, name_min, 30) and sized(campaign, 2, 8)):
        return "required"
    if campaign not in call.state.campaigns:
        return "campaign"
    if list_id in call.state.lists:
        return "duplicate"
    if call.get("active") not in (None, "", "Y", "N"):
        return "active"
    return None


def add_list(call: Call) -> web.Response:
    list_id, name, campaign = (call.text(k) for k in ("list_id", "list_name", "campaign_id"))
    refusal = _list_refusal(call, list_id, name, campaign)
    if refusal is None:
        call.state.lists[list_id] = list_row(list_id, name, campaign, call.get("active") or "N")
    if call.state.flavour == "vicidial":
        return _vicidial_list_answer(call, refusal, list_id, name, campaign)
    data = {"list_id": list_id, "list_name": name, "campaign_id": campaign}
    match refusal:
        case "permission":
            message = f"{call.user} User does not have permission to add list in the system"
            return envelope(False, message, {"user": call.user, "password": call.text("pass")})
        case "required":
            return envelope(False, "Please send list id , campaign id and list name", data)
        case "campaign":
            return envelope(False, f"{campaign} campaign does not exist", data)
        case "duplicate":
            return envelope(False, f"{list_id} list already exist", data)
        case "active":
            return envelope(False, "active must be Y or N", data)
    return envelope(True, f"{list_id} list created", data)


def _vicidial_list_answer(
    call: Call, refusal: str | None, list_id: str, name: str, campaign: str
) -> web.Response:
    user = call.user
    match refusal:
        case "permission":
            return line("ERROR", "add_list USER DOES NOT HAVE PERMISSION TO ADD LISTS", user, "0")
        case "required":
            reason = "add_list YOU MUST USE ALL REQUIRED FIELDS"
            return line("ERROR", reason, user, list_id, name, campaign)
        case "campaign":
            return line("ERROR", "add_list CAMPAIGN DOES NOT EXIST", user, campaign)
        case "duplicate":
            return line("ERROR", "add_list LIST ALREADY EXISTS", user, list_id)
        case "active":
            reason = "add_list ACTIVE MUST BE Y OR N, THIS IS AN OPTIONAL FIELD"
            return line("ERROR", reason, user, call.text("active"))
    return line("SUCCESS", "add_list LIST HAS BEEN ADDED", user, list_id, campaign)


def active_lists(call: Call) -> web.Response:
    if call.api is None:
        message = f"{call.user} User does not have permission to view lists in the system"
        return envelope(False, message, {"user": call.user, "password": call.text("pass")})
    entries = [
        f"{row['campaign_id']}-{row['list_id']}-{row['list_name']}"
        for row in call.state.lists.values()
        if row["active"] == "Y"
    ]
    return envelope(True, "lists are listed successfully", entries)
