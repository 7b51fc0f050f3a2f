"""A batch of leads as VICIdial's add_lead requests, one per lead, several at a time.

At most ``concurrency`` requests are in flight; outcomes come back in the leads' order.
A lead repeating an earlier lead's phone waits until that one is answered (the dialer's
duplicate check then sees it). A failure of the dialer itself (it is unreachable, or
refused the login) stops the batch: requests in flight finish, the leads not yet sent
are ``not_sent``, and a lead whose answer never came is ``unknown``. If no lead was
added (or may have been), the failure is raised instead, as for any batch
(`bridge.lead_export`).
"""

import asyncio
from collections.abc import Awaitable, Callable, Sequence

from bridge.errors import DialerError, DialerOutcomeUnknown
from bridge.interface import Lead, LeadOutcome

AddOne = Callable[[int], Awaitable[LeadOutcome]]


def waves(leads: Sequence[Lead]) -> list[list[int]]:
    """Indices of ``leads`` in waves: each phone's first lead, then its second, ..."""
    seen: dict[str, int] = {}
    rounds: list[list[int]] = []
    for index, lead in enumerate(leads):
        wave = seen.get(lead.phone.digits, 0)
        seen[lead.phone.digits] = wave + 1
        if wave == len(rounds):
            rounds.append([])
        rounds[wave].append(index)
    return rounds


async def add_each(
    leads: Sequence[Lead], add_one: AddOne, *, concurrency: int
) -> list[LeadOutcome]:
    """``add_one(index)`` for each lead, ``concurrency`` at a time; the outcomes in order.

    ``add_one`` returns the lead's outcome, or raises a `DialerError` that fails the batch."""
    outcomes: list[LeadOutcome | None] = [None] * len(leads)
    failures: list[DialerError] = []
    slots = asyncio.Semaphore(concurrency)

    async def add(index: int) -> None:
        async with slots:
            if failures:
                return
            try:
                outcomes[index] = await add_one(index)
            except DialerOutcomeUnknown as error:
                phone = leads[index].phone.digits
                outcomes[index] = LeadOutcome(phone, "unknown", f"unknown: {error.message}")
                failures.append(error)
            except DialerError as error:
                failures.append(error)

    for wave in waves(leads):
        await asyncio.gather(*(add(index) for index in wave))
        if failures:
            break
    if failures and not any(o and (o.ok or o.status == "unknown") for o in outcomes):
        raise failures[0]
    return [
        outcome or LeadOutcome(lead.phone.digits, "not_sent", f"not sent: {failures[0].message}")
        for outcome, lead in zip(outcomes, leads, strict=True)
    ]
