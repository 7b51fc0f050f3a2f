"""The Integration Centre's groups, members and webhooks in the database.

Secrets are sealed (`SecretBox`) before they are written and never read back by the
admin API: a group or member answers only whether it has one. Objects declared in the
configuration are written at start (`declare`) and refused any change here (409).
A webhook whose trigger is automatic, or with deliveries still to send, is in use and
cannot be deleted; nor can a group that a webhook uses.
"""

import json
import time
from typing import Any

from sqlalchemy import Connection, Row, delete, func, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from server.database import Database
from server.integrations.model import Credentials, Group, Parameter, Webhook
from server.integrations.outbound import OutboundPolicy, UnsafeTarget, check_browser_url
from server.integrations.secret_box import SecretBox
from server.integrations.settings import GroupSpec, MemberSpec, WebhookSpec
from server.problems import Problem
from server.tables import integration_groups, integration_members, webhook_deliveries, webhooks


def group_of(row: Row[Any]) -> Group:
    return Group(
        id=row.id,
        tenant=row.tenant,
        name=row.name,
        auth_type=row.auth_type,
        level=row.level,
        key_name=row.key_name,
        key_placement=row.key_placement,
        declared=bool(row.declared),
        has_secret=row.secret is not None,
    )


def webhook_of(row: Row[Any]) -> Webhook:
    return Webhook(
        id=row.id,
        tenant=row.tenant,
        name=row.name,
        url=row.url,
        parameters=tuple(Parameter(name, value) for name, value in json.loads(row.parameters)),
        test_values=json.loads(row.test_values),
        type=row.type,
        content_type=row.content_type,
        response_type=row.response_type,
        columns=tuple(json.loads(row.columns)),
        column_labels=json.loads(row.column_labels),
        group_id=row.group_id,
        trigger=row.trigger,
        directions=tuple(json.loads(row.directions)),
        queues=tuple(json.loads(row.queues)),
        declared=bool(row.declared),
    )


def webhooks_for(connection: Connection, tenant: str, trigger: str) -> list[Webhook]:
    """The tenant's webhooks run by ``trigger`` (inside a transaction of the intake)."""
    rows = connection.execute(
        select(webhooks)
        .where((webhooks.c.tenant == tenant) & (webhooks.c.trigger == trigger))
        .order_by(webhooks.c.id)
    )
    return [webhook_of(row) for row in rows]


def _credentials(spec: GroupSpec | MemberSpec) -> Credentials:
    return Credentials(
        api_key=spec.api_key or "", username=spec.username or "", password=spec.password or ""
    )


def _needs(auth_type: str, credentials: Credentials, whose: str) -> None:
    if auth_type == "api_key" and not credentials.api_key:
        raise Problem("secret_required", f"{whose} needs its api_key")
    if auth_type == "credentials" and not (credentials.username and credentials.password):
        raise Problem("secret_required", f"{whose} needs a username and a password")


class IntegrationStore:
    def __init__(self, database: Database, box: SecretBox, policy: OutboundPolicy) -> None:
        self._db = database
        self.box = box
        self.policy = policy

    # groups

    async def groups(self, tenant: str | None = None) -> list[Group]:
        query = select(integration_groups).order_by(integration_groups.c.id)
        if tenant is not None:
            query = query.where(integration_groups.c.tenant == tenant)
        async with self._db.connect() as connection:
            return [group_of(row) for row in await connection.execute(query)]

    async def group(self, group_id: int) -> Group:
        async with self._db.connect() as connection:
            return await _group(connection, group_id)

    async def create_group(self, tenant: str, spec: GroupSpec, *, declared: bool = False) -> Group:
        secret = self._group_secret(spec, None)
        values = {**_group_values(spec), "secret": secret, "declared": declared}
        now = time.time()
        async with self._db.begin() as connection:
            try:
                result = await connection.execute(
                    insert(integration_groups)
                    .values(tenant=tenant, created_at=now, updated_at=now, **values)
                    .returning(integration_groups)
                )
            except IntegrityError:
                raise Problem(
                    "name_taken", f"tenant {tenant} has a group named {spec.name!r} already"
                ) from None
            return group_of(result.one())

    async def update_group(
        self, group_id: int, spec: GroupSpec, *, by_config: bool = False
    ) -> Group:
        """Change a group (``by_config``: as the configuration declares it)."""
        async with self._db.begin() as connection:
            old = await _group(connection, group_id)
            if not by_config:
                _changeable(old.declared, "group", old.name)
            kept = await connection.scalar(
                select(integration_groups.c.secret).where(integration_groups.c.id == group_id)
            )
            same_auth = (old.auth_type, old.level) == (spec.auth_type, spec.level)
            secret = self._group_secret(spec, kept if same_auth else None)
            try:
                result = await connection.execute(
                    update(integration_groups)
                    .where(integration_groups.c.id == group_id)
                    .values(
                        **_group_values(spec),
                        secret=secret,
                        declared=by_config,
                        updated_at=time.time(),
                    )
                    .returning(integration_groups)
                )
            except IntegrityError:
                raise Problem("name_taken", f"a group named {spec.name!r} exists already") from None
            if not same_auth:
                await connection.execute(
                    delete(integration_members).where(integration_members.c.group_id == group_id)
                )
            return group_of(result.one())

    def _group_secret(self, spec: GroupSpec, kept: str | None) -> str | None:
        """The sealed secret to store: the spec's, else the one kept, else none."""
        if spec.level == "user" or spec.auth_type == "none":
            return None
        given = _credentials(spec)
        if kept is not None and not (given.api_key or given.username or given.password):
            return kept
        _needs(spec.auth_type, given, f"group {spec.name!r}")
        return self.box.seal(given)

    async def delete_group(self, group_id: int, *, by_config: bool = False) -> None:
        async with self._db.begin() as connection:
            group = await _group(connection, group_id)
            if not by_config:
                _changeable(group.declared, "group", group.name)
            names: list[str] = list(
                await connection.scalars(
                    select(webhooks.c.name).where(webhooks.c.group_id == group_id)
                )
            )
            if names:
                raise Problem(
                    "group_in_use",
                    f"group {group.name!r} is in use by webhook {', '.join(names)}:"
                    " change or delete those first",
                )
            await connection.execute(
                delete(integration_groups).where(integration_groups.c.id == group_id)
            )

    # members

    async def members(self, group_id: int) -> list[str]:
        """The agents (user names) with their own secret in the group."""
        async with self._db.connect() as connection:
            await _group(connection, group_id)
            names: Any = await connection.scalars(
                select(integration_members.c.agent)
                .where(integration_members.c.group_id == group_id)
                .order_by(integration_members.c.agent)
            )
            return list(names)

    async def set_member(self, group_id: int, spec: MemberSpec, *, by_config: bool = False) -> None:
        async with self._db.begin() as connection:
            group = await _group(connection, group_id)
            if not by_config:
                _changeable(group.declared, "group", group.name)
            if group.level != "user" or group.auth_type == "none":
                raise Problem(
                    "not_user_level",
                    f"group {group.name!r} has no members: only a user-level group with"
                    " authentication has",
                )
            given = _credentials(spec)
            _needs(group.auth_type, given, f"member {spec.agent!r}")
            now = time.time()
            await connection.execute(
                delete(integration_members).where(
                    (integration_members.c.group_id == group_id)
                    & (integration_members.c.agent == spec.agent)
                )
            )
            await connection.execute(
                insert(integration_members).values(
                    group_id=group_id,
                    agent=spec.agent,
                    secret=self.box.seal(given),
                    created_at=now,
                    updated_at=now,
                )
            )

    async def delete_member(self, group_id: int, agent: str, *, by_config: bool = False) -> None:
        async with self._db.begin() as connection:
            group = await _group(connection, group_id)
            if not by_config:
                _changeable(group.declared, "group", group.name)
            gone = await connection.execute(
                delete(integration_members).where(
                    (integration_members.c.group_id == group_id)
                    & (integration_members.c.agent == agent)
                )
            )
            if not gone.rowcount:
                raise Problem("unknown_member", f"{agent!r} is not a member of {group.name!r}")

    async def credentials(self, group: Group, agent: str | None) -> Credentials:
        """The secret a request of ``agent`` (a user name) sends with ``group``'s auth."""
        if group.auth_type == "none":
            return Credentials()
        async with self._db.connect() as connection:
            if group.level == "global":
                token = await connection.scalar(
                    select(integration_groups.c.secret).where(integration_groups.c.id == group.id)
                )
                return self.box.open(token)
            query = select(integration_members.c.secret).where(
                integration_members.c.group_id == group.id
            )
            if agent is not None:
                query = query.where(integration_members.c.agent == agent)
            token = await connection.scalar(query.order_by(integration_members.c.agent).limit(1))
        if token is None:
            whom = f"agent {agent!r} is not" if agent else "no agent is"
            raise Problem(
                "no_member",
                f"{whom} a member of user-level group {group.name!r}: add their"
                f" {'API key' if group.auth_type == 'api_key' else 'credentials'} under Members",
            )
        return self.box.open(token)

    # webhooks

    async def webhooks(self, tenant: str | None = None) -> list[Webhook]:
        query = select(webhooks).order_by(webhooks.c.id)
        if tenant is not None:
            query = query.where(webhooks.c.tenant == tenant)
        async with self._db.connect() as connection:
            return [webhook_of(row) for row in await connection.execute(query)]

    async def webhook(self, webhook_id: int) -> Webhook:
        async with self._db.connect() as connection:
            return await _webhook(connection, webhook_id)

    async def webhook_named(self, tenant: str, name: str) -> Webhook:
        async with self._db.connect() as connection:
            row = (
                await connection.execute(
                    select(webhooks).where(
                        (webhooks.c.tenant == tenant) & (webhooks.c.name == name)
                    )
                )
            ).first()
        if row is None:
            raise Problem("unknown_webhook", f"no webhook named {name!r}")
        return webhook_of(row)

    async def create_webhook(
        self, tenant: str, spec: WebhookSpec, *, declared: bool = False
    ) -> Webhook:
        now = time.time()
        async with self._db.begin() as connection:
            values = await self._webhook_values(connection, tenant, spec)
            try:
                result = await connection.execute(
                    insert(webhooks)
                    .values(
                        tenant=tenant, declared=declared, created_at=now, updated_at=now, **values
                    )
                    .returning(webhooks)
                )
            except IntegrityError:
                raise Problem(
                    "name_taken", f"tenant {tenant} has a webhook named {spec.name!r} already"
                ) from None
            return webhook_of(result.one())

    async def update_webhook(
        self, webhook_id: int, spec: WebhookSpec, *, by_config: bool = False
    ) -> Webhook:
        """Change a webhook (``by_config``: as the configuration declares it)."""
        async with self._db.begin() as connection:
            old = await _webhook(connection, webhook_id)
            if not by_config:
                _changeable(old.declared, "webhook", old.name)
            values = await self._webhook_values(connection, old.tenant, spec)
            try:
                result = await connection.execute(
                    update(webhooks)
                    .where(webhooks.c.id == webhook_id)
                    .values(updated_at=time.time(), declared=by_config, **values)
                    .returning(webhooks)
                )
            except IntegrityError:
                raise Problem(
                    "name_taken", f"a webhook named {spec.name!r} exists already"
                ) from None
            return webhook_of(result.one())

    async def set_columns(
        self, webhook_id: int, columns: tuple[str, ...], labels: dict[str, str] | None = None
    ) -> Webhook:
        """Choose the answer's columns the agent sees (Test and Configure), and their
        labels (None: keep them)."""
        async with self._db.begin() as connection:
            old = await _webhook(connection, webhook_id)
            _changeable(old.declared, "webhook", old.name)
            values: dict[str, Any] = {"columns": json.dumps(list(columns))}
            if labels is not None:
                values["column_labels"] = json.dumps(labels)
            result = await connection.execute(
                update(webhooks)
                .where(webhooks.c.id == webhook_id)
                .values(**values, updated_at=time.time())
                .returning(webhooks)
            )
            return webhook_of(result.one())

    async def delete_webhook(self, webhook_id: int, *, by_config: bool = False) -> None:
        async with self._db.begin() as connection:
            webhook = await _webhook(connection, webhook_id)
            if not by_config:
                _changeable(webhook.declared, "webhook", webhook.name)
            if webhook.trigger != "manual" and not by_config:
                raise Problem(
                    "webhook_in_use",
                    f"webhook {webhook.name!r} is in use: it runs on {webhook.trigger};"
                    " set its trigger to manual first",
                )
            waiting = await connection.scalar(
                select(func.count())
                .select_from(webhook_deliveries)
                .where(
                    (webhook_deliveries.c.webhook_id == webhook_id)
                    & webhook_deliveries.c.state.in_(("pending", "sending"))
                )
            )
            if waiting:
                raise Problem(
                    "webhook_in_use",
                    f"webhook {webhook.name!r} is in use: {waiting} deliveries are still to"
                    " be sent",
                )
            await connection.execute(delete(webhooks).where(webhooks.c.id == webhook_id))

    async def _webhook_values(
        self, connection: AsyncConnection, tenant: str, spec: WebhookSpec
    ) -> dict[str, Any]:
        url = spec.url.replace("{", "x").replace("}", "x")
        try:
            if spec.type == "browser_window":
                check_browser_url(url)  # the agent's browser opens it, never the bridge
            else:
                self.policy.check_url(url)
        except (UnsafeTarget, ValueError) as error:
            raise Problem("unsafe_url", f"url: {error}") from None
        group_id = None
        if spec.group is not None:
            row = (
                await connection.execute(
                    select(integration_groups).where(
                        (integration_groups.c.tenant == tenant)
                        & (integration_groups.c.name == spec.group)
                    )
                )
            ).first()
            if row is None:
                raise Problem(
                    "unknown_group", f"tenant {tenant} has no group {spec.group!r}", in_field=True
                )
            if spec.type == "browser_window" and row.auth_type != "none":
                raise Problem(
                    "secret_in_browser",
                    "a browser_window webhook opens in the agent's browser, which must never"
                    " see a group's secret: choose a group with auth_type none",
                )
            group_id = row.id
        return {
            "name": spec.name,
            "url": spec.url,
            "parameters": json.dumps([[p.name, p.value] for p in spec.parameters]),
            "test_values": json.dumps(spec.test_values),
            "type": spec.type,
            "content_type": spec.content_type,
            "response_type": spec.response_type,
            "columns": json.dumps(list(spec.columns)),
            "column_labels": json.dumps(spec.column_labels),
            "group_id": group_id,
            "trigger": spec.trigger,
            "directions": json.dumps(list(spec.directions)),
            "queues": json.dumps(list(spec.queues)),
        }


def _group_values(spec: GroupSpec) -> dict[str, Any]:
    return {
        "name": spec.name,
        "auth_type": spec.auth_type,
        "level": spec.level,
        "key_name": spec.key_name or "",
        "key_placement": spec.key_placement,
    }


def _changeable(declared: bool, kind: str, name: str) -> None:
    if declared:
        raise Problem(
            "declared",
            f"{kind} {name!r} is declared in the configuration file: change it there",
        )


async def _group(connection: AsyncConnection, group_id: int) -> Group:
    row = (
        await connection.execute(
            select(integration_groups).where(integration_groups.c.id == group_id)
        )
    ).first()
    if row is None:
        raise Problem("unknown_group", f"no group {group_id}")
    return group_of(row)


async def _webhook(connection: AsyncConnection, webhook_id: int) -> Webhook:
    row = (await connection.execute(select(webhooks).where(webhooks.c.id == webhook_id))).first()
    if row is None:
        raise Problem("unknown_webhook", f"no webhook {webhook_id}")
    return webhook_of(row)
