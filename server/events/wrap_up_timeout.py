"""Ends the agents' pending wrap-ups whose time (the tenant's ``wrapup_seconds``) is up.

Every bridge instance looks once a `CHECK_SECONDS`; the deadline is in the database, so
a wrap-up ends on time across instances and restarts, and the state change (an
``agent_state`` event to every tab) is made once, under the agent's row lock. The
dialer is not told: its own wrap-up timer (the user's wrap-up time) ends its side.
"""

import asyncio
import logging
import time

from server.events.intake import EventIntake

log = logging.getLogger(__name__)

CHECK_SECONDS = 1.0


async def expire_forever(intake: EventIntake) -> None:
    while True:
        try:
            await intake.expire_wrap_ups(time.time())
        except Exception:
            log.exception("ending overdue wrap-ups failed; trying again")
        await asyncio.sleep(CHECK_SECONDS)
