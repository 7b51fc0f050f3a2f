"""Euphoria requests: the XML envelope, built by a serializer, and the contacts it carries.

A request is ``<XML><Tenant><Name/><Auth/></Tenant><ActionName/>…</XML>`` (spec 000),
serialized by ElementTree, so names with ``&``, ``<``, quotes or any Unicode survive.
``Contact`` vs ``Contacts``: the field table says ``Contacts``, the example
``<Contact>``; the example's ``<Contact>`` and ``<email>`` are what is sent.
"""

import re
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from dataclasses import dataclass

XML_DECLARATION = b'<?xml version="1.0" encoding="UTF-8"?>\n'
# Characters that XML 1.0 cannot carry at all, not even escaped.
_NOT_XML_CHAR = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")

Node = tuple[str, "str | Sequence[Node]"]


class UnsendableText(ValueError):
    """A value holds a character XML cannot carry; ``tag`` names its element (never the value)."""

    def __init__(self, tag: str) -> None:
        super().__init__(f"<{tag}> holds a character that XML cannot carry")
        self.tag = tag


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


@dataclass(frozen=True, slots=True)
class Contact:
    """One ``<Contact>`` of ``DialerTrickleFeed``; every tag is sent, empty or not."""

    phone_number: str
    title: str = ""
    first_name: str = ""
    surname: str = ""
    address: str = ""
    email: str = ""
    notes: str = ""
    language: str = ""
    custom1: str = ""
    custom2: str = ""
    custom3: str = ""
    custom4: str = ""
    custom5: str = ""
    crm_tag: str = ""
    assigned_to: str = ""


# (tag as sent, Contact field), in the example's order and spelling.
CONTACT_TAGS: tuple[tuple[str, str], ...] = (
    ("Title", "title"),
    ("FirstName", "first_name"),
    ("Surname", "surname"),
    ("Address", "address"),
    ("email", "email"),
    ("PhoneNumber", "phone_number"),
    ("Notes", "notes"),
    ("Language", "language"),
    ("Custom1", "custom1"),
    ("Custom2", "custom2"),
    ("Custom3", "custom3"),
    ("Custom4", "custom4"),
    ("Custom5", "custom5"),
    ("CrmTag", "crm_tag"),
    ("AssignedTo", "assigned_to"),
)


def contact_nodes(contact: Contact) -> list[Node]:
    return [(tag, getattr(contact, name)) for tag, name in CONTACT_TAGS]
