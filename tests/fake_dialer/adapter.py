"""The Acme dialer behind the bridge's `DialerAdapter`: it places calls, nothing else."""

from bridge.events import UrlPush
from bridge.interface import DialerAdapter, DialerTraits, OriginateRequest, OriginateResult
from bridge.login_breaker import LoginBreakers
from bridge.transport import DialerTransport
from tests.fake_dialer import answers, events
from tests.fake_dialer.settings import AcmeSettings


class AcmeAdapter(DialerAdapter):
    """Traits: it rings the agent's phone first and pushes each call's progress to its
    own Event Push URL; it takes no leads (one batch at a time, were it to)."""

    kind = name = "acme"
    traits = DialerTraits(title="Acme", rings_agent_first=True, event_push=UrlPush(events.read))

    def __init__(
        self,
        transport: DialerTransport,
        settings: AcmeSettings,
        *,
        breakers: LoginBreakers | None = None,
    ) -> None:
        self.name = transport.dialer
        self.transport = transport
        self._token = settings.token.get_secret_value()

    async def originate(self, request: OriginateRequest) -> OriginateResult:
        response = await self.transport.request(
            "POST",
            "/calls",
            json={"to": request.destination, "agent": request.extension},
            headers={"Authorization": f"Bearer {self._token}"},
            audit_as="POST /calls",
        )
        return OriginateResult(uuid=answers.body(response, dialer=self.name)["call"])
