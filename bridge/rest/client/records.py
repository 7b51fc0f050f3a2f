"""Reading the values of the dialer's JSON records into Python types.

Each reader takes the value and the field's name and returns the typed value, or
raises `ShapeError` naming the field. Ids and numbers are accepted as JSON numbers or
as digit strings (the spec's examples use both); booleans also as 0/1.
"""

from typing import Any


class ShapeError(ValueError):
    """A record does not have the documented shape; the message names the field."""


def integer(value: Any, name: str) -> int:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value)
    raise ShapeError(f"{name} is not an integer")


def optional_integer(value: Any, name: str) -> int | None:
    return None if value is None else integer(value, name)


def text(value: Any, name: str) -> str:
    if isinstance(value, str):
        return value
    raise ShapeError(f"{name} is not a string")


def optional_text(value: Any, name: str) -> str | None:
    return None if value is None else text(value, name)


def identifier(value: Any, name: str) -> str:
    """A value the spec writes as a string but a dialer may send as a number (phone, lead_id)."""
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return text(value, name)


def optional_flag(value: Any, name: str) -> bool | None:
    if value is None or isinstance(value, bool):
        return value
    if value in (0, 1, "0", "1"):
        return bool(int(value))
    raise ShapeError(f"{name} is not a boolean")


def mapping(value: Any, name: str) -> dict[str, Any]:
    if isinstance(value, dict):
        return value
    raise ShapeError(f"{name} is not an object")


def array(value: Any, name: str) -> list[Any]:
    if isinstance(value, list):
        return value
    raise ShapeError(f"{name} is not an array")
