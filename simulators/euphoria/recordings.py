"""``DownloadCallRecordingByFilename``: a recording as base64 in ``<audioData>`` (spec 001),
written in pieces."""

import base64
from xml.etree.ElementTree import Element
from xml.sax.saxutils import escape

from aiohttp import web

from simulators.euphoria.answers import DECLARATION, Refusal
from simulators.euphoria.requests import text
from simulators.euphoria.state import STATE

DOWNLOAD_RECORDING = "DownloadCallRecordingByFilename"
AUDIO_CHUNK = 3 * 16 * 1024  # raw bytes per base64 piece written (a multiple of 3)
DOWNLOAD_INPUT_ERROR = "Incorrect Input Parameters. Please check documentation"  # spec 001


async def download_recording(
    request: web.Request, root: Element, tenant: str
) -> web.StreamResponse:
    filename = text(root, "FileName").strip()
    if not filename:
        raise Refusal(DOWNLOAD_INPUT_ERROR)
    audio = request.app[STATE].recordings.get(filename)
    if audio is None:
        raise Refusal("File Not Found")
    response = web.StreamResponse(headers={"Content-Type": "text/xml; charset=utf-8"})
    await response.prepare(request)
    await response.write(
        f"{DECLARATION}<XML>\n <fileName>{escape(filename)}</fileName>\n <audioData>".encode()
    )
    for start in range(0, len(audio), AUDIO_CHUNK):
        await response.write(base64.b64encode(audio[start : start + AUDIO_CHUNK]))
    await response.write(b"</audioData>\n</XML>\n")
    await response.write_eof()
    return response
