"""The aiohttp application: widget pages, the widget's JSON API, storage, CLI."""
