"""Simulator of the Euphoria XML API (specs 000 and 001).

- `app`: the app factory and the one endpoint (envelope, tenant, action, concurrency);
- `state`: tenants, contacts fed, recordings, calls in flight; `requests`: reading the XML;
- `answers`: ``<XML>`` answers and ``<Error>`` refusals; `trickle_feed`, `recordings`:
  the two actions; `wav`: the GSM 6.10 demo recording.
"""

from simulators.euphoria.app import create_euphoria_simulator
from simulators.euphoria.state import CONTROL, DEMO_RECORDING, STATE, EuphoriaState

__all__ = ["CONTROL", "DEMO_RECORDING", "STATE", "EuphoriaState", "create_euphoria_simulator"]
