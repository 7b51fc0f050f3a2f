"""The jinja2 environment for the widget, console and admin pages."""

import datetime as dt
from collections.abc import Mapping
from urllib.parse import urlencode

import jinja2

from server.widget_assets import PROJECT_ROOT

TEMPLATE_DIRS = (PROJECT_ROOT / "widget" / "templates", PROJECT_ROOT / "server" / "templates")


def utc(epoch: float) -> str:
    return dt.datetime.fromtimestamp(epoch, dt.UTC).strftime("%Y-%m-%d %H:%M:%S")


def page_url(filters: Mapping[str, str], page: int) -> str:
    """The query string of ``filters`` showing ``page``."""
    return urlencode({**{k: v for k, v in filters.items() if v and k != "page"}, "page": page})


def sentence(message: str) -> str:
    """``no such upload`` → ``No such upload.``: a message shown on its own."""
    message = message.strip()
    if not message:
        return ""
    return message[0].upper() + message[1:] + ("" if message[-1] in ".!?" else ".")


def environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader([str(d) for d in TEMPLATE_DIRS]),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
    )
    env.filters["utc"] = utc
    env.filters["pageurl"] = page_url
    env.filters["sentence"] = sentence
    return env
