"""Field types the REST API accepts, and the checks the simulator applies to them.

A schema maps each writable field to a checker. `clean` keeps a request's known
fields, checks each, and ignores the rest (read-only and unknown fields). Values can
come from a query string, so integers and booleans are also read from text.
"""

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from simulators.rest.envelope import Refused

Checker = Callable[[str, Any], Any]
Schema = Mapping[str, Checker]


def text(name: str, value: Any) -> str:
    if not isinstance(value, str):
        raise Refused(f"{name} must be a string")
    return value


def text_or_number(name: str, value: Any) -> str:
    """Text the spec writes as a string that clients may send as a number (``lead_id``)."""
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return text(name, value)


def integer(name: str, value: Any) -> int:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value)
    raise Refused(f"{name} must be an integer")


def non_negative(name: str, value: Any) -> int:
    number = integer(name, value)
    if number < 0:
        raise Refused(f"{name} must be 0 or more")
    return number


def flag(name: str, value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if value in (0, 1):
        return bool(value)
    if isinstance(value, str) and value.lower() in ("0", "1", "true", "false"):
        return value.lower() in ("1", "true")
    raise Refused(f"{name} must be true or false (or 1 or 0)")


def zero_or_one(name: str, value: Any) -> int:
    return int(flag(name, value))


def id_list(name: str, value: Any) -> list[int]:
    """An array of ids or a comma-separated list of them."""
    if isinstance(value, str):
        value = [part for part in value.split(",") if part.strip()]
    if not isinstance(value, list):
        raise Refused(f"{name} must be an array or a comma-separated list of ids")
    return [integer(name, item) for item in value]


def json_object(name: str, value: Any) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise Refused(f"{name} must be a JSON object")
    return value


def anything(name: str, value: Any) -> Any:
    return value


def nullable(checker: Checker) -> Checker:
    def check(name: str, value: Any) -> Any:
        return None if value is None else checker(name, value)

    return check


def one_of(*choices: str) -> Checker:
    def check(name: str, value: Any) -> str:
        if value not in choices:
            raise Refused(f"{name} must be one of: {', '.join(choices)}")
        return value

    return check


def clean(fields: Mapping[str, Any], schema: Schema) -> dict[str, Any]:
    """The fields of ``schema`` present in ``fields``, each checked."""
    return {name: schema[name](name, value) for name, value in fields.items() if name in schema}


def require(fields: Mapping[str, Any], names: Iterable[str]) -> None:
    """Refuse when any of ``names`` is absent or blank, naming them all."""
    missing = [n for n in names if fields.get(n) is None or str(fields[n]).strip() == ""]
    if missing:
        verb = "is" if len(missing) == 1 else "are"
        raise Refused(f"{', '.join(missing)} {verb} required")


def forbid_blank(fields: Mapping[str, Any], names: Iterable[str]) -> None:
    """Refuse when any of ``names`` is given but blank."""
    for name in names:
        if name in fields and str(fields[name]).strip() == "":
            raise Refused(f"{name} cannot be empty")
