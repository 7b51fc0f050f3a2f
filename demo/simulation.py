"""What ``crm-bridge simulate`` runs: ports and credentials, from flags or the environment.

Each flag defaults to its ``CRM_BRIDGE_SIM_*`` environment variable; secrets neither
given are made up at start. `bridge_dialers_toml` writes the bridge's dialer tables for
the simulators, ready to paste into its configuration.
"""

import argparse
import json
import os
import re
import secrets
from dataclasses import dataclass

ENV_PREFIX = "CRM_BRIDGE_SIM_"
DESCRIPTION = """\
Run the three dialer simulators (state in memory) and print the bridge configuration's
dialer tables for them, ready to paste.

Ports: REST call-centre API on --port P, Euphoria XML API on P+1, Elision non-agent API
on P+2. Each flag defaults to its CRM_BRIDGE_SIM_* environment variable. Credentials not
given are made up at each start: give --rest-api-key, --euphoria-auth and --elision-pass
(or their variables) to keep a bridge configured against the simulators working across
restarts. With --event-url (the bridge's Event Push URL), the REST simulator pushes its
call and queue events to the bridge, so calls show live in the widget."""


@dataclass(frozen=True, slots=True)
class Simulation:
    """Where the simulators listen and the credentials they accept."""

    host: str
    port: int
    rest_api_key: str
    euphoria_tenant: str
    euphoria_auth: str
    elision_user: str
    elision_pass: str
    extensions: tuple[str, ...] = ("1001", "1002")
    event_url: str = ""  # where the REST simulator pushes its events ("": nowhere yet)

    @property
    def rest_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def euphoria_url(self) -> str:
        return f"http://{self.host}:{self.port + 1}"

    @property
    def elision_url(self) -> str:
        return f"http://{self.host}:{self.port + 2}"


# (flag, what it sets, default or None for a secret made up at start)
OPTIONS: tuple[tuple[str, str, str | None], ...] = (
    ("host", "address to listen on", "127.0.0.1"),
    ("port", "first of three consecutive ports: REST, Euphoria, Elision", "8790"),
    ("rest-api-key", "the REST API's api_key", None),
    ("euphoria-tenant", "the Euphoria tenant name", "demo"),
    ("euphoria-auth", "the Euphoria tenant's auth code", None),
    ("elision-user", "the Elision API user (user level 9)", "api"),
    ("elision-pass", "the Elision API user's password", None),
    ("tenant", "the bridge tenant id in the printed configuration", "acme"),
    (
        "event-url",
        "the URL the REST simulator pushes its call and queue events to: the bridge's Event"
        " Push URL (from its admin page); PUT /_sim/event_url changes it later",
        "",
    ),
)


def env_name(flag: str) -> str:
    """``rest-api-key`` → ``CRM_BRIDGE_SIM_REST_API_KEY``."""
    return ENV_PREFIX + flag.replace("-", "_").upper()


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The ``simulate`` command's flags; each defaults to its environment variable."""
    for flag, meaning, default in OPTIONS:
        shown = {None: "default: made up at start", "": "default: none"}.get(
            default, f"default {default}"
        )
        parser.add_argument(
            f"--{flag}",
            type=int if flag == "port" else str,
            default=os.environ.get(env_name(flag), default),
            help=f"{meaning} (env {env_name(flag)}; {shown})",
        )


def simulation_of(args: argparse.Namespace) -> Simulation:
    """The simulation the parsed flags describe, with made-up secrets where none was given."""
    return Simulation(
        host=args.host,
        port=int(args.port),
        rest_api_key=args.rest_api_key or secrets.token_urlsafe(18),
        euphoria_tenant=args.euphoria_tenant,
        euphoria_auth=args.euphoria_auth or secrets.token_urlsafe(18),
        elision_user=args.elision_user,
        elision_pass=args.elision_pass or secrets.token_urlsafe(12),
        event_url=args.event_url or "",
    )


def bridge_dialers_toml(simulation: Simulation, tenant: str) -> str:
    """The bridge configuration's dialer tables for these simulators (TOML)."""
    tables = {
        "rest": {"base_url": simulation.rest_url, "api_key": simulation.rest_api_key},
        "euphoria": {
            "base_url": simulation.euphoria_url,
            "tenant_name": simulation.euphoria_tenant,
            "auth_code": simulation.euphoria_auth,
        },
        "elision": {
            "base_url": simulation.elision_url,
            "api_user": simulation.elision_user,
            "api_pass": simulation.elision_pass,
        },
    }
    blocks = []
    for kind, table in tables.items():
        lines = [f"[tenants.{_key(tenant)}.dialers.{kind}]", f'kind = "{kind}"']
        # A JSON string is a valid TOML basic string.
        lines += [f"{key} = {json.dumps(value)}" for key, value in table.items()]
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks) + "\n"


def _key(name: str) -> str:
    """``name`` as a TOML key: bare if it can be, quoted if not."""
    return name if re.fullmatch(r"[A-Za-z0-9_-]+", name) else json.dumps(name)
