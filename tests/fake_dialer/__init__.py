"""A fourth dialer, small and made up, built as docs/adding-a-dialer.md says: its
package and a registration, nothing else (`tests/bridge/test_a_fourth_dialer.py`).

The "Acme" dialer places a call with ``POST /calls`` ``{"to", "agent"}`` (a bearer
token), answering ``{"call": "<id>"}``, and pushes each call's progress as JSON
``{"call", "state", "number"}`` to its Event Push URL.

- `settings`: `AcmeSettings`; `adapter`: `AcmeAdapter` and its traits;
- `answers`: its answers read into records and typed errors;
- `events`: its pushes read into call updates.
"""

from tests.fake_dialer.adapter import AcmeAdapter
from tests.fake_dialer.settings import AcmeSettings

__all__ = ["AcmeAdapter", "AcmeSettings"]
