"""Lead export: any number of leads into one dialer list, batch by batch.

The adapter says what one call may carry (`DialerAdapter.lead_batching`); this service
cuts the leads into such batches, in order within each group, and sends them one after
the other. One rule covers failures: if a batch fails before any lead was added, its
error is raised (nothing changed on the dialer; the caller may simply try again); once
some were added (or may have been), the leads not yet sent are ``not_sent`` with the
error's message, and those of a batch sent but never answered (`DialerOutcomeUnknown`)
are ``unknown``.
Each lead's status is one of `bridge.interface.LeadStatus`.
"""

from collections.abc import Hashable, Iterator, Sequence

from bridge.errors import DialerError, DialerOutcomeUnknown
from bridge.interface import DialerAdapter, DialerList, Lead, LeadBatching, LeadOutcome

TOO_LARGE = "too large for one request to this dialer"


def plan_batches(batching: LeadBatching, leads: Sequence[Lead]) -> tuple[list[list[int]], set[int]]:
    """The batches (lists of indices into ``leads``), and the leads too large to send."""
    sizes = [batching.size(lead) if batching.size else 0 for lead in leads]
    budget = batching.max_size
    too_large = {i for i, size in enumerate(sizes) if budget is not None and size > budget}
    groups: dict[Hashable, list[int]] = {}
    for index, lead in enumerate(leads):
        if index not in too_large:
            key = batching.group(lead) if batching.group else None
            groups.setdefault(key, []).append(index)
    batches = [
        batch
        for indices in groups.values()
        for batch in _cut(indices, sizes, batching.max_leads, budget)
    ]
    return batches, too_large


def _cut(
    indices: list[int], sizes: list[int], max_leads: int, budget: int | None
) -> Iterator[list[int]]:
    batch: list[int] = []
    used = 0
    for index in indices:
        full = len(batch) == max_leads or (budget is not None and used + sizes[index] > budget)
        if batch and full:
            yield batch
            batch, used = [], 0
        batch.append(index)
        used += sizes[index]
    if batch:
        yield batch


async def export_leads(
    adapter: DialerAdapter, dialer_list: DialerList, leads: Sequence[Lead]
) -> list[LeadOutcome]:
    """Send ``leads`` into ``dialer_list``; one outcome per lead, in the order given."""
    batches, too_large = plan_batches(adapter.lead_batching, leads)
    outcomes: list[LeadOutcome | None] = [
        LeadOutcome(lead.phone.digits, "failed", TOO_LARGE) if index in too_large else None
        for index, lead in enumerate(leads)
    ]
    for batch in batches:
        try:
            results = await adapter.add_leads(dialer_list, [leads[i] for i in batch])
        except DialerError as error:
            if not any(o and (o.ok or o.status == "unknown") for o in outcomes):
                raise  # nothing is, or may be, on the dialer: the caller may try again
            if isinstance(error, DialerOutcomeUnknown):
                for index in batch:
                    phone = leads[index].phone.digits
                    outcomes[index] = LeadOutcome(phone, "unknown", f"unknown: {error.message}")
            return [
                outcome or LeadOutcome(lead.phone.digits, "not_sent", f"not sent: {error.message}")
                for outcome, lead in zip(outcomes, leads, strict=True)
            ]
        for index, result in zip(batch, results, strict=True):
            outcomes[index] = result
    return [outcome for outcome in outcomes if outcome is not None]
