"""``DialerTrickleFeed``: contacts into a campaign's list (spec 000)."""

from xml.etree.ElementTree import Element

from aiohttp import web

from simulators.euphoria.answers import Refusal, xml_answer
from simulators.euphoria.requests import child, text
from simulators.euphoria.state import STATE

TRICKLE_FEED = "DialerTrickleFeed"
CONTACT_TAGS = (
    "Title",
    "FirstName",
    "Surname",
    "Address",
    "email",
    "PhoneNumber",
    "Notes",
    "Language",
    "Custom1",
    "Custom2",
    "Custom3",
    "Custom4",
    "Custom5",
    "CrmTag",
    "AssignedTo",
)
FEED_INPUT_ERROR = "Incorrect Input Parameters. Please check the documentation"  # spec 000


async def trickle_feed(request: web.Request, root: Element, tenant: str) -> web.Response:
    contacts_list = child(root, "ContactsList")
    required = ("ListName", "CampaignName", "DataSource")
    if contacts_list is None or any(child(root, name) is None for name in required):
        raise Refusal(FEED_INPUT_ERROR)
    list_name, campaign = text(root, "ListName").strip(), text(root, "CampaignName").strip()
    priority = _priority(text(root, "priority").strip())
    contacts = [_contact(element) for element in contacts_list]
    if not list_name or not campaign or not contacts:
        raise Refusal(FEED_INPUT_ERROR)
    data_source = text(root, "DataSource")
    stored = [{**c, "priority": priority, "DataSource": data_source} for c in contacts]
    lists = request.app[STATE].contacts.setdefault(tenant, {}).setdefault(campaign, {})
    lists.setdefault(list_name, []).extend(stored)
    return xml_answer(f" <Success>True</Success>\n <ContactsAdded>{len(contacts)}</ContactsAdded>")


def _priority(text: str) -> int:
    if not text:
        return 5
    if not text.isdigit() or not 1 <= int(text) <= 10:
        raise Refusal(FEED_INPUT_ERROR)
    return int(text)


def _contact(element: Element) -> dict[str, str]:
    if not isinstance(element.tag, str) or element.tag.casefold() not in ("contact", "contacts"):
        raise Refusal(FEED_INPUT_ERROR)
    if any(child(element, tag) is None for tag in CONTACT_TAGS):
        raise Refusal(FEED_INPUT_ERROR)
    contact = {tag: text(element, tag) for tag in CONTACT_TAGS}
    if not contact["PhoneNumber"].strip():
        raise Refusal(FEED_INPUT_ERROR)
    return contact
