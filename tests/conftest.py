"""Shared fixtures: a REST simulator and the bridge server on real sockets."""

import sys
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from server.access_log import PathOnlyAccessLogger
from server.app import create_app
from server.database import Database
from server.keys import AGENTS
from simulators.elision import create_elision_simulator
from simulators.euphoria import create_euphoria_simulator
from simulators.rest import create_rest_simulator
from tests.databases import BOTH_DATABASES, KINDS, Templates, fresh_database, migrated_database
from tests.support import (
    ADMIN,
    AGENT,
    ELISION_PASS,
    EUPHORIA_AUTH,
    REST_API_KEY,
    TENANT,
    bridge_config,
)

# The cluster tests run a PostgreSQL server and haproxy of their own: they are collected
# only under scripts/with-throwaway-postgres, which installs both (never skipped).
collect_ignore = [] if "postgresql" in KINDS else ["server/test_cluster.py"]

# The widget's modules run in the browser, where they import each other by bare name.
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "widget"))


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """``database_kind``: SQLite for every test; PostgreSQL too for the storage-facing
    modules (marked ``pytestmark = BOTH_DATABASES``) when a server is configured."""
    if "database_kind" not in metafunc.fixturenames:
        return
    for mark in metafunc.definition.iter_markers("parametrize"):
        if "database_kind" in mark.args[0]:
            return  # the test names its kinds itself
    both = metafunc.definition.get_closest_marker(BOTH_DATABASES.name) is not None
    metafunc.parametrize("database_kind", KINDS if both else KINDS[:1])


@pytest.fixture(scope="session")
def database_templates(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Templates]:
    templates = Templates(tmp_path_factory.mktemp("templates"))
    yield templates
    templates.close()


@pytest.fixture
async def empty_database_url(database_kind: str, tmp_path: Path) -> AsyncIterator[str]:
    """A new, empty database's setting (for what migrations do)."""
    async with fresh_database(database_kind, tmp_path) as url:
        yield url


@pytest.fixture
async def database_url(
    database_kind: str, tmp_path: Path, database_templates: Templates
) -> AsyncIterator[str]:
    """A new database's setting, at the newest schema (copied from a migrated template)."""
    async with migrated_database(database_kind, tmp_path, database_templates) as url:
        yield url


@pytest.fixture
async def database(database_url: str) -> AsyncIterator[Database]:
    """A new database at the newest schema, opened."""
    db = await Database.open(database_url)
    yield db
    await db.close()


@pytest.fixture
async def rest_simulator(aiohttp_server: Callable[..., Any]) -> TestServer:
    """The REST call-centre simulator on a real port, knowing extensions 1001 and 2002.

    Its access log leaves out query strings, as in the demo, so log lines can be
    checked for secrets."""
    app = create_rest_simulator(api_keys=[REST_API_KEY], extensions=["1001", "2002"])
    return await aiohttp_server(app, access_log_class=PathOnlyAccessLogger)


@pytest.fixture
async def euphoria_simulator(aiohttp_server: Callable[..., Any]) -> TestServer:
    """The Euphoria XML API simulator, tenant "acme", with its demo recording."""
    app = create_euphoria_simulator(tenants={"acme": EUPHORIA_AUTH})
    return await aiohttp_server(app, access_log_class=PathOnlyAccessLogger)


@pytest.fixture
async def elision_simulator(aiohttp_server: Callable[..., Any]) -> TestServer:
    """The Elision non-agent API simulator, API user "api" (level 9)."""
    app = create_elision_simulator(api_users={"api": (ELISION_PASS, 9)})
    return await aiohttp_server(app, access_log_class=PathOnlyAccessLogger)


@pytest.fixture
async def bridge(
    database_url: str,
    rest_simulator: TestServer,
    euphoria_simulator: TestServer,
    elision_simulator: TestServer,
    aiohttp_client: Callable[..., Any],
) -> AsyncIterator[TestClient]:
    """The bridge server with all three dialers on simulators, and one agent."""
    app = create_app(
        bridge_config(
            database_url,
            str(rest_simulator.make_url("")),
            str(euphoria_simulator.make_url("")),
            str(elision_simulator.make_url("")),
        )
    )

    async def seed(app: web.Application) -> None:
        await app[AGENTS].save(
            TENANT,
            AGENT["username"],
            password=AGENT["password"],
            full_name="Agent One",
            extension=AGENT["extension"],
        )
        await app[AGENTS].save(TENANT, "gone", password="Gone-agent1", active=False)

    app.on_startup.append(seed)
    yield await aiohttp_client(app)


@pytest.fixture
async def api_key(bridge: TestClient) -> dict[str, str]:
    """Headers with a CRM back-end API key of the tenant, created by the admin."""
    response = await bridge.post(
        "/admin/api/keys",
        json={"tenant": TENANT, "name": "crm"},
        headers={"Authorization": aiohttp.encode_basic_auth(*ADMIN)},
    )
    return {"X-Api-Key": (await response.json())["key"]}


@pytest.fixture
async def session() -> AsyncIterator[aiohttp.ClientSession]:
    """A plain HTTP client, for talking to simulators directly."""
    async with aiohttp.ClientSession() as session:
        yield session
