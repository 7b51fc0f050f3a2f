"""`crm-bridge demo`: the bridge, the dialer simulators and demo CRM pages on loopback."""
