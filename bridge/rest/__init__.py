"""The REST call-centre API (spec 003): `api_key` auth, the `{success, msg, data}` envelope.

`RestAdapter` is the bridge's adapter; its resources (``adapter.phone_lists``,
``.leads``, ``.users``, ``.agents``, ``.queues``) cover the whole API with the record
types exported here.
"""

from bridge.rest.adapter import RestAdapter
from bridge.rest.client import RestClient
from bridge.rest.leads import PhoneListLead
from bridge.rest.phone_lists import PhoneList
from bridge.rest.queues import AgentAssignment, Queue, QueueAgent, QueueMembership
from bridge.rest.users import User

__all__ = [
    "AgentAssignment",
    "PhoneList",
    "PhoneListLead",
    "Queue",
    "QueueAgent",
    "QueueMembership",
    "RestAdapter",
    "RestClient",
    "User",
]
