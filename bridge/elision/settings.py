"""An Elision / VICIdial dialer's settings: the API user, its source name, the flavour."""

from typing import Annotated, Literal

from pydantic import AfterValidator
from pydantic_core import PydanticCustomError

from bridge.elision.requests import SOURCE
from bridge.settings import DialerSettingsBase, Secret, Text, UrlPath


def _source(value: str) -> str:
    if not SOURCE(value):
        raise PydanticCustomError("source", "must be 2-20 characters", {})
    return value


class ElisionSettings(DialerSettingsBase):
    """``flavour`` ``elision`` is ``/dialer/elision_api.php``; ``vicidial`` is stock
    ``/vicidial/non_agent_api.php``; ``path`` overrides the flavour's path."""

    kind: Literal["elision"] = "elision"
    api_user: Text
    api_pass: Secret
    source: Annotated[str, AfterValidator(_source)] = "crmbridge"
    flavour: Literal["elision", "vicidial"] = "elision"
    path: UrlPath | None = None
