"""Live events: what the dialers push, the call and agent-state model it feeds, and the
agents' streams.

- Each dialer's package reads what it pushes (`bridge.events`: `CallUpdate`s and
  `AgentEvent`s); `server.routes.events` receives the pushes; `push_secrets`
  authenticates the Event Push URLs of the dialers that push to a URL of their own.
- `call_model` and `agent_model` merge them into one call per dialer ``call_id`` and one
  state per agent, whatever order or how many times they arrive.
- `intake` stores each event, applies it and writes the agent's stream events, all in
  one transaction; `stream_log` keeps those stream events; `hub` hands them to the
  connected streams of this instance and, on PostgreSQL, of every other instance.
"""
