"""How calls are shown to agents: numbers in international format, queues by the names
the tenant gave them, times as ISO 8601 UTC."""

import datetime as dt
import functools
from collections.abc import Mapping

import phonenumbers

from server.config import TenantConfig


@functools.lru_cache(maxsize=4096)
def display_number(number: str) -> str:
    """An E.164 number (``+13125550178``) as ``+1 312-555-0178``, also when the dialer
    wrote it without its '+' (``442079460018`` as ``+44 20 7946 0018``); anything else
    (an extension, a number that is not valid) as it is."""
    written = number if number.startswith("+") else "+" + number
    if not written[1:].isdigit() or not written.isascii():
        return number
    try:
        parsed = phonenumbers.parse(written, None)
    except phonenumbers.NumberParseException:
        return number
    if written is not number and not phonenumbers.is_valid_number(parsed):
        return number
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


def queue_names(tenant: TenantConfig | None) -> Mapping[str, str]:
    """The tenant's configured queue names by queue id (none for an unknown tenant)."""
    return {} if tenant is None else {queue.id: queue.name for queue in tenant.queues}


def iso_utc(moment: float | None) -> str | None:
    """Epoch seconds as ``2026-12-07T22:10:03.250Z`` (None stays None)."""
    if moment is None:
        return None
    utc = dt.datetime.fromtimestamp(moment, dt.UTC)
    return utc.isoformat(timespec="milliseconds").replace("+00:00", "Z")
