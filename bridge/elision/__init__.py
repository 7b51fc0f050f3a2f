"""The Elision dialer's VICIdial-style non-agent API (spec 004), in both flavours.

- `settings`: `ElisionSettings`, what configuration gives an Elision dialer;
- `rules`: user and list fields, checked before sending; `lead_rows`: leads as rows;
- `answers`: every answer style the spec shows, read into typed errors;
- `adapter`: `ElisionAdapter`, the bridge's `DialerAdapter` for this API, and its traits.

It pushes no events (no `events` module).
"""

from bridge.elision.adapter import ElisionAdapter
from bridge.elision.settings import ElisionSettings

__all__ = ["ElisionAdapter", "ElisionSettings"]
