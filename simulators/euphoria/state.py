"""The Euphoria simulator's state: tenants, contacts fed, recordings, calls in flight."""

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from simulators.control import SimulatorControl

DEMO_RECORDING = "pbx4-1603469421.1196632-demo.WAV"
CONCURRENT_LIMIT = 3


@dataclass(slots=True)
class EuphoriaState:
    tenants: dict[str, str]
    recordings: dict[str, bytes]
    work_seconds: float = 0.0
    contacts: dict[str, dict[str, dict[str, list[dict[str, Any]]]]] = field(default_factory=dict)
    in_flight: Counter[tuple[str, str]] = field(default_factory=Counter)
    peak: Counter[tuple[str, str]] = field(default_factory=Counter)

    def snapshot(self) -> dict[str, Any]:
        peak: dict[str, dict[str, int]] = {}
        for (tenant, action), count in self.peak.items():
            peak.setdefault(tenant, {})[action] = count
        return {
            "contacts": self.contacts,
            "peak_concurrency": peak,
            "recordings": {name: len(data) for name, data in self.recordings.items()},
        }


STATE = web.AppKey("euphoria_state", EuphoriaState)
CONTROL = web.AppKey("euphoria_control", SimulatorControl)
