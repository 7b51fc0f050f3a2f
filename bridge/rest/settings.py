"""A REST call-centre dialer's settings: where it is, the bridge's ``api_key``, and the
addresses its Event Push may come from (``event_push_sources``; empty: any)."""

from typing import Literal

from bridge.redaction import Redactor
from bridge.settings import DialerSettingsBase, Networks, Secret


class RestSettings(DialerSettingsBase):
    kind: Literal["rest"] = "rest"
    api_key: Secret
    # Addresses or networks (``"203.0.113.7"``, ``"10.0.0.0/8"``) the dialer pushes events from.
    event_push_sources: Networks = ()

    def redactor(self) -> Redactor:
        """The api_key, and the value of any ``api_key=`` a web server's page echoes."""
        return Redactor(self.secrets(), parameters=("api_key",))
