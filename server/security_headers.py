"""Headers every answer carries, and the policy of the admin pages.

``X-Content-Type-Options: nosniff`` everywhere, and a ``Server`` header that does not
advertise the software's version. Pages set their own Content-Security-Policy; the
admin pages use `ADMIN_CSP`: nothing but the bridge's own files (the jobs page's script
from ``static/``, which polls the bridge), no inline code, not framed, forms posted only
to the bridge; the widget pages `widget_csp`.
"""

from aiohttp import web

ADMIN_CSP = (
    "default-src 'none'; script-src 'self'; connect-src 'self'; style-src 'self'; "
    "img-src 'self' data:; form-action 'self'; "
    "frame-ancestors 'none'; base-uri 'none'"
)


def widget_csp(nonce: str, framing: str) -> str:
    """The widget and console pages' policy: only the bridge's own files, and the page's
    inline scripts by their per-response ``nonce``.

    ``'wasm-unsafe-eval'``: both runtimes are WebAssembly, which a policy without it
    forbids to compile. ``'unsafe-eval'``: PyScript (its polyscript core) builds its
    plugin hooks with ``Function(...)`` at start-up, which fails without it; the code it
    evaluates comes from PyScript's own files, served by the bridge. Media and
    images also from ``blob:``/``data:``: the recording player plays an object URL, the
    page's icon is a data URL. ``framing`` names who may frame the page (and, for the
    console, which CRM it frames)."""
    return (
        f"default-src 'self'; script-src 'self' 'nonce-{nonce}' 'unsafe-eval' 'wasm-unsafe-eval'; "
        "style-src 'self'; img-src 'self' data:; media-src 'self' blob:; "
        f"connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'none'; {framing}"
    )


async def add_security_headers(request: web.Request, response: web.StreamResponse) -> None:
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Server"] = "crm-bridge"
