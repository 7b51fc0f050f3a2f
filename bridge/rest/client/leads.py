"""``/api/phone_list/{id}/lead``: the leads of a phone list (a phone at most once per list)."""

from __future__ import annotations  # a method named ``list`` shadows the builtin in the class

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

from bridge.errors import InvalidRequest
from bridge.rest.client.records import identifier, mapping, optional_integer, optional_text
from bridge.rest.client.resource import Resource, each


@dataclass(frozen=True, slots=True)
class PhoneListLead:
    """One lead; ``None`` fields are not sent, so the dialer's defaults apply."""

    phone: str
    name: str | None = None
    lead_id: str | None = None
    priority: int | None = None  # larger first; the dialer's default is 0
    tags: str | None = None
    ext_api_vars: Mapping[str, Any] | None = field(default=None, hash=False)

    def to_json(self) -> dict[str, Any]:
        values = {
            "phone": self.phone,
            "name": self.name,
            "lead_id": self.lead_id,
            "priority": self.priority,
            "tags": self.tags,
            "ext_api_vars": None if self.ext_api_vars is None else dict(self.ext_api_vars),
        }
        return {key: value for key, value in values.items() if value is not None}

    @classmethod
    def from_record(cls, value: Any) -> PhoneListLead:
        record = mapping(value, "lead")
        ext_api_vars = record.get("ext_api_vars")
        lead_id = record.get("lead_id")
        return cls(
            phone=identifier(record.get("phone"), "phone"),
            name=optional_text(record.get("name"), "name"),
            lead_id=None if lead_id is None else identifier(lead_id, "lead_id"),
            priority=optional_integer(record.get("priority"), "priority"),
            tags=optional_text(record.get("tags"), "tags"),
            ext_api_vars=None if ext_api_vars is None else mapping(ext_api_vars, "ext_api_vars"),
        )


class Leads(Resource):
    """``adapter.leads``: list, add, update, delete, delete_many (by phone list id)."""

    async def list(self, list_id: int) -> list[PhoneListLead]:
        envelope = await self._connection.read(_path(list_id))
        return self._data(envelope, each(PhoneListLead.from_record))

    async def add(self, list_id: int, leads: PhoneListLead | Sequence[PhoneListLead]) -> None:
        """Add one lead (sent as an object) or several (sent as an array, all or none)."""
        if isinstance(leads, PhoneListLead):
            body: Any = self._lead(leads)
        else:
            body = [self._lead(lead) for lead in leads]
        await self._connection.call("POST", _path(list_id), json_body=body)

    async def update(
        self,
        list_id: int,
        phone: str,
        *,
        name: str | None = None,
        lead_id: str | None = None,
        priority: int | None = None,
        tags: str | None = None,
        ext_api_vars: Mapping[str, Any] | None = None,
    ) -> None:
        """Change only the given fields of the lead with ``phone``."""
        changes = PhoneListLead(phone, name, lead_id, priority, tags, ext_api_vars).to_json()
        del changes["phone"]
        await self._connection.call("PUT", _path(list_id, self._phone(phone)), json_body=changes)

    async def delete(self, list_id: int, phone: str) -> None:
        await self._connection.call("DELETE", _path(list_id, self._phone(phone)))

    async def delete_many(self, list_id: int, phones: Sequence[str]) -> None:
        """Delete the leads with these phones (a JSON array of phones in the body)."""
        body = [self._phone(phone) for phone in phones]
        await self._connection.call("DELETE", _path(list_id), json_body=body)

    def _lead(self, lead: PhoneListLead) -> dict[str, Any]:
        self._phone(lead.phone)
        return lead.to_json()

    def _phone(self, phone: str) -> str:
        if not phone.strip():
            raise InvalidRequest("a lead needs a phone number", dialer=self.dialer)
        return phone


def _path(list_id: int, phone: str | None = None) -> str:
    path = f"/api/phone_list/{list_id}/lead"
    return path if phone is None else f"{path}/{quote(phone, safe='')}"
