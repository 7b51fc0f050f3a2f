"""Groups and webhooks declared in the configuration (``[[tenants.<id>.integrations.
groups]]``, ``[[tenants.<id>.integrations.webhooks]]``), written to the database at
start: created or updated by name, marked read-only, and removed once no longer
declared (a declared group still used by a webhook of the admin's is kept, with a
warning). An object of the same name the admin made becomes the declared one.
"""

import logging

from server.config import ServerConfig
from server.integrations.settings import GroupSpec, MemberSpec
from server.integrations.store import IntegrationStore
from server.problems import Problem

log = logging.getLogger(__name__)


async def declare(store: IntegrationStore, config: ServerConfig) -> None:
    for tenant in config.tenants.values():
        wanted = tenant.integrations
        groups = {group.name: group for group in await store.groups(tenant.id)}
        for declared in wanted.groups:
            spec = GroupSpec.model_validate(declared.model_dump(exclude={"members"}))
            old = groups.get(spec.name)
            group = (
                await store.update_group(old.id, spec, by_config=True)
                if old is not None
                else await store.create_group(tenant.id, spec, declared=True)
            )
            members = {member.agent for member in declared.members}
            for member in declared.members:
                await store.set_member(
                    group.id, MemberSpec.model_validate(member.model_dump()), by_config=True
                )
            for agent in set(await store.members(group.id)) - members:
                await store.delete_member(group.id, agent, by_config=True)
        hooks = {webhook.name: webhook for webhook in await store.webhooks(tenant.id)}
        for hook in wanted.webhooks:
            old_hook = hooks.get(hook.name)
            if old_hook is not None:
                await store.update_webhook(old_hook.id, hook, by_config=True)
            else:
                await store.create_webhook(tenant.id, hook, declared=True)
        declared_names = {hook.name for hook in wanted.webhooks}
        for webhook in hooks.values():
            if webhook.declared and webhook.name not in declared_names:
                await store.delete_webhook(webhook.id, by_config=True)
        group_names = {declared.name for declared in wanted.groups}
        for group in groups.values():
            if group.declared and group.name not in group_names:
                try:
                    await store.delete_group(group.id, by_config=True)
                except Problem as problem:
                    log.warning("group %r is no longer declared but kept: %s", group.name, problem)
