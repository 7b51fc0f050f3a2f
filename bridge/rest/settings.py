"""A REST call-centre dialer's settings: where it is, the bridge's ``api_key``, and the
addresses its Event Push may come from (``event_push_sources``; empty: any)."""

import ipaddress
from typing import Annotated, Any, Literal

from pydantic import BeforeValidator
from pydantic_core import PydanticCustomError

from bridge.redaction import Redactor
from bridge.settings import DialerSettingsBase, Secret


def _networks(value: Any) -> Any:
    """``["203.0.113.7", "10.0.0.0/8"]`` as networks (an address is a network of one)."""
    if not isinstance(value, list | tuple):
        return value
    try:
        return tuple(ipaddress.ip_network(item, strict=False) for item in value)
    except (TypeError, ValueError):
        raise PydanticCustomError(
            "network", "give addresses or networks like 203.0.113.7 or 10.0.0.0/8"
        ) from None


# Addresses or networks (``"203.0.113.7"``, ``"10.0.0.0/8"``), as a tuple of networks.
Networks = Annotated[
    tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...], BeforeValidator(_networks)
]


class RestSettings(DialerSettingsBase):
    kind: Literal["rest"] = "rest"
    api_key: Secret
    # Addresses or networks (``"203.0.113.7"``, ``"10.0.0.0/8"``) the dialer pushes events from.
    event_push_sources: Networks = ()

    def redactor(self) -> Redactor:
        """The api_key, and the value of any ``api_key=`` a web server's page echoes."""
        return Redactor(self.secrets(), parameters=("api_key",))
