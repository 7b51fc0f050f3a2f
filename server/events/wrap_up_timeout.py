"""Ends the agents' pending wrap-ups whose time (the tenant's ``wrapup_seconds``) is up.

Every bridge instance looks once a `CHECK_SECONDS`; the deadline is in the database, so
a wrap-up ends on time across instances and restarts, and the state change (an
``agent_state`` event to every tab) is made once, under the agent's row lock. The
dialer is not told: its own wrap-up timer (the user's wrap-up time) ends its side.
"""

import time

from server.events.intake import EventIntake

CHECK_SECONDS = 1.0


async def expire_due(intake: EventIntake) -> None:
    """End the wrap-ups whose time is up now."""
    await intake.expire_wrap_ups(time.time())
