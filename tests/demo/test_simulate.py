"""`crm-bridge simulate`: fixed ports and credentials; a configuration that survives restarts."""

import socket
import tomllib
from typing import Any

import pytest

from bridge import DialerList, build_adapter, dialer_session
from cli.main import build_parser
from demo.app_runners import serve
from demo.simulate import simulator_apps
from demo.simulation import Simulation, bridge_dialers_toml, simulation_of
from server.config import parse_config
from simulators.euphoria import DEMO_RECORDING
from simulators.rest.events import EVENTS

FIXED = {
    "CRM_BRIDGE_SIM_PORT": "18790",
    "CRM_BRIDGE_SIM_REST_API_KEY": "fixed-rest-key",
    "CRM_BRIDGE_SIM_EUPHORIA_TENANT": "Acme & Co",
    "CRM_BRIDGE_SIM_EUPHORIA_AUTH": "fixed-euphoria-auth",
    "CRM_BRIDGE_SIM_ELISION_USER": "apiuser",
    "CRM_BRIDGE_SIM_ELISION_PASS": "fixed-elision-pass",
    "CRM_BRIDGE_SIM_TENANT": "crm one",
}


def parsed(argv: list[str]) -> Any:
    return build_parser().parse_args(["simulate", *argv])


def test_credentials_and_ports_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in FIXED.items():
        monkeypatch.setenv(name, value)
    args = parsed([])
    assert simulation_of(args) == Simulation(
        host="127.0.0.1",
        port=18790,
        rest_api_key="fixed-rest-key",
        euphoria_tenant="Acme & Co",
        euphoria_auth="fixed-euphoria-auth",
        elision_user="apiuser",
        elision_pass="fixed-elision-pass",
    )
    assert args.tenant == "crm one"


def test_flags_win_over_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CRM_BRIDGE_SIM_REST_API_KEY", "from-env")
    args = parsed(["--rest-api-key", "from-flag", "--port", "9100", "--host", "0.0.0.0"])  # noqa: S104
    simulation = simulation_of(args)
    assert (simulation.rest_api_key, simulation.port, simulation.host) == (
        "from-flag",
        9100,
        "0.0.0.0",  # noqa: S104
    )


def test_credentials_not_given_are_made_up_at_each_start(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in FIXED:
        monkeypatch.delenv(name, raising=False)
    first, second = simulation_of(parsed([])), simulation_of(parsed([]))
    assert first.rest_api_key and first.rest_api_key != second.rest_api_key
    assert first.elision_pass != second.elision_pass
    assert (first.port, first.euphoria_tenant, first.elision_user) == (8790, "demo", "api")


def test_the_help_names_every_variable(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        parsed(["--help"])
    shown = " ".join(capsys.readouterr().out.split())
    for name in FIXED:
        assert name in shown
    assert "across restarts" in shown


def three_free_ports() -> int:
    """The first of three consecutive ports that are free now."""
    for _ in range(50):
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            first = probe.getsockname()[1]
        try:
            for port in range(first, first + 3):
                with socket.socket() as probe:
                    probe.bind(("127.0.0.1", port))
        except OSError:
            continue
        return first
    raise RuntimeError("no three consecutive free ports")


async def use_every_dialer(config_toml: str) -> None:
    """A bridge configured with ``config_toml`` reaches each simulator with its credentials."""
    config = parse_config(tomllib.loads(config_toml))
    [tenant] = config.tenants.values()
    async with dialer_session() as session:
        adapters = {
            name: build_adapter(settings, session, lambda entry: None, name=name)
            for name, settings in tenant.dialers.items()
        }
        assert await adapters["rest"].active_lists() == []
        created = await adapters["elision"].create_list(DialerList("1101", "Simulated", "TESTCAMP"))
        assert await adapters["elision"].active_lists() == [created]
        recording = b"".join(
            [c async for c in adapters["euphoria"].download_recording(DEMO_RECORDING)]
        )
        assert recording.startswith(b"RIFF")


async def test_the_printed_configuration_works_and_keeps_working_after_a_restart() -> None:
    simulation = Simulation(
        host="127.0.0.1",
        port=three_free_ports(),
        rest_api_key="fixed-rest-key",
        euphoria_tenant="Acme & Co",
        euphoria_auth="fixed-euphoria-auth",
        elision_user="apiuser",
        elision_pass="fixed-elision-pass",
    )
    printed = bridge_dialers_toml(simulation, "crm one")
    assert '[tenants."crm one".dialers.rest]' in printed
    config_toml = '[tenants."crm one"]\nallowed_origins = ["https://crm.example.com"]\n\n'
    config_toml += printed
    for _ in range(2):  # the simulators' state is lost; the credentials and ports are not
        runners = await serve(simulator_apps(simulation))
        try:
            await use_every_dialer(config_toml)
        finally:
            for runner in runners:
                await runner.cleanup()


def test_the_rest_simulator_pushes_its_events_to_the_event_url(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv(
        "CRM_BRIDGE_SIM_EVENT_URL", "http://bridge.test/api/v1/events/acme/rest?secret=s"
    )
    from_env = simulation_of(parsed([]))
    assert from_env.event_url == "http://bridge.test/api/v1/events/acme/rest?secret=s"
    flagged = simulation_of(parsed(["--event-url", "http://127.0.0.1:8780/e?secret=t"]))
    [(rest, _, _), *_] = simulator_apps(flagged)
    assert rest[EVENTS].url == "http://127.0.0.1:8780/e?secret=t"
    monkeypatch.delenv("CRM_BRIDGE_SIM_EVENT_URL")
    [(rest, _, _), *_] = simulator_apps(simulation_of(parsed([])))
    assert not rest[EVENTS].enabled
