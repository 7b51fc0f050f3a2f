"""``crm-bridge export`` and ``crm-bridge jobs``: a CSV file to a dialer list from the
command line, resumable."""

import asyncio
from pathlib import Path

import pytest
from aiohttp.test_utils import TestServer

from cli.main import main
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
    with pytest.raises(SystemExit) as caught:
        await run("export", str(leads), "--config", str(config_file), "--tenant", "acme",
                  "--dialer", "rest", "--list", "new", "--create-list",
                  "--list-name", "From CSV")  # fmt: skip
    assert caught.value.code == 3  # done with failures
    shown, said = capsys.readouterr()
    assert "job 1: 4 leads from" in shown
    assert "(2 refused before sending: see its report)" in shown
    assert (
        "job 1 done with failures: 2 added, 0 already there, 0 failed, 0 unknown, 2 not sent"
        in shown
    )
    assert "  1 row: '…' has the wrong length for a number with code +1" in shown
    assert "  1 row: row has 5 fields, the header has 4" in shown
    assert said == "crm-bridge: job 1 done with failures: 2 of 4 rows did not reach the list\n"
    [phone_list] = rest_state(rest_simulator).phone_lists.values()
    assert phone_list.name == "From CSV"
    assert list(phone_list.leads) == ["12025550143", "12025550144"]
    assert phone_list.leads["12025550143"]["ext_api_vars"] == {
        "notes": 'likes "engines"; call after 5'
    }

    await run("jobs", "--config", str(config_file))
    listed = capsys.readouterr().out
    assert "lead_export" in listed and "done with failures" in listed


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
    tmp_path: Path, config_file: Path, capsys: pytest.CaptureFixture[str]
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
    capsys.readouterr()
    with pytest.raises(SystemExit) as caught:
        await run("jobs", "watch", "99", "--config", str(config_file))
    assert caught.value.code == 1
    assert capsys.readouterr().err == (
        "crm-bridge: there is no job 99: crm-bridge jobs lists them\n"
    )


async def test_a_file_without_a_phone_column_names_the_option_to_give(
    tmp_path: Path, config_file: Path
) -> None:
    leads = tmp_path / "leads.csv"
    leads.write_text("Name,Contact\nAda,2025550143\n")
    with pytest.raises(SystemExit) as caught:
        await run("export", str(leads), "--config", str(config_file), "--tenant", "acme",
                  "--dialer", "rest", "--list", "new", "--create-list",
                  "--list-name", "X")  # fmt: skip
    assert str(caught.value) == (
        "crm-bridge: --map: no column is named like phone numbers (Phonenumber, Phone,"
        " Telephone, Tel, ...): say which one holds them with --map phone_number=COLUMN"
        " (the file's columns: Name, Contact)"
    )


async def test_a_list_the_dialer_does_not_have_is_refused_before_the_job_is_stored(
    tmp_path: Path, config_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    leads = tmp_path / "leads.csv"
    leads.write_text("Phone\n2025550143\n")
    with pytest.raises(SystemExit) as caught:
        await run("export", str(leads), "--config", str(config_file), "--tenant", "acme",
                  "--dialer", "rest", "--list", "999")  # fmt: skip
    assert str(caught.value) == (
        "crm-bridge: --list: rest has no active list 999 (its active lists: none)"
    )
    await run("jobs", "--config", str(config_file))
    assert "no jobs" in capsys.readouterr().out


async def test_a_failed_job_exits_4(
    tmp_path: Path,
    database_url: str,
    rest_simulator: TestServer,
    capsys: pytest.CaptureFixture[str],
) -> None:
    config_file = tmp_path / "bridge.toml"
    config_file.write_text(
        CONFIG.format(database=database_url, rest=rest_simulator.make_url(""), key="wrong-key")
    )
    leads = tmp_path / "leads.csv"
    leads.write_text("Phone\n2025550143\n")
    with pytest.raises(SystemExit) as caught:
        await run("export", str(leads), "--config", str(config_file), "--tenant", "acme",
                  "--dialer", "rest", "--list", "new", "--create-list",
                  "--list-name", "Refused")  # fmt: skip
    assert caught.value.code == 4
    said = capsys.readouterr().err
    assert said.startswith("crm-bridge: job 1 failed: ")
    assert said.count("\n") == 1
