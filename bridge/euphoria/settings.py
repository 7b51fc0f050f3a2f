"""A Euphoria dialer's settings: the tenant name, its API auth code, the endpoint's path."""

from typing import Literal

from bridge.settings import DialerSettingsBase, Secret, Text, UrlPath


class EuphoriaSettings(DialerSettingsBase):
    kind: Literal["euphoria"] = "euphoria"
    tenant_name: Text
    auth_code: Secret
    path: UrlPath = "/api/"
