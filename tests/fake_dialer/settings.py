"""An Acme dialer's settings: where it is and the bridge's bearer token."""

from typing import Literal

from bridge.settings import DialerSettingsBase, Secret


class AcmeSettings(DialerSettingsBase):
    kind: Literal["acme"] = "acme"
    token: Secret
