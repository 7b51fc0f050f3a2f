"""The REST call-centre API (spec 003): `api_key` auth, the `{success, msg, data}` envelope."""

from bridge.rest.adapter import RestAdapter
from bridge.rest.client import RestClient

__all__ = ["RestAdapter", "RestClient"]
