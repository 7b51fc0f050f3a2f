"""The demo CRM: a page embedding the widget, a CRM meant to run framed, an untrusted page,
the call log the bridge writes to, and the back office API its webhooks call."""

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path

import jinja2
from aiohttp import web

from demo.crm_back_office import CallLog, add_back_office

TEMPLATES = Path(__file__).parent / "templates"


@dataclass(frozen=True, slots=True)
class DemoAgent:
    username: str
    password: str
    extension: str


CONTACTS = (
    {
        "name": "Ada Lovelace",
        "code": "1",
        "number": "2025550143",
        "company": "Analytical Engines",
        "status": "Customer",
        "owner": "Mary",
    },
    {
        "name": "Alan Turing",
        "code": "44",
        "number": "2079460018",
        "company": "Bletchley & Co",
        "status": "Prospect",
        "owner": "Joan",
    },
    {
        "name": "Grace Hopper",
        "code": "1",
        "number": "3125550178",
        "company": "COBOL Works",
        "status": "Customer",
        "owner": "Mary",
    },
)


async def stylesheet(_: web.Request) -> web.FileResponse:
    return web.FileResponse(TEMPLATES / "crm.css")


def create_crm_site(
    *, bridge_origin: str, tenant: str, agent: DemoAgent, recording: str, call_log: CallLog
) -> web.Application:
    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATES)), autoescape=True
    )
    context = {
        "bridge": bridge_origin,
        "tenant": tenant,
        "agent": agent,
        "contacts": CONTACTS,
        "recording": recording,
    }

    def page(template: str) -> Callable[[web.Request], Awaitable[web.Response]]:
        async def handler(request: web.Request) -> web.Response:
            html = environment.get_template(template).render(**context, call_log=call_log)
            return web.Response(text=html, content_type="text/html")

        return handler

    app = web.Application()
    app.router.add_get("/", page("crm.html"))
    app.router.add_get("/framed", page("framed_crm.html"))
    app.router.add_get("/untrusted", page("untrusted.html"))
    app.router.add_get("/blank", page("blank.html"))
    app.router.add_get("/call-log", page("call_log.html"))
    add_back_office(app, call_log, CONTACTS)
    app.router.add_get("/crm.css", stylesheet)
    return app
