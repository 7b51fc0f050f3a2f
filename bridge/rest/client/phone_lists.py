"""``/api/phone_list``: phone lists (dialer lead lists, Do Not Call lists, ...)."""

from __future__ import annotations  # a method named ``list`` shadows the builtin in the class

import builtins
from dataclasses import dataclass
from typing import Any

from bridge.errors import InvalidRequest
from bridge.rest.client.records import integer, mapping, optional_integer, text
from bridge.rest.client.resource import Resource, each

PATH = "/api/phone_list"


@dataclass(frozen=True, slots=True)
class PhoneList:
    id: int
    name: str
    account_id: int | None = None
    list_rows: int | None = None  # number of leads

    @classmethod
    def from_record(cls, value: Any) -> PhoneList:
        record = mapping(value, "phone list")
        return cls(
            id=integer(record.get("id"), "id"),
            name=text(record.get("name"), "name"),
            account_id=optional_integer(record.get("account_id"), "account_id"),
            list_rows=optional_integer(record.get("list_rows"), "list_rows"),
        )


class PhoneLists(Resource):
    """``adapter.phone_lists``: list, get, query, create, update, delete."""

    async def list(self) -> builtins.list[PhoneList]:
        envelope = await self._connection.read(PATH)
        return self._data(envelope, each(PhoneList.from_record))

    async def get(self, list_id: int) -> PhoneList:
        envelope = await self._connection.read(f"{PATH}/{list_id}")
        return self._data(envelope, PhoneList.from_record)

    async def query(self, q: str) -> builtins.list[PhoneList]:
        """Phone lists whose name matches ``q``."""
        envelope = await self._connection.read(f"{PATH}/", params={"q": q})
        return self._data(envelope, each(PhoneList.from_record))

    async def create(self, name: str) -> PhoneList:
        body = {"name": self._name(name)}
        envelope = await self._connection.call("POST", PATH, json_body=body)
        return self._data(envelope, PhoneList.from_record)

    async def update(self, list_id: int, *, name: str | None = None) -> None:
        """Change only what is given (a phone list has one writable field: its name)."""
        body = {} if name is None else {"name": self._name(name)}
        await self._connection.call("PUT", f"{PATH}/{list_id}", json_body=body)

    async def delete(self, list_id: int) -> None:
        await self._connection.call("DELETE", f"{PATH}/{list_id}")

    def _name(self, name: str) -> str:
        if not name.strip():
            raise InvalidRequest("a phone list needs a name", dialer=self.dialer)
        return name
