"""The PyScript widget. Modules here run in the browser on MicroPython or Pyodide.

`protocol`, `session_state` and `controller` import nothing browser-only, so CPython
tests cover them; `server_api` and `main` are the browser glue.
"""
