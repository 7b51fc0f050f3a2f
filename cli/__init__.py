"""The `crm-bridge` command: serve, demo, simulate, agents, exports and jobs.

Above `server` and `demo` (it starts either), so neither imports it."""
