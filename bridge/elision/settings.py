"""An Elision / VICIdial dialer's settings: the API user, its source name, the flavour,
and how leads are sent (duplicate check, concurrency, the custom fields CRMs may fill)."""

from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BeforeValidator, Field
from pydantic_core import PydanticCustomError

from bridge.elision.echoes import echo_redactor
from bridge.elision.lead_rows import custom_field_problem
from bridge.elision.rules import SOURCE
from bridge.redaction import Redactor
from bridge.settings import DialerSettingsBase, Secret, Text, UrlPath


def _source(value: str) -> str:
    if not SOURCE(value):
        raise PydanticCustomError("source", "must be 2-20 characters", {})
    return value


def _as_tuple(value: Any) -> Any:
    """TOML writes arrays as lists; the settings keep tuples."""
    return tuple(value) if isinstance(value, list) else value


def _custom_fields(names: tuple[str, ...]) -> tuple[str, ...]:
    for name in names:
        if problem := custom_field_problem(name):
            raise PydanticCustomError("custom_field", "{problem}", {"problem": problem})
    return names


class ElisionSettings(DialerSettingsBase):
    """``flavour`` ``elision`` is ``/dialer/elision_api.php``; ``vicidial`` is stock
    ``/vicidial/non_agent_api.php``; ``path`` overrides the flavour's path.

    ``custom_fields`` are the custom field labels (defined on the dialer's lists) that a
    lead's ``custom`` may fill; any other key is refused. VICIdial's add_lead is sent with
    ``duplicate_check`` (a lead whose phone is already there is reported so, not added
    twice) and ``lead_concurrency`` requests at a time."""

    kind: Literal["elision"] = "elision"
    api_user: Text
    api_pass: Secret
    source: Annotated[str, AfterValidator(_source)] = "crmbridge"
    flavour: Literal["elision", "vicidial"] = "elision"
    path: UrlPath | None = None
    custom_fields: Annotated[
        tuple[str, ...], BeforeValidator(_as_tuple), AfterValidator(_custom_fields)
    ] = ()
    duplicate_check: Literal["DUPLIST", "DUPCAMP", "DUPSYS"] = "DUPLIST"
    lead_concurrency: Annotated[int, Field(ge=1, le=64)] = 8

    def redactor(self) -> Redactor:
        """The API password in every form, and every echo of a password in its answers."""
        return echo_redactor(self.secrets())
