"""Dangerous admin actions ask first: a page that says what will stop working, with a
form that sends the same action again, confirmed (no script: the pages' CSP forbids
inline code, and a form works everywhere)."""

from collections.abc import Mapping, Sequence
from typing import Any

from aiohttp import web

from server.routes.admin_render import render

CONFIRMED = "confirmed"


def is_confirmed(form: Mapping[str, Any]) -> bool:
    return form.get(CONFIRMED) == "yes"


def confirm_page(
    request: web.Request,
    *,
    title: str,
    consequences: Sequence[str],
    fields: Mapping[str, str],
    button: str,
    back: str,
) -> web.Response:
    """The question: ``consequences`` (what will stop working), ``button`` to go on with
    ``fields`` posted to this page again, or back to ``back``."""
    return render(
        request,
        "admin/confirm.html",
        title=title,
        consequences=consequences,
        fields=fields,
        confirmed=CONFIRMED,
        button=button,
        back=back,
        request_path=request.path,
    )
