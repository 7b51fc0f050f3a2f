"""The Euphoria XML API (specs 000 and 001): trickle-feed contacts, call recordings.

- `settings`: `EuphoriaSettings`, what configuration gives a Euphoria dialer;
- `requests`: the XML envelope and its contacts, built by a serializer;
- `answers`: answers read safely and in pieces (recordings streamed);
  `error_reference`: every documented ``<Error>`` text as its own typed error;
- `adapter`: `EuphoriaAdapter`, the bridge's `DialerAdapter` for this API, and its traits;
- `events`: its Integration Centre webhooks read into call updates.
"""

from bridge.euphoria.adapter import EuphoriaAdapter
from bridge.euphoria.settings import EuphoriaSettings

__all__ = ["EuphoriaAdapter", "EuphoriaSettings"]
