"""Server-side dialer clients, one package per dialer API, behind one interface.

This module is what the server uses: the interface (`DialerAdapter`, its records and
its `DialerTraits`), the typed errors, who is acting (`Actor`, `current_actor`), the
audit entry, each dialer kind's settings (`DialerSettings`) and the parts other settings
may share (`Settings`, `HttpUrl`, `Text`, `secret_text`), the registry of kinds
(`adapter_class`, `kind_offers`, `registered`), `build_adapter` and the refused logins
its adapters share (`LoginBreakers`), the pushed events (`CallUpdate`, `AgentEvent`,
`PushedEvent`, how they come: `UrlPush`, `WebhookPush`), the lead-export service, phone
numbers, and the HTTP client for dialers (`dialer_session`).

The packages `bridge.rest`, `bridge.elision` and `bridge.euphoria` each hold
``settings``, ``adapter`` (with its traits), ``answers`` and, for a dialer that pushes
events, ``events`` (docs/adding-a-dialer.md lists every role).
"""

from bridge.audit import Actor, AuditEntry, AuditSink, current_actor
from bridge.dialers import (
    DIALER_KINDS,
    DialerSettings,
    adapter_class,
    build_adapter,
    kind_offers,
    kinds_pushing,
    kinds_where,
    registered,
    titles_pushing,
)
from bridge.elision import ElisionSettings
from bridge.errors import (
    DialerBadResponse,
    DialerBusy,
    DialerError,
    DialerLocked,
    DialerOutcomeUnknown,
    DialerRejected,
    DialerTimeout,
    DialerUnauthorized,
    DialerUnavailable,
    InvalidRequest,
    NotSupported,
)
from bridge.euphoria import EuphoriaSettings
from bridge.events import (
    AgentEvent,
    CallUpdate,
    Direction,
    EventPush,
    EventRefused,
    PushedEvent,
    State,
    UrlPush,
    WebhookPush,
)
from bridge.interface import (
    LEAD_STATUSES,
    DialerAdapter,
    DialerList,
    DialerTraits,
    DialerUser,
    Lead,
    LeadOutcome,
    LeadStatus,
    OriginateRequest,
    OriginateResult,
)
from bridge.lead_export import TOO_LARGE, export_leads, plan_batches
from bridge.login_breaker import LoginBreakers, RefusalStore, StoredRefusal
from bridge.phone import InvalidNumber, PhoneNumber, normalise
from bridge.rest import RestSettings
from bridge.settings import DialerSettingsBase, HttpUrl, Networks, Settings, Text, secret_text
from bridge.transport import dialer_session

__all__ = [
    "DIALER_KINDS",
    "LEAD_STATUSES",
    "TOO_LARGE",
    "Actor",
    "AgentEvent",
    "AuditEntry",
    "AuditSink",
    "CallUpdate",
    "DialerAdapter",
    "DialerBadResponse",
    "DialerBusy",
    "DialerError",
    "DialerList",
    "DialerLocked",
    "DialerOutcomeUnknown",
    "DialerRejected",
    "DialerSettings",
    "DialerSettingsBase",
    "DialerTimeout",
    "DialerTraits",
    "DialerUnauthorized",
    "DialerUnavailable",
    "DialerUser",
    "Direction",
    "ElisionSettings",
    "EuphoriaSettings",
    "EventPush",
    "EventRefused",
    "HttpUrl",
    "InvalidNumber",
    "InvalidRequest",
    "Lead",
    "LeadOutcome",
    "LeadStatus",
    "LoginBreakers",
    "Networks",
    "NotSupported",
    "OriginateRequest",
    "OriginateResult",
    "PhoneNumber",
    "PushedEvent",
    "RefusalStore",
    "RestSettings",
    "Settings",
    "State",
    "StoredRefusal",
    "Text",
    "UrlPush",
    "WebhookPush",
    "adapter_class",
    "build_adapter",
    "current_actor",
    "dialer_session",
    "export_leads",
    "kind_offers",
    "kinds_pushing",
    "kinds_where",
    "normalise",
    "plan_batches",
    "registered",
    "secret_text",
    "titles_pushing",
]
