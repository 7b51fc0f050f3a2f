"""The keys a table of the configuration may hold, to suggest one for a mistyped key
(``dialer`` → ``dialers``): the schema is walked along the error's location."""

import difflib
import types
from typing import Annotated, Any, Literal, Union, get_args, get_origin

from pydantic import BaseModel


def _unwrapped(annotation: Any) -> Any:
    while get_origin(annotation) is Annotated:
        annotation = get_args(annotation)[0]
    return annotation


def _models(annotation: Any) -> list[type[BaseModel]]:
    members = [_unwrapped(m) for m in get_args(annotation)]
    return [m for m in members if isinstance(m, type) and issubclass(m, BaseModel)]


def _tagged(annotation: Any, item: int | str) -> type[BaseModel] | None:
    """The member of a discriminated union whose ``kind`` is ``item`` (pydantic puts the
    tag in the error's location), if any."""
    for model in _models(annotation):
        kind = model.model_fields.get("kind")
        literal = kind is not None and get_origin(kind.annotation) is Literal
        if literal and kind is not None and item in get_args(kind.annotation):
            return model
    return None


def _only_model(annotation: Any) -> type[BaseModel] | None:
    """The model of an optional (``Model | None``)."""
    models = _models(annotation)
    return models[0] if len(models) == 1 else None


def table_keys(root: type[BaseModel], location: tuple[int | str, ...]) -> list[str]:
    """The keys of the table at ``location`` (a pydantic error's ``loc`` without its
    last item), or none if the schema cannot be followed there."""
    current: Any = root
    items = list(location)
    while items:
        current = _unwrapped(current)
        origin = get_origin(current)
        if origin in (Union, types.UnionType):
            tagged = _tagged(current, items[0])
            if tagged is not None:
                items.pop(0)
            current = tagged or _only_model(current)
            if current is None:
                return []
            continue
        item = items.pop(0)
        if isinstance(current, type) and issubclass(current, BaseModel):
            field = current.model_fields.get(str(item))
            if field is None:
                return []
            current = field.annotation
        elif origin is dict:
            current = get_args(current)[1]
        elif origin in (list, tuple):
            current = get_args(current)[0]
        else:
            return []
    current = _unwrapped(current)
    if get_origin(current) in (Union, types.UnionType):
        current = _only_model(current)
    if isinstance(current, type) and issubclass(current, BaseModel):
        return list(current.model_fields)
    return []


def did_you_mean(key: str, keys: list[str]) -> str:
    """`` (did you mean 'dialers'?)`` for a close key, else ``""``."""
    close = difflib.get_close_matches(key, keys, n=1, cutoff=0.6)
    return f" (did you mean {close[0]!r}?)" if close else ""
