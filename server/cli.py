"""The ``crm-bridge`` command: ``serve``, ``demo``, ``simulate``, ``agent add``, ``db upgrade``,
``secret-key``, ``export``, ``jobs``."""

import argparse
import asyncio
import getpass
import logging
import os
import sys

from aiohttp import web

from demo import simulation
from server import job_commands
from server.access_log import access_logging
from server.agents import AgentDirectory
from server.config import ConfigError, Problem, load_config
from server.database import Database, StorageError
from server.integrations.secret_box import ENVIRONMENT, SecretBox


def _serve(args: argparse.Namespace) -> None:
    from server.app import create_app

    config = load_config(args.config)
    web.run_app(
        create_app(config),
        host=config.host,
        port=config.port,
        **access_logging(args.access_log),
    )


def _simulate(args: argparse.Namespace) -> None:
    from demo.simulate import main as simulate  # the server itself never loads the simulators

    simulate(args)


def _demo(args: argparse.Namespace) -> None:
    from demo.runner import run_demo

    asyncio.run(
        run_demo(args.host, args.port, quick_calls=args.quick_calls, access_log=args.access_log)
    )


async def _add_agent(args: argparse.Namespace) -> None:
    config = load_config(args.config)
    if args.tenant not in config.tenants:
        raise ConfigError([Problem("--tenant", f"{args.tenant!r} is not in {args.config}")])
    password = os.environ.get("CRM_BRIDGE_AGENT_PASSWORD") or getpass.getpass("Agent password: ")
    database = await Database.open(config.database)
    try:
        agent = await AgentDirectory(database).save(
            args.tenant,
            args.username,
            password=password,
            full_name=args.full_name,
            extension=args.extension,
        )
    finally:
        await database.close()
    print(f"agent {agent.username} saved in tenant {agent.tenant} (extension {agent.extension})")


async def _upgrade_database(args: argparse.Namespace) -> None:
    database = Database.from_setting(load_config(args.config).database)
    try:
        change = await database.upgrade_schema()
    finally:
        await database.close()
    print(f"database {database.url}: {change.describe()}")


def _print_secret_key(args: argparse.Namespace) -> None:
    print(SecretBox.new_key())


ACCESS_LOG_HELP = "log every HTTP request (path, status, time; never the query string)"


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="crm-bridge", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)

    serve = commands.add_parser("serve", help="run the bridge with a TOML configuration")
    serve.add_argument("--config", required=True)
    serve.add_argument("--access-log", action="store_true", help=ACCESS_LOG_HELP)
    serve.set_defaults(run=_serve)

    demo = commands.add_parser("demo", help="run bridge, simulators and demo CRM on loopback")
    demo.add_argument("--host", default="127.0.0.1")
    demo.add_argument(
        "--port",
        type=int,
        default=8780,
        help="first of six consecutive ports: bridge, CRM, untrusted page, REST, Elision, Euphoria",
    )
    demo.add_argument("--access-log", action="store_true", help=ACCESS_LOG_HELP)
    demo.add_argument(
        "--quick-calls",
        action="store_true",
        help="calls are answered and end at once (for tests) instead of ringing 3 s and"
        " talking 8 to 15 s",
    )
    demo.set_defaults(run=_demo)

    simulate = commands.add_parser(
        "simulate",
        help="run the dialer simulators, and print the bridge configuration for them",
        description=simulation.DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    simulation.add_arguments(simulate)
    simulate.add_argument("--access-log", action="store_true", help=ACCESS_LOG_HELP)
    simulate.set_defaults(run=_simulate)

    agent = commands.add_parser("agent", help="manage the agent directory")
    agent_commands = agent.add_subparsers(dest="agent_command", required=True)
    add = agent_commands.add_parser(
        "add", help="create or update an agent (password from CRM_BRIDGE_AGENT_PASSWORD or prompt)"
    )
    add.add_argument("--config", required=True)
    add.add_argument("--tenant", required=True)
    add.add_argument("--username", required=True)
    add.add_argument("--full-name", default="")
    add.add_argument("--extension", default="")
    add.set_defaults(run=lambda args: asyncio.run(_add_agent(args)))

    db = commands.add_parser("db", help="manage the database")
    db_commands = db.add_subparsers(dest="db_command", required=True)
    upgrade = db_commands.add_parser(
        "upgrade", help="create or upgrade the database's schema (the server also does at start)"
    )
    upgrade.add_argument("--config", required=True)
    upgrade.set_defaults(run=lambda args: asyncio.run(_upgrade_database(args)))

    secret_key = commands.add_parser(
        "secret-key",
        help=f"print a new key for [integrations] secret_keys or {ENVIRONMENT}",
    )
    secret_key.set_defaults(run=_print_secret_key)

    job_commands.add_commands(commands)
    return parser


def main(argv: list[str] | None = None) -> None:
    logging.basicConfig(
        level=os.environ.get("CRM_BRIDGE_LOG_LEVEL", "INFO").upper(),
        format="%(asctime)s %(name)s %(message)s",
    )
    args = build_parser().parse_args(argv)
    try:
        args.run(args)
    except ConfigError as error:
        sys.exit("\n".join(f"crm-bridge: {problem}" for problem in error.problems))
    except StorageError as error:
        sys.exit(f"crm-bridge: {error}")
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
