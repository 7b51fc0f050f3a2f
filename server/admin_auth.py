"""Admin access: HTTP Basic against ``[admin]`` in the configuration.

Browsers resend Basic credentials by themselves, so a form on another site could post
to the admin pages in the admin's name: changes are accepted only from the bridge's
own origin.
"""

import base64
import binascii
import hmac

from aiohttp import web

from server.keys import CONFIG

UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def _challenge(message: str) -> web.HTTPUnauthorized:
    return web.HTTPUnauthorized(
        text=message, headers={"WWW-Authenticate": 'Basic realm="crm-bridge admin"'}
    )


def require_admin(request: web.Request) -> str:
    """The admin's user name, or an HTTP error that says what is missing."""
    config = request.app[CONFIG]
    admin = config.admin
    if admin is None:
        raise web.HTTPServiceUnavailable(
            text="the admin pages are off: configure [admin] username and password"
        )
    scheme, _, encoded = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "basic":
        raise _challenge("log in as the bridge's admin")
    try:
        username, _, password = base64.b64decode(encoded).decode().partition(":")
    except (binascii.Error, UnicodeDecodeError):
        raise _challenge("malformed Basic credentials") from None
    valid = hmac.compare_digest(username.encode(), admin.username.encode())
    valid &= hmac.compare_digest(password.encode(), admin.password.encode())
    if not valid:
        raise _challenge("wrong admin user name or password")
    if request.method in UNSAFE_METHODS:
        origin = request.headers.get("Origin")
        if origin is not None and origin != config.origin:
            raise web.HTTPForbidden(text=f"changes are accepted from {config.origin} only")
    return admin.username
