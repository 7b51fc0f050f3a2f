"""The one retry policy: what it repeats, how often, and how long it waits."""

import pytest

from bridge.errors import DialerBusy, DialerRejected, DialerUnavailable
from bridge.retry import BUSY, READS, RetryPolicy


class Dialer:
    """Fails with ``errors`` in turn, then answers "ok"; counts the attempts."""

    def __init__(self, *errors: Exception) -> None:
        self.errors = list(errors)
        self.attempts = 0

    async def __call__(self) -> str:
        self.attempts += 1
        if self.errors:
            raise self.errors.pop(0)
        return "ok"


def unavailable() -> DialerUnavailable:
    return DialerUnavailable("down", dialer="d")


def policy(attempts: int, waits: list[float]) -> RetryPolicy:
    async def record(seconds: float) -> None:
        waits.append(seconds)

    return RetryPolicy(attempts=attempts, first_delay=0.2, max_delay=0.5, sleep=record)


@pytest.mark.parametrize(
    ("failures", "attempts", "answer"),
    [
        ([], 1, "ok"),
        ([unavailable()], 2, "ok"),
        ([unavailable(), unavailable()], 3, "ok"),
        ([unavailable()] * 3, 3, DialerUnavailable),
        ([DialerRejected("no", dialer="d")], 1, DialerRejected),
        ([DialerBusy("busy", dialer="d")], 1, DialerBusy),
    ],
)
async def test_only_the_named_error_is_retried_up_to_the_attempts(
    failures: list[Exception], attempts: int, answer: str | type[Exception]
) -> None:
    dialer = Dialer(*failures)
    retrying = policy(3, [])
    if isinstance(answer, str):
        assert await retrying.call(dialer, retry_on=DialerUnavailable) == answer
    else:
        with pytest.raises(answer) as raised:
            await retrying.call(dialer, retry_on=DialerUnavailable)
        assert raised.value is failures[attempts - 1]  # the last error, as it was
    assert dialer.attempts == attempts


async def test_waits_are_full_jitter_and_capped() -> None:
    caps = (0.2, 0.4, 0.5, 0.5)  # first_delay doubled, capped at max_delay
    runs = []
    for _ in range(50):
        waits: list[float] = []
        with pytest.raises(DialerUnavailable):
            await policy(5, waits).call(Dialer(*[unavailable()] * 5), retry_on=DialerUnavailable)
        assert len(waits) == 4
        assert all(0 <= wait <= cap for wait, cap in zip(waits, caps, strict=True))
        runs.append(tuple(waits))
    assert len(set(runs)) > 1  # jittered, not fixed


def test_the_policies_the_adapters_use() -> None:
    assert (READS.attempts, BUSY.attempts) == (3, 4)
