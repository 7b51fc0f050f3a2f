"""The REST call-centre API (spec 003): ``api_key`` auth, the ``{success, msg, data}`` envelope.

- `settings`: `RestSettings`, what configuration gives a REST dialer;
- `connection`: `RestConnection`, signed requests, reads retried;
- `answers`: the envelope and lenient JSON read into typed errors;
- `adapter`: `RestAdapter`, the bridge's `DialerAdapter` for this API, and its traits;
- `events`: its Event Push read into call updates and agent events;
- `client`: the client library, every endpoint by resource (`RestClient`); beyond what
  the adapter needs (phone lists, leads, users) it covers agents and queues, which no
  server route uses.
"""

from bridge.rest.adapter import RestAdapter
from bridge.rest.settings import RestSettings

__all__ = ["RestAdapter", "RestSettings"]
