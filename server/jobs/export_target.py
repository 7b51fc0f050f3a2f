"""Before a lead export is stored: would the dialer take its list?

Every rule the dialer will enforce is checked first, with the reason, so that a job is
never stored only to fail on its first batch: the dialer's own rules on list ids, names
and campaigns (`DialerAdapter.check_export_target`: Elision's list-name length and
campaign for a new list, Euphoria's list and campaign names, REST's numeric ids), and
that an existing list is one of the dialer's active lists, where its API can list them.
"""

import asyncio

from bridge import DialerAdapter, DialerError, DialerList, NotSupported

LISTS_NAMED = 10  # lists named in a refusal
LISTS_WAIT_SECONDS = 5.0  # a page that offers the lists does not wait longer for them


def list_label(dialer_list: DialerList) -> str:
    name = dialer_list.name
    return f"{dialer_list.list_id} ({name})" if name else dialer_list.list_id


async def export_target_problem(
    adapter: DialerAdapter, target: DialerList, *, create: bool
) -> str | None:
    """Why the dialer would refuse to fill (or create) ``target``, or None."""
    try:
        adapter.check_export_target(target, create=create)
    except DialerError as error:
        return f"{adapter.name}: {error.message}"
    if create:
        return None
    try:
        lists = await adapter.active_lists()
    except NotSupported:
        return None  # the dialer cannot say: its first batch will
    except DialerError as error:
        return f"cannot check that {adapter.name} has list {target.list_id}: {error.message}"
    if target.list_id in {known.list_id for known in lists}:
        return None
    named = ", ".join(list_label(known) for known in lists[:LISTS_NAMED]) or "none"
    return f"{adapter.name} has no active list {target.list_id} (its active lists: {named})"


async def known_lists(adapter: DialerAdapter) -> list[DialerList]:
    """The dialer's active lists, to choose from; none if it cannot list them now (or
    within `LISTS_WAIT_SECONDS`)."""
    try:
        async with asyncio.timeout(LISTS_WAIT_SECONDS):
            return await adapter.active_lists()
    except (DialerError, TimeoutError):
        return []
