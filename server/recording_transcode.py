"""Recordings in a form browsers play: the dialer's GSM 6.10 WAV as 16-bit PCM WAV.

Browsers do not decode GSM-compressed WAV, so the widget asks for PCM. The recording is
spooled to a temporary file as it arrives (libsndfile needs to seek), then decoded and
sent a block at a time: memory stays flat whatever the recording's length.
"""

import asyncio
import io
import tempfile
import wave
from collections.abc import AsyncGenerator, AsyncIterator
from typing import IO, cast

import soundfile

from server.problems import Problem

BLOCK_FRAMES = 16_000


class UnreadableRecording(Problem):
    """The dialer's file is not audio libsndfile can decode."""

    def __init__(self, message: str) -> None:
        super().__init__("dialer_bad_response", message)


class _Drain(io.RawIOBase):
    """A write-only sink that hands out what was written since the last ``take``."""

    def __init__(self) -> None:
        self._parts: list[bytes] = []

    def writable(self) -> bool:
        return True

    def write(self, data: bytes) -> int:  # type: ignore[override]
        self._parts.append(bytes(data))
        return len(data)

    def take(self) -> bytes:
        data, self._parts = b"".join(self._parts), []
        return data


async def pcm_wav(chunks: AsyncIterator[bytes]) -> AsyncGenerator[bytes]:
    """Re-encode a WAV of any codec libsndfile reads as 16-bit PCM WAV, streaming."""
    with tempfile.TemporaryFile() as spool:
        async for chunk in chunks:
            await asyncio.to_thread(spool.write, chunk)
        spool.seek(0)
        try:
            source = await asyncio.to_thread(soundfile.SoundFile, spool)
        except soundfile.LibsndfileError as error:
            raise UnreadableRecording(f"the recording is not audio: {error}") from None
        with source:
            drain = _Drain()
            target = wave.open(cast(IO[bytes], drain), "wb")  # noqa: SIM115 - closed below, after the blocks
            target.setnchannels(source.channels)
            target.setsampwidth(2)
            target.setframerate(source.samplerate)
            target.setnframes(source.frames)
            for _ in range(0, source.frames, BLOCK_FRAMES):
                block = await asyncio.to_thread(source.read, BLOCK_FRAMES, "int16")
                target.writeframesraw(block.tobytes())
                yield drain.take()
            target.close()  # the header already holds the right length: no seek back
            if tail := drain.take():
                yield tail
