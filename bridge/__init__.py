"""Server-side dialer clients, one package per dialer API, behind one interface.

This module is what the server uses: the interface (`DialerAdapter` and its records),
the typed errors, who is acting (`Actor`, `current_actor`), the audit entry, each
dialer kind's settings (`DialerSettings`) and the parts other settings may share
(`Settings`, `HttpUrl`, `Text`, `secret_text`), `build_adapter` and the refused logins
its adapters share (`LoginBreakers`), the lead-export service, phone numbers, and the
HTTP client for dialers (`dialer_session`).

The packages `bridge.rest`, `bridge.elision` and `bridge.euphoria` each hold
``settings``, request building, answer reading and ``adapter``.
"""

from bridge.audit import Actor, AuditEntry, AuditSink, current_actor
from bridge.dialers import DIALER_KINDS, DialerSettings, build_adapter, kind_offers
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
from bridge.interface import (
    LEAD_STATUSES,
    DialerAdapter,
    DialerList,
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
from bridge.settings import HttpUrl, Networks, Settings, Text, secret_text
from bridge.transport import dialer_session

__all__ = [
    "DIALER_KINDS",
    "LEAD_STATUSES",
    "TOO_LARGE",
    "Actor",
    "AuditEntry",
    "AuditSink",
    "DialerAdapter",
    "DialerBadResponse",
    "DialerBusy",
    "DialerError",
    "DialerList",
    "DialerLocked",
    "DialerOutcomeUnknown",
    "DialerRejected",
    "DialerSettings",
    "DialerTimeout",
    "DialerUnauthorized",
    "DialerUnavailable",
    "DialerUser",
    "ElisionSettings",
    "EuphoriaSettings",
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
    "RefusalStore",
    "RestSettings",
    "Settings",
    "StoredRefusal",
    "Text",
    "build_adapter",
    "current_actor",
    "dialer_session",
    "export_leads",
    "kind_offers",
    "normalise",
    "plan_batches",
    "secret_text",
]
