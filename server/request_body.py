"""JSON request bodies, read into a pydantic model or refused with the fields named.

A body must be ``application/json`` (415 otherwise) and match its model: an unknown
field, a wrong type or a value out of range is a 400 ``invalid_message`` listing every
problem as ``{"field", "message"}``; text that is not JSON is a 400 ``invalid_json``.
pydantic parses the JSON itself, so deep nesting or lone surrogates are refusals,
not crashes.
"""

from typing import TypeVar

from aiohttp import web
from pydantic import BaseModel, ConfigDict, ValidationError

from server.problems import Problem

Model = TypeVar("Model", bound=BaseModel)


class Body(BaseModel):
    """Base of request bodies: unknown fields are refused, values are not coerced."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


def _field(location: tuple[int | str, ...]) -> str:
    return ".".join(str(part) for part in location) or "(body)"


def invalid(error: ValidationError) -> Problem:
    problems = error.errors(include_url=False, include_input=False, include_context=False)
    if any(p["type"] == "json_invalid" for p in problems):
        return Problem("invalid_json", "the body must be valid JSON (UTF-8)")
    fields = [{"field": _field(p["loc"]), "message": p["msg"]} for p in problems]
    summary = "; ".join(f"{f['field']}: {f['message']}" for f in fields)
    return Problem("invalid_message", summary, fields=fields)


async def read_at_most(request: web.Request, max_bytes: int) -> bytes:
    too_large = Problem("body_too_large", f"the body may have at most {max_bytes} bytes")
    if (request.content_length or 0) > max_bytes:
        raise too_large
    raw = bytearray()
    async for chunk in request.content.iter_any():
        raw += chunk
        if len(raw) > max_bytes:
            raise too_large
    return bytes(raw)


async def read_json(
    request: web.Request, model: type[Model], *, max_bytes: int | None = None
) -> Model:
    """The body as ``model``; ``max_bytes`` bounds it below the server-wide limit."""
    if request.content_type != "application/json":
        raise Problem(
            "unsupported_media_type",
            "send the body as JSON with Content-Type: application/json",
        )
    raw = await (request.read() if max_bytes is None else read_at_most(request, max_bytes))
    try:
        return model.model_validate_json(raw)
    except ValidationError as error:
        raise invalid(error) from None
