"""Reading a request to the Euphoria simulator: the XML, the tenant, element texts.

Element names are matched without regard to case (``email``/``Email``)."""

import hmac
from xml.etree.ElementTree import Element

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import ParseError, fromstring

from simulators.euphoria.answers import Refusal


def parse(body: bytes) -> Element:
    try:
        root = fromstring(body, forbid_dtd=True)
    except (ParseError, DefusedXmlException, ValueError):
        raise Refusal("Input XML not loaded") from None
    if root.tag != "XML":
        raise Refusal("No Document Element")
    return root


def child(parent: Element, name: str) -> Element | None:
    wanted = name.casefold()
    return next((c for c in parent if isinstance(c.tag, str) and c.tag.casefold() == wanted), None)


def text(parent: Element, name: str) -> str:
    element = child(parent, name)
    return "" if element is None else (element.text or "")


def authenticate(root: Element, tenants: dict[str, str]) -> str:
    tenant = child(root, "Tenant")
    name = "" if tenant is None else text(tenant, "Name").strip()
    auth = "" if tenant is None else text(tenant, "Auth").strip()
    expected = tenants.get(name)
    if not name or expected is None or not hmac.compare_digest(auth.encode(), expected.encode()):
        raise Refusal("Authorization Failed")
    return name
