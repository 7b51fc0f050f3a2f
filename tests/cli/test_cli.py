"""The crm-bridge command: an operator's configuration, agent and login, end to end."""

import asyncio
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestServer
from alembic.script import ScriptDirectory
from sqlalchemy.engine import make_url

from cli.main import main
from server.app import create_app
from server.config import load_config
from server.integrations.model import Credentials
from server.integrations.secret_box import SecretBox
from server.migrations import alembic_config
from tests.support import REST_API_KEY

CONFIG = """
[server]
database = "{database}"

[tenants.acme]
allowed_origins = ["https://crm.acme.test"]

[tenants.acme.dialers.rest]
base_url = "{rest}"
api_key = {{ env = "ACME_REST_KEY" }}
"""


async def test_an_agent_added_by_the_cli_can_log_in_and_call(
    tmp_path: Path,
    empty_database_url: str,
    rest_simulator: TestServer,
    aiohttp_client: Callable[..., Any],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    config_file = tmp_path / "bridge.toml"
    config_file.write_text(
        CONFIG.format(database=empty_database_url, rest=rest_simulator.make_url(""))
    )
    monkeypatch.setenv("ACME_REST_KEY", REST_API_KEY)
    monkeypatch.setenv("CRM_BRIDGE_AGENT_PASSWORD", "Operator-set-1")
    command = ["agent", "add", "--config", str(config_file), "--tenant", "acme"]
    await asyncio.to_thread(main, [*command, "--username", "ops1", "--extension", "2002"])
    assert "agent ops1 saved in tenant acme (extension 2002)" in capsys.readouterr().out

    client = await aiohttp_client(create_app(load_config(config_file)))
    login = await client.post(
        "/api/v1/tenants/acme/sessions", json={"username": "ops1", "password": "Operator-set-1"}
    )
    token = (await login.json())["token"]
    call = await client.post(
        "/api/v1/calls",
        json={"phone_code": "1", "phone_number": "2025550143"},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert call.status == 200, await call.text()


async def test_db_upgrade_creates_then_keeps_the_schema(
    tmp_path: Path,
    empty_database_url: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("ACME_REST_KEY", REST_API_KEY)
    config_file = tmp_path / "bridge.toml"
    config_file.write_text(CONFIG.format(database=empty_database_url, rest="http://127.0.0.1:9"))
    command = ["db", "upgrade", "--config", str(config_file)]
    shown = make_url(empty_database_url).render_as_string(hide_password=True)
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    await asyncio.to_thread(main, command)
    assert capsys.readouterr().out == f"database {shown}: created the schema at revision {head}\n"
    await asyncio.to_thread(main, command)
    assert capsys.readouterr().out == (
        f"database {shown}: schema already at the newest revision {head}\n"
    )


async def test_db_upgrade_reports_a_database_it_cannot_use(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ACME_REST_KEY", REST_API_KEY)
    config_file = tmp_path / "bridge.toml"
    config_file.write_text(
        CONFIG.format(database="mysql://bridge:Pw-1@db/bridge", rest="http://127.0.0.1:9")
    )
    with pytest.raises(SystemExit) as caught:
        await asyncio.to_thread(main, ["db", "upgrade", "--config", str(config_file)])
    assert str(caught.value).startswith("crm-bridge: [server] database: mysql is not supported")
    assert "Pw-1" not in str(caught.value)


def test_a_configuration_mistake_exits_with_its_message(tmp_path: Path) -> None:
    (tmp_path / "bad.toml").write_text("[tenants.acme]\nallowed_origins = []\n")
    with pytest.raises(SystemExit) as caught:
        main(
            [
                "agent",
                "add",
                "--config",
                str(tmp_path / "bad.toml"),
                "--tenant",
                "acme",
                "--username",
                "x",
            ]
        )
    assert "tenants.acme.allowed_origins: list the CRM origins" in str(caught.value)


def test_secret_key_prints_a_new_key_that_encrypts_secrets(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    main(["secret-key"])
    first = capsys.readouterr().out
    main(["secret-key"])
    second = capsys.readouterr().out
    assert first.endswith("\n") and first.count("\n") == 1
    assert first != second
    monkeypatch.setenv("CRM_BRIDGE_SECRET_KEYS", f"{second.strip()},{first.strip()}")
    box = SecretBox.from_settings([])  # keys from the environment, as an operator sets them
    sealed = box.seal(Credentials(api_key="crm-key-1"))
    assert "crm-key-1" not in sealed
    assert box.open(sealed).api_key == "crm-key-1"
    assert SecretBox.from_settings([second.strip()]).open(sealed).api_key == "crm-key-1"
