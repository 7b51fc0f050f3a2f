"""The TOML configuration as a schema: what it accepts, and problems named by their path."""

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from bridge import ElisionSettings, EuphoriaSettings, RestSettings
from server.config import ConfigError, ConfigProblem, load_config, normalise_origin, parse_config
from tests.support import ROOT

EXAMPLE = ROOT / "config.example.toml"
REST = {"base_url": "https://pbx.example.com", "api_key": "rest-key-1"}
ELISION = {"kind": "elision", "base_url": "https://dialer.example.com", "api_user": "api"}
ELISION |= {"api_pass": "elision-pass-1"}
EUPHORIA = {"kind": "euphoria", "base_url": "https://eu.example.com", "tenant_name": "Acme"}
EUPHORIA |= {"auth_code": "euphoria-auth-1"}


def tenant(**overrides: Any) -> dict[str, Any]:
    body = {"allowed_origins": ["https://CRM.example.com/"], "dialers": {"rest": REST}}
    return {"tenants": {"acme": {**body, **overrides}}}


def with_dialer(name: str, **table: Any) -> dict[str, Any]:
    return tenant(dialers={"rest": REST, name: table})


def problems(raw: dict[str, Any]) -> list[str]:
    with pytest.raises(ConfigError) as caught:
        parse_config(raw)
    return [str(problem) for problem in caught.value.problems]


# What is accepted


def test_the_example_configuration_loads(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ACME_REST_API_KEY", "from-the-environment")
    monkeypatch.setenv("ACME_EUPHORIA_AUTH", "euphoria-from-the-environment")
    monkeypatch.setenv("ACME_VICIDIAL_PASS", "vicidial-from-the-environment")
    monkeypatch.setenv("CRM_BRIDGE_ADMIN_PASSWORD", "admin-from-the-environment")
    config = load_config(EXAMPLE)
    acme = config.tenants["acme"]
    assert (acme.id, acme.name) == ("acme", "Acme CRM")
    assert acme.allowed_origins == ("https://crm.acme.example",)
    rest, euphoria = acme.dialers["rest"], acme.dialers["euphoria"]
    assert isinstance(rest, RestSettings) and isinstance(euphoria, EuphoriaSettings)
    assert rest.api_key.get_secret_value() == "from-the-environment"
    assert euphoria.auth_code.get_secret_value() == "euphoria-from-the-environment"
    assert (euphoria.timeout, euphoria.path) == (30.0, "/api/")
    vicidial = acme.dialers["vicidial"]
    assert isinstance(vicidial, ElisionSettings) and vicidial.flavour == "vicidial"
    assert (vicidial.custom_fields, vicidial.lead_concurrency) == (("favorite_color",), 8)
    assert config.server.dialer_connections_per_host == 50
    assert config.origin == "https://bridge.example.com"
    assert (acme.click_to_call_dialer, acme.recordings_dialer) == ("rest", "euphoria")
    assert [(queue.id, queue.name) for queue in acme.queues] == [("5", "Sales"), ("7", "Support")]
    assert config.admin is not None
    assert config.admin.password == "admin-from-the-environment"


def test_defaults() -> None:
    config = parse_config(tenant())
    acme = config.tenants["acme"]
    assert (config.host, config.port, config.database) == (
        "127.0.0.1",
        8780,
        "sqlite:///var/crm-bridge.sqlite3",
    )
    assert config.origin == "http://127.0.0.1:8780" and config.admin is None
    assert (acme.id, acme.name, acme.runtime, acme.default_region) == (
        "acme",
        "acme",
        "micropython",
        "US",
    )
    assert acme.dialers["rest"].timeout == 10.0
    assert (acme.dialers["rest"].connect_timeout, acme.dialers["rest"].pool_timeout) == (5.0, 10.0)
    assert config.server.dialer_connections_per_host == 50
    assert (config.server.shutdown_seconds, config.server.trusted_proxies) == (10, ())
    assert config.server.metrics_listen is None


def test_the_cluster_settings_are_read(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CRM_BRIDGE_DATABASE", "postgresql://bridge:s3cret@db:5432/bridge")
    server = {
        "database": {"env": "CRM_BRIDGE_DATABASE"},  # the URL holds a password
        "trusted_proxies": ["10.0.0.0/8", "192.0.2.10"],
        "shutdown_seconds": 20,
        "metrics_listen": "127.0.0.1:9108",
    }
    config = parse_config({**tenant(), "server": server})
    assert config.database == "postgresql://bridge:s3cret@db:5432/bridge"
    assert [str(network) for network in config.server.trusted_proxies] == [
        "10.0.0.0/8",
        "192.0.2.10/32",
    ]
    assert (config.server.shutdown_seconds, config.server.metrics_listen) == (20, "127.0.0.1:9108")
    assert problems({**tenant(), "server": {"trusted_proxies": ["a proxy"]}}) == [
        "server.trusted_proxies: give addresses or networks like 203.0.113.7 or 10.0.0.0/8"
    ]


def test_each_dialer_kind_reads_into_its_own_settings() -> None:
    config = parse_config(
        tenant(dialers={"rest": REST, "vici": {**ELISION, "flavour": "vicidial"}, "eu": EUPHORIA})
    )
    dialers = config.tenants["acme"].dialers
    assert isinstance(dialers["vici"], ElisionSettings) and dialers["vici"].flavour == "vicidial"
    assert dialers["vici"].source == "crmbridge" and dialers["vici"].path is None
    assert (dialers["vici"].duplicate_check, dialers["vici"].lead_concurrency) == ("DUPLIST", 8)
    assert dialers["vici"].custom_fields == ()
    assert isinstance(dialers["eu"], EuphoriaSettings)


@pytest.mark.parametrize(
    ("dialers", "click_to_call", "recordings"),
    [
        ({"rest": REST}, "rest", ""),
        ({"rest": REST, "eu": EUPHORIA}, "rest", "eu"),
        ({"el": ELISION, "second": {**REST, "kind": "rest"}}, "second", ""),
        ({"el": ELISION}, "", ""),
    ],
)
def test_the_dialers_for_calls_and_recordings_default_to_the_first_that_can(
    dialers: dict[str, Any], click_to_call: str, recordings: str
) -> None:
    acme = parse_config(tenant(dialers=dialers)).tenants["acme"]
    assert (acme.click_to_call_dialer, acme.recordings_dialer) == (click_to_call, recordings)


@pytest.mark.parametrize(
    ("value", "origin"),
    [
        ("https://CRM.example.com/", "https://crm.example.com"),
        ("http://localhost:8781", "http://localhost:8781"),
    ],
)
def test_origins_are_normalised_as_browsers_report_them(value: str, origin: str) -> None:
    acme = parse_config(tenant(allowed_origins=[value])).tenants["acme"]
    assert acme.allowed_origins == (origin,)
    assert normalise_origin("where", value) == origin


def test_region_codes_are_read_in_capitals() -> None:
    assert parse_config(tenant(default_region="gb")).tenants["acme"].default_region == "GB"


def test_secrets_never_show_in_a_repr() -> None:
    config = parse_config(
        {**tenant(dialers={"rest": REST, "el": ELISION, "eu": EUPHORIA}), "admin": ADMIN}
    )
    text = repr(config)
    for secret in ("rest-key-1", "elision-pass-1", "euphoria-auth-1", "admin-pass-1"):
        assert secret not in text


ADMIN = {"username": "admin", "password": "admin-pass-1"}


# Every mistake, with its path

MISTAKES = [
    ({}, "tenants: no [tenants.<id>] table: configure at least one tenant"),
    ({**tenant(), "tenant": {}}, "tenant: unknown key (did you mean 'tenants'?)"),
    (tenant(dialer={}), "tenants.acme.dialer: unknown key (did you mean 'dialers'?)"),
    ({"server": {"prot": 1}, **tenant()}, "server.prot: unknown key"),
    (tenant(colour="blue"), "tenants.acme.colour: unknown key"),
    (
        with_dialer("rest", **REST, timeuot=5),
        "tenants.acme.dialers.rest.timeuot: unknown key",
    ),
    ({"admin": {**ADMIN, "role": "x"}, **tenant()}, "admin.role: unknown key"),
    (
        {"server": {"port": "eighty"}, **tenant()},
        "server.port: expected a whole number, got text",
    ),
    ({"server": {"port": 80.5}, **tenant()}, "server.port: expected a whole number, got a float"),
    ({"server": {"port": 70000}, **tenant()}, "server.port: should be less than or equal to 65535"),
    (
        {"server": {"session_idle_seconds": 0}, **tenant()},
        "server.session_idle_seconds: should be greater than 0",
    ),
    ({"server": {"database": ""}, **tenant()}, "server.database: should have at least 1"),
    (
        {"server": {"dialer_connections_per_host": 0}, **tenant()},
        "server.dialer_connections_per_host: should be greater than or equal to 1",
    ),
    (
        with_dialer("el", **ELISION, custom_fields=["add_to_hopper"]),
        "tenants.acme.dialers.el.custom_fields: custom field 'add_to_hopper' is one of the"
        " API's own parameters and cannot be sent",
    ),
    (
        with_dialer("el", **ELISION, duplicate_check="NONE"),
        "tenants.acme.dialers.el.duplicate_check: must be 'DUPLIST', 'DUPCAMP' or 'DUPSYS',"
        " not 'NONE'",
    ),
    (
        with_dialer("el", **ELISION, lead_concurrency=0),
        "tenants.acme.dialers.el.lead_concurrency: should be greater than or equal to 1",
    ),
    (
        with_dialer("rest", **REST, pool_timeout=0),
        "tenants.acme.dialers.rest.pool_timeout: should be greater than 0",
    ),
    ({"server": {"host": 8}, **tenant()}, "server.host: expected text, got an integer"),
    (
        with_dialer("rest", **REST, timeout="ten"),
        "tenants.acme.dialers.rest.timeout: expected a number, got text",
    ),
    (
        with_dialer("rest", **REST, timeout=0),
        "tenants.acme.dialers.rest.timeout: should be greater than 0",
    ),
    (
        tenant(allowed_origins="https://crm.example.com"),
        "tenants.acme.allowed_origins: expected an array, got text",
    ),
    (tenant(dialers=[]), "tenants.acme.dialers: expected a table, got an array"),
    (
        {"server": {"public_url": "bridge.example.com"}, **tenant()},
        "server.public_url: 'bridge.example.com' is not an http(s) URL with a host",
    ),
    (
        tenant(dialers={"rest": {**REST, "base_url": "ftp://x"}}),
        "tenants.acme.dialers.rest.base_url: 'ftp://x' is not an http(s) URL with a host",
    ),
    (
        tenant(dialers={"rest": {**REST, "base_url": "https://"}}),
        "tenants.acme.dialers.rest.base_url: 'https://' is not an http(s) URL with a host",
    ),
    (
        tenant(allowed_origins=[]),
        "tenants.acme.allowed_origins: list the CRM origins that may embed the widget",
    ),
    (
        tenant(allowed_origins=["crm.example.com"]),
        "tenants.acme.allowed_origins[0]: 'crm.example.com' is not an origin like",
    ),
    (
        tenant(allowed_origins=["https://a.example", "https://crm.example.com/app"]),
        "tenants.acme.allowed_origins[1]: 'https://crm.example.com/app' is not an origin",
    ),
    (
        tenant(allowed_origins=["https://crm.example.com?x=1"]),
        "tenants.acme.allowed_origins[0]: 'https://crm.example.com?x=1' must be "
        "scheme://host[:port] only",
    ),
    (
        tenant(runtime="cpython"),
        "tenants.acme.runtime: must be 'micropython' or 'pyodide', not 'cpython'",
    ),
    (
        tenant(default_region="XX"),
        "tenants.acme.default_region: 'XX' is not a region code like US or GB",
    ),
    (tenant(default_region="USA"), "tenants.acme.default_region: 'USA' is not a region code"),
    (
        with_dialer("x", base_url="http://x"),
        "tenants.acme.dialers.x.kind: 'x' is not one of rest, elision, euphoria",
    ),
    (
        with_dialer("e", **{**ELISION, "api_user": None}),
        "tenants.acme.dialers.e.api_user: expected text",
    ),
    (
        with_dialer("e", kind="elision", base_url="http://x", api_pass="p"),
        "tenants.acme.dialers.e.api_user: required, but not given",
    ),
    (
        with_dialer("e", **ELISION, flavour="asterisk"),
        "tenants.acme.dialers.e.flavour: must be 'elision' or 'vicidial', not 'asterisk'",
    ),
    (
        with_dialer("e", **ELISION, source="s"),
        "tenants.acme.dialers.e.source: must be 2-20 characters",
    ),
    (
        with_dialer("e", **ELISION, path="api.php"),
        "tenants.acme.dialers.e.path: a path starts with '/'",
    ),
    (
        with_dialer("eu", **{**EUPHORIA, "tenant_name": ""}),
        "tenants.acme.dialers.eu.tenant_name: should have at least 1 character",
    ),
    (
        tenant(dialers={"rest": {**REST, "api_key": {"env": "NOT_SET_ANYWHERE_1"}}}),
        "tenants.acme.dialers.rest.api_key: environment variable NOT_SET_ANYWHERE_1 is not set",
    ),
    (
        tenant(dialers={"rest": {**REST, "api_key": ""}}),
        'tenants.acme.dialers.rest.api_key: give the secret as text or as { env = "VARIABLE" }',
    ),
    (
        tenant(dialers={"rest": {**REST, "api_key": {"file": "/etc/key"}}}),
        "tenants.acme.dialers.rest.api_key: give the secret as text",
    ),
    ({"admin": {"username": "admin"}, **tenant()}, "admin.password: required, but not given"),
    (
        {"admin": {"username": "admin", "password": {"env": "NOT_SET_ANYWHERE_2"}}, **tenant()},
        "admin.password: environment variable NOT_SET_ANYWHERE_2 is not set",
    ),
    (
        tenant(click_to_call_dialer="euphoria"),
        "tenants.acme.click_to_call_dialer: no dialer named 'euphoria'",
    ),
    (
        tenant(recordings_dialer="eu"),
        "tenants.acme.recordings_dialer: no dialer named 'eu'",
    ),
    (
        tenant(dialers={"rest": REST, "eu": EUPHORIA}, click_to_call_dialer="eu"),
        "tenants.acme.click_to_call_dialer: dialer 'eu' is of kind euphoria, which cannot "
        "originate calls: name a dialer of kind rest",
    ),
    (
        tenant(dialers={"rest": REST, "el": ELISION}, click_to_call_dialer="el"),
        "tenants.acme.click_to_call_dialer: dialer 'el' is of kind elision, which cannot",
    ),
    (
        tenant(recordings_dialer="rest"),
        "tenants.acme.recordings_dialer: dialer 'rest' is of kind rest, which cannot "
        "download recordings: name a dialer of kind euphoria",
    ),
    (
        tenant(dialers={"rest": REST, "el": ELISION}, recordings_dialer="el"),
        "tenants.acme.recordings_dialer: dialer 'el' is of kind elision, which cannot download",
    ),
    (
        tenant(queues=[{"id": 5, "name": "Sales"}]),
        "tenants.acme.queues[0].id: expected text, got an integer",
    ),
    (tenant(queues=[{"id": "5"}]), "tenants.acme.queues[0].name: required, but not given"),
]


@pytest.mark.parametrize(("raw", "expected"), MISTAKES, ids=[m for _, m in MISTAKES])
def test_each_mistake_is_reported_with_its_path(raw: dict[str, Any], expected: str) -> None:
    reported = problems(raw)
    assert any(problem.startswith(expected) for problem in reported), reported


def test_every_mistake_is_reported_at_once() -> None:
    raw = {
        "server": {"port": "eighty", "prot": 1},
        **tenant(
            runtime="cpython",
            dialers={"rest": {**REST, "timeout": "ten", "timeuot": 5}},
        ),
    }
    assert problems(raw) == [
        "server.port: expected a whole number, got text",
        "server.prot: unknown key (did you mean 'port'?)",
        "tenants.acme.runtime: must be 'micropython' or 'pyodide', not 'cpython'",
        "tenants.acme.dialers.rest.timeout: expected a number, got text",
        "tenants.acme.dialers.rest.timeuot: unknown key (did you mean 'timeout'?)",
    ]


@pytest.mark.parametrize(
    ("table", "secret"),
    [
        ({**REST, "api_key": 123456789}, "123456789"),
        ({**REST, "api_key": ["rest-key-x"]}, "rest-key-x"),
        ({**REST, "timeout": "Secret-in-the-wrong-place"}, "Secret-in-the-wrong-place"),
        ({**REST, "base_url": "Secret-as-a-url"}, None),
    ],
)
def test_a_problem_repeats_no_value_that_could_be_a_secret(
    table: dict[str, Any], secret: str | None
) -> None:
    reported = problems(tenant(dialers={"rest": table}))
    assert reported
    if secret is not None:
        assert not any(secret in problem for problem in reported)


def test_problems_read_as_path_and_message() -> None:
    error = ConfigError([ConfigProblem("a.b", "wrong"), ConfigProblem("", "no path")])
    assert str(error) == "a.b: wrong\nno path"
    assert ConfigError("plain").problems == (ConfigProblem("", "plain"),)


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (None, "cannot read it (No such file or directory)"),
        ("[tenants.acme\n", "not valid TOML (Expected ']'"),
    ],
)
def test_unreadable_files_are_reported_with_their_name(
    tmp_path: Path, content: str | None, expected: str
) -> None:
    path = tmp_path / "bridge.toml"
    if content is not None:
        path.write_text(content)
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    [problem] = caught.value.problems
    assert problem.path == str(path) and problem.message.startswith(expected)


# The command line

BAD_FILE = """
[server]
port = "eighty"
prot = 8780

[tenants.acme]
allowed_origins = ["https://crm.acme.test"]
recordings_dialer = "rest"

[tenants.acme.dialers.rest]
base_url = "https://pbx.acme.test"
api_key = "rest-key-in-a-bad-file"
"""


@pytest.mark.parametrize("command", ["serve", "agent add"])
def test_the_cli_prints_one_line_per_problem_and_no_traceback(tmp_path: Path, command: str) -> None:
    config = tmp_path / "bad.toml"
    config.write_text(BAD_FILE)
    extra = ["--tenant", "acme", "--username", "x"] if command == "agent add" else []
    finished = subprocess.run(  # noqa: S603 (the project's own CLI)
        [sys.executable, "-m", "cli", *command.split(), "--config", str(config), *extra],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert finished.returncode == 1
    assert finished.stdout == ""
    assert finished.stderr.splitlines() == [
        "crm-bridge: server.port: expected a whole number, got text",
        "crm-bridge: server.prot: unknown key (did you mean 'port'?)",
        "crm-bridge: tenants.acme.recordings_dialer: dialer 'rest' is of kind rest, which "
        "cannot download recordings: name a dialer of kind euphoria",
    ]
