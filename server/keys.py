"""The application's shared state, as typed `web.AppKey`s (no globals)."""

import jinja2
from aiohttp import web

from server.agents import AgentDirectory
from server.api_keys import ApiKeyStore
from server.audit_log import AuditLog
from server.config import ServerConfig
from server.database import Database
from server.dialers import DialerRegistry
from server.events.batch_writer import BatchWriter
from server.events.call_in_progress import CallGuard
from server.events.hub import StreamHub
from server.events.intake import EventIntake
from server.events.missed_calls import DeliveryNotes
from server.events.push_secrets import PushSecrets
from server.events.session_watch import SessionWatch
from server.hash_gate import HashGate
from server.integrations.sender import WebhookSender
from server.integrations.store import IntegrationStore
from server.integrations.worker import DeliveryWorker
from server.jobs.store import JobStore
from server.jobs.uploads import CsvUploads
from server.jobs.worker import JobWorker
from server.login_throttle import LoginThrottle
from server.login_tokens import LoginTokenStore
from server.sessions import SessionStore
from server.widget_assets import WidgetAssets

CONFIG = web.AppKey("config", ServerConfig)
DATABASE = web.AppKey("database", Database)
AGENTS = web.AppKey("agents", AgentDirectory)
SESSIONS = web.AppKey("sessions", SessionStore)
AUDIT = web.AppKey("audit", AuditLog)
API_KEYS = web.AppKey("api_keys", ApiKeyStore)
DIALERS = web.AppKey("dialers", DialerRegistry)
TEMPLATES = web.AppKey("templates", jinja2.Environment)
ASSETS = web.AppKey("assets", WidgetAssets)
LOGIN_THROTTLE = web.AppKey("login_throttle", LoginThrottle)
HASH_GATE = web.AppKey("hash_gate", HashGate)
LOGIN_TOKENS = web.AppKey("login_tokens", LoginTokenStore)
STREAM_HUB = web.AppKey("stream_hub", StreamHub)
INTAKE = web.AppKey("intake", EventIntake)
PUSH_SECRETS = web.AppKey("push_secrets", PushSecrets)
SESSION_WATCH = web.AppKey("session_watch", SessionWatch)
DELIVERY_NOTES = web.AppKey("delivery_notes", DeliveryNotes)
CALL_GUARD = web.AppKey("call_guard", CallGuard)
JOBS = web.AppKey("jobs", JobStore)
JOB_WORKER = web.AppKey("job_worker", JobWorker)
CSV_UPLOADS = web.AppKey("csv_uploads", CsvUploads)
EVENT_WRITER = web.AppKey("event_writer", BatchWriter)
INTEGRATIONS = web.AppKey("integrations", IntegrationStore)
DELIVERY_WORKER = web.AppKey("delivery_worker", DeliveryWorker)
WEBHOOK_SENDER = web.AppKey("webhook_sender", WebhookSender)
