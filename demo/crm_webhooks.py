"""The demo's Integration Centre, declared in its configuration: the demo CRM's back
office (`demo.crm_back_office`) as the target system.

- group **Demo CRM**: API key in the ``X-Api-Key`` header, one for all agents;
- **Log the call** (AJAX POST, form): every ended call into the CRM's call log;
- **Find the caller** (AJAX GET, list of records): an inbound call's contact, shown to
  the agent (name and company, labelled "Name" and "Company") and sent to the CRM page
  as ``lookup_result``;
- **Open the contact** (Browser Window): an inbound call's screen pop in the CRM page.
"""

from typing import Any


def demo_integrations(crm: str, crm_api_key: str) -> dict[str, Any]:
    """``[tenants.demo.integrations]`` for a demo CRM at ``crm`` (its origin)."""
    inbound = {"directions": ["inbound"]}
    return {
        "groups": [
            {
                "name": "Demo CRM",
                "auth_type": "api_key",
                "key_name": "X-Api-Key",
                "key_placement": "header",
                "api_key": crm_api_key,
            }
        ],
        "webhooks": [
            {
                "name": "Log the call",
                "url": f"{crm}/api/call-log",
                "type": "ajax_post",
                "content_type": "form",
                "group": "Demo CRM",
                "trigger": "call_ended",
                "parameters": [
                    {"name": name, "value": value}
                    for name, value in (
                        ("call_id", "{CALL_SIPID}"),
                        ("direction", "{CALL_DIR}"),
                        ("number", "{CALL_NUMBER}"),
                        ("name", "{CALLERID_NAME}"),
                        ("agent", "{EXTENSION}"),
                        ("queue", "{CALL_QUEUE}"),
                        ("duration_s", "{CALL_DURATION}"),
                        ("crm_tag", "{CALL_CRMTAG}"),
                        ("date", "{DATETIME}"),
                    )
                ],
            },
            {
                "name": "Find the caller",
                "url": f"{crm}/api/contacts",
                "type": "ajax_get",
                "response_type": "records",
                "columns": ["name", "company"],
                "column_labels": {"name": "Name", "company": "Company"},
                "group": "Demo CRM",
                "trigger": "call_ringing",
                "parameters": [{"name": "number", "value": "{CALL_NUMBER}"}],
                "test_values": {"CALL_NUMBER": "+12025550143"},
                **inbound,
            },
            {
                "name": "Open the contact",
                "url": f"{crm}/?contact={{CALL_NUMBER}}",
                "type": "browser_window",
                "trigger": "call_ringing",
                **inbound,
            },
        ],
    }
