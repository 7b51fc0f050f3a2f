"""The TOML configuration: what it accepts, and errors that say what to fix."""

from pathlib import Path

import pytest

from server.config import ConfigError, load_config, parse_config

EXAMPLE = Path(__file__).resolve().parents[1] / "config.example.toml"


def tenant(**overrides: object) -> dict:
    body = {
        "allowed_origins": ["https://CRM.example.com/"],
        "dialers": {"rest": {"base_url": "https://pbx.example.com", "api_key": "k"}},
    }
    return {"tenants": {"acme": {**body, **overrides}}}


def test_the_example_configuration_loads(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ACME_REST_API_KEY", "from-the-environment")
    monkeypatch.setenv("ACME_EUPHORIA_AUTH", "euphoria-from-the-environment")
    monkeypatch.setenv("CRM_BRIDGE_ADMIN_PASSWORD", "admin-from-the-environment")
    config = load_config(EXAMPLE)
    acme = config.tenants["acme"]
    assert acme.allowed_origins == ("https://crm.acme.example",)
    assert acme.dialers["rest"].secrets == {"api_key": "from-the-environment"}
    assert config.origin == "https://bridge.example.com"
    assert acme.recordings_dialer == "euphoria"
    assert acme.dialers["euphoria"].secrets == {"auth_code": "euphoria-from-the-environment"}
    assert config.admin is not None
    assert config.admin.password == "admin-from-the-environment"


def test_origins_are_normalised_as_browsers_report_them() -> None:
    assert parse_config(tenant()).tenants["acme"].allowed_origins == ("https://crm.example.com",)


def test_secrets_never_show_in_the_repr() -> None:
    assert "'k'" not in repr(parse_config(tenant()).tenants["acme"].dialers["rest"])


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ({}, "no [tenants.<id>] table"),
        (tenant(allowed_origins=[]), "tenants.acme.allowed_origins: list the CRM origins"),
        (
            tenant(allowed_origins=["crm.example.com"]),
            "allowed_origins[0]: 'crm.example.com' is not an origin",
        ),
        (tenant(allowed_origins=["https://crm.example.com/app"]), "is not an origin"),
        (
            tenant(runtime="cpython"),
            "tenants.acme.runtime: 'cpython' is not one of micropython, pyodide",
        ),
        (tenant(colour="blue"), "tenants.acme: unknown key(s) colour"),
        (tenant(click_to_call_dialer="euphoria"), "no dialer named 'euphoria'"),
        (
            tenant(dialers={"rest": {"base_url": "ftp://x", "api_key": "k"}}),
            "dialers.rest.base_url: give the dialer's http(s) base URL",
        ),
        (
            tenant(dialers={"e": {"kind": "elision", "base_url": "http://x", "api_pass": "p"}}),
            "tenants.acme.dialers.e: a elision dialer needs api_user",
        ),
        (tenant(dialers={"x": {"base_url": "http://x"}}), "dialers.x.kind: 'x' is not one of"),
        (
            tenant(
                dialers={"rest": {"base_url": "http://x", "api_key": {"env": "NOT_SET_ANYWHERE_1"}}}
            ),
            "dialers.rest.api_key: environment variable NOT_SET_ANYWHERE_1 is not set",
        ),
        ({"server": {"prot": 1}, **tenant()}, "server: unknown key(s) prot"),
    ],
)
def test_mistakes_are_reported_with_their_key(raw: dict, message: str) -> None:
    with pytest.raises(ConfigError) as caught:
        parse_config(raw)
    assert message in str(caught.value)


def test_unreadable_files_are_reported(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="cannot read configuration"):
        load_config(tmp_path / "missing.toml")
    broken = tmp_path / "broken.toml"
    broken.write_text("[tenants.acme\n")
    with pytest.raises(ConfigError, match="is not valid TOML"):
        load_config(broken)
