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

from bridge import DialerError
from server.auth import require_agent_or_api_key
from server.keys import CONFIG, DIALERS
from server.problems import Problem
from server.recording_transcode import UnreadableRecording, pcm_wav

SAFE_NAME = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-")
FORMATS = ("original", "pcm")


async def recording(request: web.Request) -> web.StreamResponse:
    caller = await require_agent_or_api_key(request)
    filename = request.match_info["filename"]
    if not filename or len(filename) > 255 or not set(filename) <= SAFE_NAME:
        raise Problem("invalid_filename", "a recording name has letters, digits, . _ -")
    wanted = request.query.get("format", "original")
    if wanted not in FORMATS:
        raise Problem("invalid_format", "format is 'original' or 'pcm'")
    tenant = request.config_dict[CONFIG].tenants[caller.tenant]
    if not tenant.recordings_dialer:
        raise Problem("not_supported", f"tenant {tenant.id} has no recordings dialer")
    adapter = request.config_dict[DIALERS].get(tenant.id, tenant.recordings_dialer)
    chunks = adapter.download_recording(filename)
    if wanted == "pcm":
        chunks = pcm_wav(chunks)
    try:
        first = await anext(chunks, b"")
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
        await response.write_eof()
        return response
    finally:
        with contextlib.suppress(Exception):
            await chunks.aclose()


def add_routes(app: web.Application) -> None:
    app.router.add_get("/api/v1/recordings/{filename}", recording)
