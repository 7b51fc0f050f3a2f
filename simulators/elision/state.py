"""The Elision simulator's state: users (API users among them), lists and leads, in memory."""

from dataclasses import asdict, dataclass, field
from typing import Any

from aiohttp import web

from simulators.control import SimulatorControl

ELISION_PATH = "/dialer/elision_api.php"
VICIDIAL_PATH = "/vicidial/non_agent_api.php"
DEFAULT_API_USERS = {"api": ("1234", 9)}  # the spec's example API user
DEFAULT_USER_GROUPS = ("ADMIN", "AGENTS")
DEFAULT_CAMPAIGNS = ("TESTCAMP", "SALESCMP", "SUPPORT")
DEFAULT_PHONES = ("1000", "1001", "1002", "2002")
FIRST_LEAD_ID = 1036
VERSION, BUILD = "2.14-917", "250720-1841"
MODIFY_LEVEL = 8  # the level an API user needs to add or change anything


@dataclass(slots=True)
class User:
    user: str
    password: str = field(repr=False)
    full_name: str
    user_level: int
    user_group: str
    phone_login: str = ""
    phone_pass: str = field(default="", repr=False)
    voicemail_id: str = ""
    email: str = ""
    active: str = "Y"

    def public(self) -> dict[str, Any]:
        shown = asdict(self)
        del shown["password"], shown["phone_pass"]
        return shown


@dataclass(slots=True)
class ElisionState:
    flavour: str
    users: dict[str, User]
    api_users: frozenset[str]
    user_groups: set[str]
    campaigns: set[str]
    phones: set[str]
    lists: dict[str, dict[str, str]] = field(default_factory=dict)
    leads: list[dict[str, str]] = field(default_factory=list)
    next_lead_id: int = FIRST_LEAD_ID

    def snapshot(self) -> dict[str, Any]:
        return {
            "users": [user.public() for user in self.users.values()],
            "lists": list(self.lists.values()),
            "leads": self.leads,
        }

    def add_lead(self, phone: str, list_id: str, fields: dict[str, str]) -> str:
        lead_id = str(self.next_lead_id)
        self.next_lead_id += 1
        self.leads.append(
            {
                **fields,
                "lead_id": lead_id,
                "list_id": list_id,
                "phone_number": phone,
                "status": "NEW",
            }
        )
        return lead_id


STATE = web.AppKey("elision_state", ElisionState)
CONTROL = web.AppKey("elision_control", SimulatorControl)
