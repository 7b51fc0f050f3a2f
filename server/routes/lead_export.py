"""Export To Dialer: ``POST /api/v1/crm/leads`` pushes a batch of leads into a list.

Body: ``{dialer, list: {list_id, name?, campaign?}, create_list?: bool, leads: [{
phone_number, phone_code?, first_name?, last_name?, title?, email?, address?, city?,
postal_code?, notes?, language?, vendor_lead_code?, priority?, custom?}]}``.

A body of the wrong shape is refused whole, naming the field (``leads.3.priority``).
Numbers are normalised first; a lead whose number cannot be dialled is reported and
not sent. With ``create_list`` the list is created first (the "new list" case) and the
leads go to it, under the id the dialer gave it (``list_id`` in the answer). The
batching and the partial-failure rule are `bridge.export_leads`'s. The answer has one
outcome per lead, in the order sent, each with its ``status`` (`bridge.LeadStatus`:
``added``, ``already_there``, ``failed``, ``not_sent``, ``unknown``; ``ok`` is true for
the first two) and, where the dialer stores a field otherwise than sent, ``stored_as``;
and the count of each status.
"""

from typing import Any

from aiohttp import web
from pydantic import Field, model_validator

from bridge import LEAD_STATUSES, InvalidNumber, Lead, LeadOutcome, normalise
from bridge import export_leads as export_to_dialer
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
    PhoneNumber,
    PostalCode,
    ShortText,
)
from server.request_body import Body, read_json
from server.routes.dialer_lists import ListBody, tenant_dialer

MAX_LEADS = 100_000


class LeadBody(Body):
    phone_number: PhoneNumber | int
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


class ExportBody(Body):
    dialer: Identifier
    target: ListBody = Field(alias="list")
    create_list: bool = False
    leads: list[LeadBody] = Field(min_length=1, max_length=MAX_LEADS)


async def export_leads(request: web.Request) -> web.Response:
    body = await read_json(request, ExportBody)
    tenant, adapter = tenant_dialer(request, body.dialer)
    outcomes: dict[int, dict[str, Any]] = {}
    valid: list[tuple[int, Lead]] = []
    for index, raw in enumerate(body.leads):
        try:
            valid.append((index, raw.lead(tenant.default_region)))
        except InvalidNumber as error:
            outcomes[index] = {"status": "failed", "ok": False, "message": str(error)}
    dialer_list = body.target.dialer_list()
    if body.create_list:
        dialer_list = await adapter.create_list(dialer_list)
    results = await export_to_dialer(adapter, dialer_list, [lead for _, lead in valid])
    for (index, _), result in zip(valid, results, strict=True):
        outcomes[index] = _outcome(result)
    leads = [{"index": index, **outcomes[index]} for index in range(len(body.leads))]
    counts = {status: sum(o["status"] == status for o in leads) for status in LEAD_STATUSES}
    return web.json_response(
        {"dialer": adapter.name, "list_id": dialer_list.list_id, **counts, "leads": leads},
        status=200 if all(o["ok"] for o in leads) else 207,
    )


def _outcome(result: LeadOutcome) -> dict[str, Any]:
    outcome: dict[str, Any] = {
        "phone": result.phone,
        "status": result.status,
        "ok": result.ok,
        "message": result.message,
    }
    if result.stored_as:
        outcome["stored_as"] = result.stored_as
    return outcome


def add_routes(crm_api: web.Application) -> None:
    crm_api.router.add_post("/leads", export_leads)
