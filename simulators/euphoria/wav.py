"""Real, playable WAV files for the simulators: GSM 6.10 compressed, as spec 001 describes.

libsndfile (through `soundfile`) does the encoding and writes ``WAVE_FORMAT_GSM610``
(0x0031), 8 kHz mono, with a ``fact`` chunk holding the true sample count.
"""

import io
from functools import lru_cache

import numpy as np
import numpy.typing as npt
import soundfile

SAMPLE_RATE = 8000


def gsm610_wav(samples: npt.ArrayLike) -> bytes:
    """A mono 8 kHz GSM 6.10 WAV of ``samples`` (16-bit values)."""
    buffer = io.BytesIO()
    data = np.asarray(samples, dtype=np.int16)
    soundfile.write(buffer, data, SAMPLE_RATE, format="WAV", subtype="GSM610")
    return buffer.getvalue()


def tone(seconds: float, frequency: float, amplitude: float = 0.5) -> npt.NDArray[np.int16]:
    """A sine tone at 8 kHz with 20 ms fades, as 16-bit sample values."""
    n = np.arange(round(seconds * SAMPLE_RATE))
    fade = SAMPLE_RATE / 50
    envelope = np.minimum(1.0, np.minimum(n, len(n) - n) / fade)
    wave = amplitude * 32767 * envelope * np.sin(2 * np.pi * frequency * n / SAMPLE_RATE)
    return np.round(wave).astype(np.int16)


@lru_cache(maxsize=1)
def demo_recording() -> bytes:
    """Two seconds of a 440 Hz tone as a GSM 6.10 WAV (computed once per process)."""
    return gsm610_wav(tone(2.0, 440.0))
