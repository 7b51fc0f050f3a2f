"""What a dialer can do, in the bridge's own terms.

The server talks to every dialer through `DialerAdapter`. Each adapter overrides the
operations its API offers; the rest raise `NotSupported`, which names the dialer, so
the caller learns at once that it asked the wrong system. What the server must know of
a dialer beyond its operations is in its `DialerTraits`.
"""

from collections.abc import AsyncGenerator, Callable, Hashable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal, get_args

from bridge.errors import NotSupported
from bridge.events import EventPush
from bridge.phone import PhoneNumber

if TYPE_CHECKING:  # the transport imports the audit, which imports this module
    from bridge.login_breaker import LoginBreakers
    from bridge.transport import DialerTransport


@dataclass(frozen=True, slots=True)
class OriginateRequest:
    """A click-to-call: ring the agent, then dial ``destination`` (E.164 digits, no '+')."""

    destination: str
    extension: str | None = None
    user_id: str | None = None
    device_id: str | None = None
    caller_id: str | None = None
    lead_id: str | None = None


@dataclass(frozen=True, slots=True)
class OriginateResult:
    uuid: str | None


@dataclass(frozen=True, slots=True)
class DialerUser:
    """An agent as the dialers know it. ``password`` is a secret and is never logged."""

    username: str
    full_name: str
    password: str | None = field(default=None, repr=False)
    extension: str | None = None
    phone_pass: str | None = field(default=None, repr=False)
    phone_login: str | None = None  # VICIdial's phone login; the extension when not given
    email: str = ""
    user_level: int = 1
    user_group: str = "AGENTS"
    active: bool = True


@dataclass(frozen=True, slots=True)
class DialerList:
    list_id: str
    name: str
    campaign: str = ""
    active: bool = True


@dataclass(frozen=True, slots=True)
class Lead:
    """One contact to dial; ``phone`` as `bridge.phone.normalise` read it."""

    phone: PhoneNumber
    first_name: str = ""
    last_name: str = ""
    title: str = ""
    email: str = ""
    address: str = ""
    city: str = ""
    postal_code: str = ""
    notes: str = ""
    language: str = ""
    vendor_lead_code: str = ""
    priority: int | None = None
    custom: dict[str, str] = field(default_factory=dict)


LeadStatus = Literal["added", "already_there", "failed", "not_sent", "unknown"]
LEAD_STATUSES: tuple[LeadStatus, ...] = get_args(LeadStatus)
ON_THE_DIALER: tuple[LeadStatus, ...] = ("added", "already_there")


@dataclass(frozen=True, slots=True)
class LeadOutcome:
    """What became of one lead. ``status``:

    - ``added``: the dialer added it;
    - ``already_there``: the dialer has its phone already (its duplicate check refused
      it, or it repeats an earlier lead), and did not add it twice;
    - ``failed``: the dialer refused it, or the bridge could not send it as it is
      (``message`` says why): sending it again as it is fails again;
    - ``not_sent``: it was not sent because the dialer failed before its turn: send it again;
    - ``unknown``: it was sent but no answer came: it may be on the dialer.

    ``ok`` means the lead is on the dialer (added or already there). ``stored_as`` names
    the fields the dialer stores otherwise than sent, with the value it stores."""

    phone: str  # E.164 digits, no '+'
    status: LeadStatus
    message: str
    stored_as: dict[str, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.status in ON_THE_DIALER


@dataclass(frozen=True, slots=True)
class LeadBatching:
    """What one `DialerAdapter.add_leads` call may carry (`bridge.lead_export` cuts by it).

    At most ``max_leads`` leads; with ``max_size``, leads whose ``size`` adds up to at
    most that; with ``group``, only leads for which it gives the same value."""

    max_leads: int = 500
    max_size: int | None = None
    size: Callable[[Lead], int] | None = None
    group: Callable[[Lead], Hashable] | None = None


@dataclass(frozen=True, slots=True)
class DialerTraits:
    """What the server needs to know of a dialer beyond the operations it offers.

    - ``title``: the kind's name in messages (``REST``, ``Euphoria``);
    - ``export_concurrency``: how many batches of one lead export are in flight at once;
    - ``refuses_duplicate_leads``: the dialer refuses a lead whose phone is already in
      the list, so a lead that may have reached it can be sent again without being
      added twice (else such a lead is reported ``unknown``);
    - ``chooses_list_ids``: ``create_list`` ignores the list id given and answers the
      dialer's own;
    - ``rings_agent_first``: a click-to-call rings the agent's phone before it dials;
    - ``event_push``: how the dialer tells the bridge about calls and agents, if it does.
    """

    title: str
    export_concurrency: int = 1
    refuses_duplicate_leads: bool = False
    chooses_list_ids: bool = False
    rings_agent_first: bool = False
    event_push: EventPush | None = None


class DialerAdapter:
    """Base of every adapter. ``kind`` is its settings' ``kind``; ``name`` is the
    dialer's name in configuration and errors."""

    kind = "dialer"
    name = "dialer"
    traits = DialerTraits(title="dialer")
    lead_batching = LeadBatching()

    def __init__(
        self,
        transport: "DialerTransport",
        settings: Any,
        *,
        breakers: "LoginBreakers | None" = None,
    ) -> None:
        """How the registry (`bridge.dialers`) builds every adapter: over its
        ``transport``, from ``settings`` (its kind's model), sharing ``breakers`` (the
        logins dialers refused) with the other adapters. Adapters narrow ``settings``."""
        self.name = transport.dialer

    def _unsupported(self, operation: str) -> NotSupported:
        return NotSupported(operation, dialer=self.name)

    async def originate(self, request: OriginateRequest) -> OriginateResult:
        raise self._unsupported("originate")

    async def create_user(self, user: DialerUser) -> str:
        """Create the user; return the dialer's success text."""
        raise self._unsupported("create_user")

    async def update_user(self, user: DialerUser) -> str:
        raise self._unsupported("update_user")

    async def delete_user(self, username: str) -> str:
        raise self._unsupported("delete_user")

    async def user_id(self, username: str) -> str:
        """The dialer's own id of the user ``username`` (its events name users by it)."""
        raise self._unsupported("user_id")

    async def create_list(self, dialer_list: DialerList) -> DialerList:
        """Create the list; return it as the dialer knows it (some dialers choose the id)."""
        raise self._unsupported("create_list")

    async def active_lists(self) -> list[DialerList]:
        raise self._unsupported("active_lists")

    def check_export_target(self, dialer_list: DialerList, *, create: bool) -> None:
        """Refuse (`InvalidRequest`, the reason) a list the dialer would refuse to
        create (``create``) or to fill, before anything is sent: its own rules on list
        ids, names and campaigns. Whether the list exists is not checked here."""

    async def add_leads(self, dialer_list: DialerList, leads: list[Lead]) -> list[LeadOutcome]:
        """Send one batch (within `lead_batching`); one outcome per lead, in order.

        A failure of the whole batch raises; `bridge.lead_export` sends more."""
        raise self._unsupported("add_leads")

    def download_recording(self, filename: str) -> AsyncGenerator[bytes]:
        """Yield the decoded WAV bytes of a call recording, chunk by chunk."""
        raise self._unsupported("download_recording")

    # An agent's state; ``user_id`` and ``device_id`` are the dialer's own ids.

    async def check_in(self, user_id: str, device_id: str | None = None) -> str | None:
        """Check the agent in (on ``device_id`` at once, when given); return the number
        the agent must dial to finish checking in, if the dialer needs one."""
        raise self._unsupported("check_in")

    async def check_out(self, user_id: str) -> None:
        raise self._unsupported("check_out")

    async def pause(self, user_id: str, pause_id: int) -> None:
        """Pause the agent with the dialer's pause reason ``pause_id`` (1 and up)."""
        raise self._unsupported("pause")

    async def resume(self, user_id: str) -> None:
        raise self._unsupported("resume")

    async def set_queues(self, user_id: str, queue_ids: Sequence[str]) -> None:
        """Put the agent in exactly these queues."""
        raise self._unsupported("set_queues")

    async def wrapup(self, user_id: str, seconds: int | None = None) -> None:
        """Set the agent's wrap-up time to ``seconds`` from now (0 ends it)."""
        raise self._unsupported("wrapup")


def offers(adapter: type[DialerAdapter], operation: str) -> bool:
    """Whether ``adapter`` implements ``operation`` rather than refusing it."""
    return getattr(adapter, operation) is not getattr(DialerAdapter, operation)
