"""Server-side dialer clients: one module per dialer API, behind `bridge.interface`."""
