"""Headers every answer carries, and the policy of the admin pages.

``X-Content-Type-Options: nosniff`` everywhere, and a ``Server`` header that does not
advertise the software's version. Pages set their own Content-Security-Policy; the
admin pages use `ADMIN_CSP`: nothing but the bridge's own files (the jobs page's script
from ``static/``, which polls the bridge), no inline code, not framed, forms posted only
to the bridge.
"""

from aiohttp import web

ADMIN_CSP = (
    "default-src 'none'; script-src 'self'; connect-src 'self'; style-src 'self'; "
    "img-src 'self' data:; form-action 'self'; "
    "frame-ancestors 'none'; base-uri 'none'"
)


async def add_security_headers(request: web.Request, response: web.StreamResponse) -> None:
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Server"] = "crm-bridge"
