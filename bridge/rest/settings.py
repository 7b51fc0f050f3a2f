"""A REST call-centre dialer's settings: where it is and the bridge's ``api_key``."""

from typing import Literal

from bridge.settings import DialerSettingsBase, Secret


class RestSettings(DialerSettingsBase):
    kind: Literal["rest"] = "rest"
    api_key: Secret
