"""Faithful in-memory stand-ins for the dialer APIs, as aiohttp apps (tests, benchmarks, demo)."""
