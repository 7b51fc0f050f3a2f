"""The REST call-centre API behind the bridge's `DialerAdapter` interface."""

from bridge.errors import DialerBadResponse
from bridge.interface import DialerAdapter, OriginateRequest, OriginateResult
from bridge.rest.client import RestClient


class RestAdapter(DialerAdapter):
    name = "rest"

    def __init__(self, client: RestClient) -> None:
        self.client = client
        self.name = client.dialer

    async def originate(self, request: OriginateRequest) -> OriginateResult:
        """``GET /api/cc_agent/originate``: ring the agent's device, then the destination."""
        params = {
            "destination": request.destination,
            "extension": request.extension,
            "user_id": request.user_id,
            "device_id": request.device_id,
            "cid": request.caller_id,
            "lead_id": request.lead_id,
        }
        with self.client.transport.operation("originate"):
            envelope = await self.client.call(
                "GET", "/api/cc_agent/originate", params={k: v for k, v in params.items() if v}
            )
            uuid = envelope.get("uuid", envelope.get("Uuid"))
            if uuid is not None and not isinstance(uuid, str):
                raise DialerBadResponse(
                    f"{self.name} answered originate with a uuid that is not text",
                    dialer=self.name,
                    dialer_text=repr(uuid)[:100],
                )
            return OriginateResult(uuid=uuid)
