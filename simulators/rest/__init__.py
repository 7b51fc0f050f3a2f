"""Simulator of the REST call-centre API (spec 003)."""

from simulators.rest.app import create_rest_simulator
from simulators.rest.state import RestState

__all__ = ["RestState", "create_rest_simulator"]
