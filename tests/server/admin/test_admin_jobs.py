"""The admin's jobs page and CSV import, over HTTP (the browser side: tests/e2e)."""

import html
from pathlib import Path

import aiohttp
import pytest
from aiohttp.test_utils import TestClient, TestServer

from server.jobs.csv_import import CsvProblem, read_csv
from tests.jobs_api import until
from tests.support import ADMIN, rest_state

AUTH = {"Authorization": aiohttp.encode_basic_auth(*ADMIN)}
CSV = (
    "\ufeffFirst name;Surname;Mobile;Priority\r\n"
    "Ada;Lovelace;202 555 0143;3\r\n"
    'Alan;"Turing; A.";202 555 0144;\r\n'
    "Bad;Number;12;\r\n"
    "Too;Many;202 555 0145;1;x\r\n"
).encode()


async def upload(bridge: TestClient, content: bytes = CSV) -> str:
    form = aiohttp.FormData()
    form.add_field("tenant", "acme")
    form.add_field("file", content, filename="leads.csv", content_type="text/csv")
    response = await bridge.post("/admin/imports", data=form, headers=AUTH, allow_redirects=False)
    assert response.status == 303, await response.text()
    return response.headers["Location"]


async def test_a_csv_file_is_previewed_mapped_and_imported_as_a_job(
    bridge: TestClient, rest_simulator: TestServer
) -> None:
    page_url = await upload(bridge)
    page = await bridge.get(page_url, headers=AUTH)
    html = await page.text()
    assert page.status == 200
    assert "4 rows, utf-8, separated by\n  <code>;</code>" in html
    assert "+12025550143" in html and "+12025550144" in html  # as they will be sent
    assert "<tr><td>1</td><td>202 555 0143</td>" in html  # rows numbered from 1
    assert "&#39;12&#39; has the wrong length for a number with code +1" in html
    assert "row has 5 fields, the header has 4" in html
    assert '<option value="2" selected>Mobile</option>' in html  # guessed from the header

    form = {"map_phone_number": "2", "map_first_name": "0", "map_last_name": "1",
            "map_priority": "3", "dialer": "rest", "list_name": "From the admin",
            "create_list": "1"}  # fmt: skip
    started = await bridge.post(f"{page_url}/start", data=form, headers=AUTH, allow_redirects=False)
    assert started.status == 303
    assert started.headers["Location"] == "/admin/jobs#job-1"
    again = await bridge.post(f"{page_url}/start", data=form, headers=AUTH, allow_redirects=False)
    assert again.status == 404  # the upload became job 1: no second job

    async def job() -> dict:
        return (await (await bridge.get("/admin/api/jobs?ids=1", headers=AUTH)).json())[0]

    done = await until(job, lambda job: job["state"] == "done")
    # The rows the preview showed as not sent are counted so, and the job says it.
    counts = done["counts"]
    assert (counts["added"], counts["failed"], counts["not_sent"]) == (2, 0, 2)
    assert (done["outcome"], done["texts"]["state"], done["source"]) == (
        "done with failures",
        "done with failures",
        "csv",
    )
    assert done["texts"]["reasons"] == (
        "&#39;…&#39; has the wrong length for a number with code +1 (1 row); "
        "row has 5 fields, the header has 4 (1 row)"
    ).replace("&#39;", "'")
    assert done["texts"]["progress"] == "4 / 4"
    assert not done["retryable"]  # the rows not sent hold no lead: nothing to send again
    [phone_list] = rest_state(rest_simulator).phone_lists.values()
    assert phone_list.leads["12025550144"]["name"] == "Alan Turing; A."

    jobs_page = await bridge.get("/admin/jobs", headers=AUTH)
    html = await jobs_page.text()
    assert '<tr id="job-1" data-job-id="1" data-state="done">' in html
    assert '<progress max="4" value="4"></progress>' in html
    assert "/static/admin-jobs.js?v=" in html
    assert "script-src 'self'" in jobs_page.headers["Content-Security-Policy"]
    report = await bridge.get("/admin/jobs/1/report.csv", headers=AUTH)
    assert "done with failures" in html and "(1 row)" in html
    assert "3,12,not_sent,'12' has the wrong length" in (await report.text()).replace('"', "")


async def test_an_import_without_a_phone_column_or_a_list_says_what_is_missing(
    bridge: TestClient,
) -> None:
    page_url = await upload(bridge, b"Name,Notes\nAda,hello\n")
    page = await (await bridge.get(page_url, headers=AUTH)).text()
    assert "choose the column of the phone numbers" in page
    refused = await bridge.post(f"{page_url}/start", data={"dialer": "rest"}, headers=AUTH)
    assert "choose the column that holds the phone numbers" in await refused.text()
    no_list = await bridge.post(
        f"{page_url}/start", data={"dialer": "rest", "map_phone_number": "1"}, headers=AUTH
    )
    assert "give the list&#39;s id, or create a new list" in await no_list.text()
    bad_file = aiohttp.FormData()
    bad_file.add_field("tenant", "acme")
    bad_file.add_field("file", b"", filename="empty.csv")
    empty = await bridge.post("/admin/imports", data=bad_file, headers=AUTH)
    assert "empty.csv: the file is empty" in await empty.text()


async def test_jobs_can_be_cancelled_and_retried_from_the_page(
    bridge: TestClient, api_key: dict
) -> None:
    body = {"dialer": "rest", "list": {"list_id": "999"}, "leads": [{"phone_number": "2025550143"}]}
    response = await bridge.post(
        "/api/v1/crm/leads", json=body, headers={**api_key, "Prefer": "respond-async"}
    )
    job_id = (await response.json())["id"]

    async def job() -> dict:
        return (await (await bridge.get(f"/admin/api/jobs?ids={job_id}", headers=AUTH)).json())[0]

    failed = await until(job, lambda job: not job["active"])
    assert failed["state"] == "failed" and failed["retryable"]  # list 999 does not exist
    retried = await bridge.post(
        f"/admin/jobs/{job_id}/retry-failed", headers=AUTH, allow_redirects=False
    )
    assert retried.headers["Location"] == f"/admin/jobs#job-{job_id + 1}"
    cancelled = await bridge.post(
        f"/admin/jobs/{job_id + 1}/cancel", headers=AUTH, allow_redirects=False
    )
    assert cancelled.status == 303
    bad = await bridge.get("/admin/api/jobs?ids=1,x", headers=AUTH)
    assert (await bad.json())["error"]["code"] == "invalid_query"


async def _refused_upload(bridge: TestClient, content: bytes) -> str:
    form = aiohttp.FormData()
    form.add_field("tenant", "acme")
    form.add_field("file", content, filename="big.csv", content_type="text/csv")
    response = await bridge.post("/admin/imports", data=form, headers=AUTH, allow_redirects=False)
    assert response.status == 400, response.status
    return html.unescape(await response.text())


async def test_a_field_of_10_mb_is_refused_with_the_reason(bridge: TestClient) -> None:
    content = b'Phone,Notes\n2025550143,"' + b"x" * 10_000_000 + b'"\n'
    page = await _refused_upload(bridge, content)
    assert "big.csv: row 1 has a field of more than 10,000 characters" in page


async def test_a_16_mib_file_of_more_than_100000_rows_is_refused_with_the_reason(
    bridge: TestClient,
) -> None:
    rows = b"".join(b"2025%07d,a\n" % n for n in range(800_000))
    content = (b"Phone,Notes\n" + rows)[: 16 * 1024**2 - 1024]
    page = await _refused_upload(bridge, content)
    assert "more than 100,000 rows: import at most 100,000 leads at once" in page


async def test_a_file_read_for_the_cli_import_has_the_same_limit(tmp_path: Path) -> None:
    big = tmp_path / "big.csv"
    big.write_bytes(b"Phone\n" + b"".join(b"2025%07d\n" % n for n in range(100_001)))
    with pytest.raises(CsvProblem, match="more than 100,000 rows"):
        read_csv(big.read_bytes())
    fine = read_csv(b"Phone\n" + b"".join(b"2025%07d\n" % n for n in range(100_000)))
    assert fine.rows == 100_000


async def test_an_import_the_dialer_would_refuse_is_not_stored(bridge: TestClient) -> None:
    page_url = await upload(bridge, b"Phone\n2025550143\n")
    refusals = [
        ({"dialer": "rest", "list_id": "999"},
         "rest has no active list 999 (its active lists: none)"),
        ({"dialer": "rest", "list_id": "abc"}, "is not a phone list id"),
        ({"dialer": "elision", "create_list": "1", "list_id": "2001", "list_name": "X",
          "campaign": "SALES"}, "(list_name must be 6-30 bytes (UTF-8))"),
        ({"dialer": "elision", "create_list": "1", "list_id": "2001", "list_name": "November",
          "campaign": ""}, "campaign_id must be 2-8 bytes (UTF-8)"),
        ({"dialer": "elision", "list_id": "2001"}, "elision has no active list 2001"),
        ({"dialer": "euphoria", "list_id": "Leads"}, "euphoria: a campaign name is required"),
    ]  # fmt: skip
    for choice, reason in refusals:
        form = {"map_phone_number": "0", **choice}
        refused = await bridge.post(f"{page_url}/start", data=form, headers=AUTH)
        assert refused.status == 200
        assert reason in (await refused.text()).replace("&#39;", "'"), choice
    assert await (await bridge.get("/admin/api/jobs", headers=AUTH)).json() == []

    created = await bridge.post(
        "/api/v1/crm/lists",
        json={"dialer": "rest", "list_id": "new", "name": "Existing"},
        headers=await _api_key(bridge),
    )
    assert created.status == 201, await created.text()
    list_id = (await created.json())["list"]["list_id"]
    page = await (
        await bridge.get(f"{page_url}?dialer=rest&map_phone_number=0", headers=AUTH)
    ).text()
    assert f'<option value="{list_id}">{list_id} (Existing)</option>' in page
    started = await bridge.post(
        f"{page_url}/start",
        data={"map_phone_number": "0", "dialer": "rest", "list_id": list_id},
        headers=AUTH,
        allow_redirects=False,
    )
    assert started.status == 303


async def _api_key(bridge: TestClient) -> dict[str, str]:
    made = await bridge.post("/admin/api/keys", json={"tenant": "acme", "name": "t"}, headers=AUTH)
    return {"X-Api-Key": (await made.json())["key"]}
