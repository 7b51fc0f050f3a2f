"""User sync: one agent saved in the bridge's directory and created or updated on every
dialer of its tenant. The single ``PUT /api/v1/crm/agents/{username}`` and the bulk
user-sync job (`server.jobs.agent_sync`) both do it through `sync_agent`.
"""

from dataclasses import dataclass
from typing import Any

from pydantic import Field

from bridge import DialerAdapter, DialerUser
from server.agents import Agent, AgentDirectory
from server.dialer_outcomes import outcome
from server.fields import Email, Extension, Password, RequiredName, ShortText
from server.problems import Problem
from server.request_body import Body


class AgentBody(Body):
    full_name: RequiredName
    password: Password = ""
    extension: Extension = ""
    email: Email = ""
    user_level: int = Field(default=1, ge=1, le=9)
    user_group: ShortText = "AGENTS"
    phone_login: Extension = ""
    phone_pass: Password = ""
    active: bool = True
    # Extensions the agent may log in with besides ``extension``; None keeps the list.
    allowed_extensions: list[Extension] | None = Field(default=None, max_length=20)

    def dialer_user(self, username: str) -> DialerUser:
        return DialerUser(
            username=username,
            full_name=self.full_name,
            password=self.password or None,
            extension=self.extension or None,
            phone_pass=self.phone_pass or None,
            phone_login=self.phone_login or None,
            email=self.email,
            user_level=self.user_level,
            user_group=self.user_group,
            active=self.active,
        )


@dataclass(frozen=True, slots=True)
class AgentSynced:
    agent: Agent
    created: bool  # new in the bridge's directory
    dialers: dict[str, dict[str, Any]]  # each dialer's outcome (`dialer_outcomes.outcome`)


async def sync_agent(
    directory: AgentDirectory,
    adapters: dict[str, DialerAdapter],
    tenant: str,
    username: str,
    body: AgentBody,
    *,
    update_if_there: bool = False,
) -> AgentSynced:
    """Save the agent, create it on each dialer it is not on yet, update it where it is.

    With ``update_if_there``, a dialer that refuses to create it (it has the user
    already: made elsewhere, or by a sync that was cut short) is asked to update it."""
    existing = await directory.get(tenant, username)
    if existing is None and not body.password:
        raise Problem("invalid_message", f"agent {username} is new: 'password' is required")
    user = body.dialer_user(username)
    synced = set(existing.synced_dialers if existing else ())
    results = {}
    for name, adapter in adapters.items():
        if name in synced:
            results[name] = await outcome(adapter.update_user(user))
            continue
        results[name] = await outcome(adapter.create_user(user))
        refused = results[name].get("error", {}).get("code") == "dialer_rejected"
        if update_if_there and refused:
            updated = await outcome(adapter.update_user(user))
            if updated.get("ok"):
                results[name] = updated
        if results[name].get("ok"):
            synced.add(name)
    agent = await directory.save(
        tenant,
        username,
        password=user.password,
        full_name=user.full_name,
        extension=user.extension or "",
        active=user.active,
        synced_dialers=tuple(sorted(synced)),
        allowed_extensions=(
            None if body.allowed_extensions is None else tuple(body.allowed_extensions)
        ),
    )
    return AgentSynced(agent, existing is None, results)


def agent_json(agent: Agent) -> dict[str, Any]:
    return {
        "username": agent.username,
        "full_name": agent.full_name,
        "extension": agent.extension,
        "active": agent.active,
        "synced_dialers": list(agent.synced_dialers),
        "allowed_extensions": list(agent.allowed_extensions),
    }
