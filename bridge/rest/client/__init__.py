"""The REST call-centre API as a client library: every endpoint, by resource.

`RestClient` covers the whole of spec 003 with typed records: ``phone_lists``,
``leads``, ``users``, ``agents`` (check-in, pause, queues, wrap-up) and ``queues``
(with agent assignments). The bridge's adapter uses phone lists, leads and users; the
rest is here for integrators' scripts and tests, and no server route uses it. Nothing
here is audited: the audit log records the adapter's operations.
"""

from bridge.rest.client.agents import Agents
from bridge.rest.client.leads import Leads, PhoneListLead
from bridge.rest.client.phone_lists import PhoneList, PhoneLists
from bridge.rest.client.queues import AgentAssignment, Queue, QueueAgent, QueueMembership, Queues
from bridge.rest.client.users import User, Users
from bridge.rest.connection import RestConnection


class RestClient:
    """The REST API's resources over one `RestConnection`."""

    def __init__(self, connection: RestConnection) -> None:
        self.connection = connection
        self.phone_lists = PhoneLists(connection)
        self.leads = Leads(connection)
        self.users = Users(connection)
        self.agents = Agents(connection)
        self.queues = Queues(connection)


__all__ = [
    "AgentAssignment",
    "PhoneList",
    "PhoneListLead",
    "Queue",
    "QueueAgent",
    "QueueMembership",
    "RestClient",
    "User",
]
