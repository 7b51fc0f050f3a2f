"""A REST call-centre dialer's settings: where it is and the bridge's ``api_key``."""

from typing import Literal

from bridge.redaction import Redactor
from bridge.settings import DialerSettingsBase, Secret


class RestSettings(DialerSettingsBase):
    kind: Literal["rest"] = "rest"
    api_key: Secret

    def redactor(self) -> Redactor:
        """The api_key, and the value of any ``api_key=`` a web server's page echoes."""
        return Redactor(self.secrets(), parameters=("api_key",))
