"""Call recordings: ``GET /api/v1/recordings/{filename}`` streams ``audio/wav``.

As the dialer has it (GSM 6.10 for Euphoria), or with ``?format=pcm`` as 16-bit PCM,
which browsers play (the widget asks for that).

Open to CRM back ends (API key) and to logged-in agents (the widget's bearer token).
The recording comes from the tenant's ``recordings_dialer`` and is passed on chunk by
chunk, never held whole. Until the first chunk has arrived a failure is a JSON error;
after that the connection is cut, so a client never takes a partial file for a whole.
"""

import contextlib

from aiohttp import web

from bridge import Actor, DialerError, current_actor
from server.api_errors import api_error, dialer_error
from server.crm_auth import caller_tenant
from server.keys import CONFIG, DIALERS
from server.recording_transcode import UnreadableRecording, pcm_wav

SAFE_NAME = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-")


async def recording(request: web.Request) -> web.StreamResponse:
    tenant_id, who = await caller_tenant(request)
    filename = request.match_info["filename"]
    if not filename or not set(filename) <= SAFE_NAME:
        return api_error(400, "invalid_filename", "a recording name has letters, digits, . _ -")
    tenant = request.app[CONFIG].tenants[tenant_id]
    if not tenant.recordings_dialer:
        return api_error(501, "not_supported", f"tenant {tenant_id} has no recordings dialer")
    adapter = request.app[DIALERS].get(tenant_id, tenant.recordings_dialer)
    current_actor.set(Actor(tenant_id, who))
    if request.query.get("format", "original") not in ("original", "pcm"):
        return api_error(400, "invalid_format", "format is 'original' or 'pcm'")
    chunks = adapter.download_recording(filename)
    if request.query.get("format") == "pcm":
        chunks = pcm_wav(chunks)
    try:
        first = await anext(chunks)
    except StopAsyncIteration:
        first = b""
    except DialerError as error:
        return dialer_error(error)
    except UnreadableRecording as error:
        return api_error(502, "dialer_bad_response", str(error))
    response = web.StreamResponse(
        headers={
            "Content-Type": "audio/wav",
            "Content-Disposition": f'inline; filename="{filename}"',
            "Cache-Control": "private, no-store",
        }
    )
    await response.prepare(request)
    await response.write(first)
    try:
        async for chunk in chunks:
            await response.write(chunk)
    except (DialerError, UnreadableRecording):
        if request.transport is not None:
            request.transport.close()
        return response
    finally:
        with contextlib.suppress(Exception):
            await chunks.aclose()
    await response.write_eof()
    return response


def add_routes(app: web.Application) -> None:
    app.router.add_get("/api/v1/recordings/{filename}", recording)
