"""``crm-bridge export`` and ``crm-bridge jobs``: a CSV file to a dialer list from the
command line, resumable."""

import asyncio
from pathlib import Path

import pytest
from aiohttp.test_utils import TestServer

from server.cli import main
from tests.support import REST_API_KEY, rest_state

CONFIG = """
[server]
database = "{database}"

[tenants.acme]
allowed_origins = ["https://crm.acme.test"]

[tenants.acme.dialers.rest]
base_url = "{rest}"
api_key = "{key}"
"""
LEADS = (
    "\ufeffFirst Name;Last Name;Phone;Notes\n"
    'Ada;Lovelace;202-555-0143;"likes ""engines""; call after 5"\n'
    "Alan;Turing;202-555-0144;\n"
    "Bad;Number;12;\n"
    "Too;Many;202-555-0145;x;y\n"
)


@pytest.fixture
def config_file(tmp_path: Path, database_url: str, rest_simulator: TestServer) -> Path:
    path = tmp_path / "bridge.toml"
    path.write_text(
        CONFIG.format(database=database_url, rest=rest_simulator.make_url(""), key=REST_API_KEY)
    )
    return path


async def run(*args: str) -> None:
    await asyncio.to_thread(main, list(args))


async def test_a_csv_file_is_exported_with_a_progress_bar_and_a_summary(
    tmp_path: Path,
    config_file: Path,
    rest_simulator: TestServer,
    capsys: pytest.CaptureFixture[str],
) -> None:
    leads = tmp_path / "leads.csv"
    leads.write_text(LEADS, encoding="utf-8")
    await run("export", str(leads), "--config", str(config_file), "--tenant", "acme",
              "--dialer", "rest", "--list", "new", "--create-list",
              "--list-name", "From CSV")  # fmt: skip
    shown = capsys.readouterr().out
    assert "job 1: 4 leads from" in shown
    assert "(2 refused before sending: see its report)" in shown
    assert "job 1 done: 2 added, 0 already there, 0 failed, 0 unknown, 2 not sent" in shown
    [phone_list] = rest_state(rest_simulator).phone_lists.values()
    assert phone_list.name == "From CSV"
    assert list(phone_list.leads) == ["12025550143", "12025550144"]
    assert phone_list.leads["12025550143"]["ext_api_vars"] == {
        "notes": 'likes "engines"; call after 5'
    }

    await run("jobs", "--config", str(config_file))
    listed = capsys.readouterr().out
    assert "lead_export" in listed and "done" in listed


async def test_an_export_left_for_later_is_resumed_by_jobs_watch(
    tmp_path: Path,
    config_file: Path,
    rest_simulator: TestServer,
    capsys: pytest.CaptureFixture[str],
) -> None:
    leads = tmp_path / "leads.csv"
    leads.write_text("number\n" + "".join(f"312555{n:04d}\n" for n in range(1200)))
    await run("export", str(leads), "--config", str(config_file), "--tenant", "acme",
              "--dialer", "rest", "--list", "new", "--create-list", "--list-name", "Later",
              "--no-wait")  # fmt: skip
    assert rest_state(rest_simulator).phone_lists == {}  # nothing ran yet
    await run("jobs", "--active", "--config", str(config_file))
    assert "queued" in capsys.readouterr().out
    await run("jobs", "watch", "1", "--config", str(config_file))
    assert "job 1 done: 1,200 added" in capsys.readouterr().out
    [phone_list] = rest_state(rest_simulator).phone_lists.values()
    assert len(phone_list.leads) == 1200


async def test_mistakes_exit_with_a_message_that_says_what_to_fix(
    tmp_path: Path, config_file: Path
) -> None:
    leads = tmp_path / "leads.csv"
    leads.write_text("Name,Mobile\nAda,2025550143\n")
    cases = [
        (["--tenant", "nope", "--dialer", "rest"], "crm-bridge: --tenant: 'nope' is not in"),
        (["--tenant", "acme", "--dialer", "fax"], "crm-bridge: --dialer: tenant acme has no"
                                                  " dialer 'fax'"),
        (["--tenant", "acme", "--dialer", "rest", "--map", "phone_number=Tel"],
         f"crm-bridge: {leads}: the file has no column 'Tel': it has Name, Mobile"),
    ]  # fmt: skip
    for extra, message in cases:
        with pytest.raises(SystemExit) as caught:
            await run("export", str(leads), "--config", str(config_file), "--list", "1", *extra)
        assert str(caught.value).startswith(message), caught.value
    with pytest.raises(SystemExit) as caught:
        await run("jobs", "watch", "99", "--config", str(config_file))
    assert str(caught.value) == "crm-bridge: ID: there is no job 99"
