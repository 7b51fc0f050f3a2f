"""The Elision simulator's state: users (API users among them), lists and leads, in memory."""

import time
from collections.abc import Callable
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
LOCK_ATTEMPTS = 10  # VICIdial: failed logins that lock a user ...
LOCK_SECONDS = 15 * 60  # ... for 15 minutes after its last good login


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
    failed_logins: int = 0
    last_login_at: float | None = None  # the clock's time of its last good login

    def public(self) -> dict[str, Any]:
        shown = asdict(self)
        for hidden in ("password", "phone_pass", "failed_logins", "last_login_at"):
            del shown[hidden]
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
    list_fields: dict[str, tuple[str, ...]] = field(default_factory=dict)  # custom fields
    leads: list[dict[str, str]] = field(default_factory=list)
    # The leads of each phone number, as the dialer's database index finds them.
    leads_by_phone: dict[str, list[dict[str, str]]] = field(default_factory=dict)
    next_lead_id: int = FIRST_LEAD_ID
    clock: Callable[[], float] = time.monotonic

    def snapshot(self) -> dict[str, Any]:
        return {
            "users": [user.public() for user in self.users.values()],
            "lists": list(self.lists.values()),
            "leads": self.leads,
        }

    def duplicate(self, phone: str, list_id: str, scope: str) -> dict[str, str] | None:
        """The first lead with ``phone`` in ``list_id`` (``LIST``), in the lists of its
        campaign (``CAMPAIGN LISTS``) or anywhere (``SYSTEM``)."""
        campaign = self.lists.get(list_id, {}).get("campaign_id")
        for lead in self.leads_by_phone.get(phone, ()):
            in_campaign = self.lists.get(lead["list_id"], {}).get("campaign_id") == campaign
            if (
                scope == "SYSTEM"
                or (scope == "LIST" and lead["list_id"] == list_id)
                or (scope == "CAMPAIGN LISTS" and campaign is not None and in_campaign)
            ):
                return lead
        return None

    def add_lead(self, phone: str, list_id: str, fields: dict[str, str]) -> str:
        lead_id = str(self.next_lead_id)
        self.next_lead_id += 1
        lead = {
            **fields,
            "lead_id": lead_id,
            "list_id": list_id,
            "phone_number": phone,
            "status": "NEW",
        }
        self.leads.append(lead)
        self.leads_by_phone.setdefault(phone, []).append(lead)
        return lead_id


STATE = web.AppKey("elision_state", ElisionState)
CONTROL = web.AppKey("elision_control", SimulatorControl)
