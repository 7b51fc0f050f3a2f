"""The ``crm-bridge`` command: ``serve``, ``demo``, ``simulate``, ``agent add``, ``db upgrade``,
``secret-key``, ``export``, ``jobs``.

Every failure is one line on stderr, without a traceback (``CRM_BRIDGE_LOG_LEVEL=DEBUG``
logs it), and an exit status of `cli.errors`.
"""

import argparse
import asyncio
import getpass
import logging
import os
import sys
from collections.abc import Callable
from importlib.metadata import version

from aiohttp import web

from cli import jobs
from cli.errors import EXIT_ERROR, EXIT_INTERRUPTED, CommandError, start_failure
from demo import simulation
from server.access_log import access_logging
from server.agents import AgentDirectory
from server.config import ConfigError, ConfigProblem, load_config
from server.database import Database, StorageError
from server.drain import exit_within
from server.integrations.secret_box import ENVIRONMENT, SecretBox
from server.open_files import raise_open_file_limit

log = logging.getLogger(__name__)


def _serve(args: argparse.Namespace) -> None:
    from server.app import create_app

    config = load_config(args.config)
    app = create_app(config)
    seconds = config.server.shutdown_seconds
    app.on_shutdown.insert(0, exit_within(seconds))
    log.debug("open-file limit: %d", raise_open_file_limit())
    web.run_app(
        app,
        host=config.host,
        port=config.port,
        **access_logging(args.access_log),
        shutdown_timeout=seconds / 2,  # for requests in flight; the rest stops after
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
        raise ConfigError([ConfigProblem("--tenant", f"{args.tenant!r} is not in {args.config}")])
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
DESCRIPTION = """\
The CRM bridge: its server, a demo, dialer simulators, and the operator's commands on
its database (agents, schema, lead exports and jobs). Exit statuses: 0 done; 1 the
command could not run (its reason on one line); 2 wrong usage; 3 a job done with
failures; 4 a job failed or cancelled; 130 interrupted (Ctrl+C).
"""
CONFIG_HELP = "the bridge's TOML configuration file (as for serve)"


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="crm-bridge",
        description=DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--version", action="version", version=f"crm-bridge {version('crm-bridge')}"
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    serve = commands.add_parser("serve", help="run the bridge with a TOML configuration")
    serve.add_argument("--config", required=True, help="the TOML configuration file")
    serve.add_argument("--access-log", action="store_true", help=ACCESS_LOG_HELP)
    serve.set_defaults(run=_serve, server=True, port_hint="[server] port in the configuration")

    demo = commands.add_parser("demo", help="run bridge, simulators and demo CRM on loopback")
    demo.add_argument(
        "--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)"
    )
    demo.add_argument(
        "--port",
        type=int,
        default=8780,
        help="first of six consecutive ports: bridge, CRM, untrusted page, REST, Elision,"
        " Euphoria (default 8780)",
    )
    demo.add_argument("--access-log", action="store_true", help=ACCESS_LOG_HELP)
    demo.add_argument(
        "--quick-calls",
        action="store_true",
        help="calls are answered and end at once (for tests) instead of ringing 3 s and"
        " talking 8 to 15 s",
    )
    demo.set_defaults(run=_demo, server=True, port_hint="--port")

    simulate = commands.add_parser(
        "simulate",
        help="run the dialer simulators, and print the bridge configuration for them",
        description=simulation.DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    simulation.add_arguments(simulate)
    simulate.add_argument("--access-log", action="store_true", help=ACCESS_LOG_HELP)
    simulate.set_defaults(run=_simulate, server=True, port_hint="--port")

    agent = commands.add_parser("agent", help="manage the agent directory")
    agent_commands = agent.add_subparsers(dest="agent_command", required=True, metavar="COMMAND")
    add = agent_commands.add_parser(
        "add", help="create or update an agent (password from CRM_BRIDGE_AGENT_PASSWORD or prompt)"
    )
    add.add_argument("--config", required=True, help=CONFIG_HELP)
    add.add_argument("--tenant", required=True, help="the tenant's id in the configuration")
    add.add_argument("--username", required=True, help="the agent's login name")
    add.add_argument("--full-name", default="", help="the agent's name as people read it")
    add.add_argument("--extension", default="", help="the agent's phone extension, e.g. 1001")
    add.set_defaults(run=lambda args: asyncio.run(_add_agent(args)))

    db = commands.add_parser("db", help="manage the database")
    db_commands = db.add_subparsers(dest="db_command", required=True, metavar="COMMAND")
    upgrade = db_commands.add_parser(
        "upgrade", help="create or upgrade the database's schema (the server also does at start)"
    )
    upgrade.add_argument("--config", required=True, help=CONFIG_HELP)
    upgrade.set_defaults(run=lambda args: asyncio.run(_upgrade_database(args)))

    secret_key = commands.add_parser(
        "secret-key",
        help=f"print a new key for [integrations] secret_keys or {ENVIRONMENT}",
    )
    secret_key.set_defaults(run=_print_secret_key)

    jobs.add_commands(commands, CONFIG_HELP)
    return parser


def _run(run: Callable[[argparse.Namespace], None], args: argparse.Namespace) -> None:
    """``run``, with a server's start-up failures (a port in use...) as one line."""
    try:
        run(args)
    except OSError as error:
        if not getattr(args, "server", False):
            raise
        raise start_failure(error, args.port_hint) from None


def main(argv: list[str] | None = None) -> None:
    logging.basicConfig(
        level=os.environ.get("CRM_BRIDGE_LOG_LEVEL", "INFO").upper(),
        format="%(asctime)s %(name)s %(message)s",
    )
    args = build_parser().parse_args(argv)
    try:
        _run(args.run, args)
    except ConfigError as error:
        sys.exit("\n".join(f"crm-bridge: {problem}" for problem in error.problems))
    except StorageError as error:
        sys.exit(f"crm-bridge: {error}")
    except CommandError as error:
        print(f"crm-bridge: {error.message}", file=sys.stderr)
        sys.exit(error.status)
    except KeyboardInterrupt:
        if getattr(args, "server", False):
            return  # Ctrl+C is how a server is stopped
        print("crm-bridge: interrupted", file=sys.stderr)
        sys.exit(EXIT_INTERRUPTED)
    except Exception as error:  # one line, whatever it is; the log has the rest
        log.debug("crm-bridge %s failed", args.command, exc_info=True)
        print(
            f"crm-bridge: {args.command} failed: {type(error).__name__}: {error}"
            " (CRM_BRIDGE_LOG_LEVEL=DEBUG shows where)",
            file=sys.stderr,
        )
        sys.exit(EXIT_ERROR)
