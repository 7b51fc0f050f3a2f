"""The Integration Centre: webhooks to a tenant's CRM (the spec's "target system").

Groups hold how to authenticate (`groups`), webhooks say what to send where and when
(`webhooks`, `variables`), calls and the agents' manual runs queue deliveries in an
outbox in the same transaction as the call's change (`triggers`, `outbox`), and the
`worker` sends them within the `outbound` policy. `docs/integrations.md` tells the
whole story.
"""
