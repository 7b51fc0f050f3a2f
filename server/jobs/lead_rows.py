"""A lead as a CRM sends it (API body or CSV row), and as a job's row stores it.

`LeadBody` is the API's lead; `lead_row` normalises its number and makes the job row
(``failed`` with the reason if the number cannot be dialled); `lead_of` reads it back
when the row is sent.
"""

import json
from typing import Any

from pydantic import Field, model_validator

from bridge import InvalidNumber, Lead, PhoneNumber, normalise
from server.fields import (
    Code,
    CustomValue,
    Email,
    Identifier,
    Language,
    Line,
    Name,
    Notes,
    PhoneCode,
    PostalCode,
    ShortText,
)
from server.fields import PhoneNumber as PhoneText
from server.jobs.records import NewRow
from server.jobs.states import FAILED, PENDING
from server.request_body import Body

NO_LEAD = "{}"  # the data of a row refused before sending


class LeadBody(Body):
    phone_number: PhoneText | int
    phone_code: PhoneCode | int = ""
    first_name: Name = ""
    last_name: Name = ""
    title: ShortText = ""
    email: Email = ""
    address: Line = ""
    city: Name = ""
    postal_code: PostalCode = ""
    notes: Notes = ""
    language: Language = ""
    vendor_lead_code: Code = ""
    priority: int | None = None
    custom: dict[Identifier, CustomValue] = Field(default_factory=dict, max_length=50)

    @model_validator(mode="before")
    @classmethod
    def _null_is_empty(cls, raw: Any) -> Any:
        """CRMs export empty fields as ``null``: they mean "not given"."""
        return {k: v for k, v in raw.items() if v is not None} if isinstance(raw, dict) else raw

    def lead(self, region: str) -> Lead:
        number = normalise(
            str(self.phone_number), phone_code=str(self.phone_code), default_region=region
        )
        return Lead(phone=number, **self.model_dump(exclude={"phone_number", "phone_code"}))


def lead_row(idx: int, body: LeadBody, region: str) -> NewRow:
    """Row ``idx`` of a job: the lead with its number normalised, or refused with why."""
    try:
        lead = body.lead(region)
    except InvalidNumber as error:
        return NewRow(idx, FAILED, str(body.phone_number), NO_LEAD, str(error))
    return NewRow(idx, PENDING, lead.phone.digits, lead_data(lead))


def lead_data(lead: Lead) -> str:
    phone = lead.phone
    fields: dict[str, Any] = {
        "phone": [phone.e164, phone.display, phone.country_code, phone.national_number]
    }
    for name in Lead.__dataclass_fields__:
        value = getattr(lead, name)
        if name != "phone" and value not in ("", None, {}):
            fields[name] = value
    return json.dumps(fields, ensure_ascii=False, separators=(",", ":"))


def lead_of(data: str) -> Lead:
    fields = json.loads(data)
    return Lead(phone=PhoneNumber(*fields.pop("phone")), **fields)
