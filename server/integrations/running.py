"""The Integration Centre of one bridge instance, as a ``cleanup_ctx`` part: the store
(with the configuration's declared objects written), the sender and the delivery worker.
It runs after the live events (`server.events.running`), whose writer it shares."""

from collections.abc import AsyncIterator

from aiohttp import web

from server.integrations.declared import declare
from server.integrations.outbound import OutboundPolicy
from server.integrations.secret_box import SecretBox
from server.integrations.sender import WebhookSender
from server.integrations.store import IntegrationStore
from server.integrations.worker import DeliveryWorker
from server.keys import (
    CONFIG,
    DATABASE,
    DELIVERY_WORKER,
    EVENT_WRITER,
    INTEGRATIONS,
    WEBHOOK_SENDER,
)


async def integrations(app: web.Application) -> AsyncIterator[None]:
    settings = app[CONFIG].integrations
    policy = OutboundPolicy(settings.allow_http_hosts, settings.allow_addresses)
    store = app[INTEGRATIONS] = IntegrationStore(
        app[DATABASE], SecretBox.from_settings(settings.secret_keys), policy
    )
    await declare(store, app[CONFIG])
    sender = app[WEBHOOK_SENDER] = WebhookSender(policy, settings.timeout_seconds)
    worker = DeliveryWorker(app[DATABASE], app[EVENT_WRITER], store, sender, settings)
    app[DELIVERY_WORKER] = worker
    async with sender.running(), worker.running():
        yield
