"""Simulator of the Elision dialer's VICIdial-style non-agent API (spec 004), both flavours.

- `app`: the app factory and the one endpoint that dispatches on ``function``;
- `state`: users, lists and leads in memory; `requests`: a request's query and checks;
- `answers`: text lines and PHP's JSON; `users`, `lists`, `leads`: the functions.
"""

from simulators.elision.app import create_elision_simulator
from simulators.elision.state import CONTROL, ELISION_PATH, STATE, VICIDIAL_PATH, ElisionState

__all__ = [
    "CONTROL",
    "ELISION_PATH",
    "STATE",
    "VICIDIAL_PATH",
    "ElisionState",
    "create_elision_simulator",
]
