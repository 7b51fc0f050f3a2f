"""A webhook's request, made from its template, the variables' values and its group's
credentials, each value encoded for where it goes:

- in the URL (path or query of the template): percent-encoded;
- the parameters of an ``ajax_get`` or a ``browser_window``: added to the query;
- the parameters of an ``ajax_post``: a form (``application/x-www-form-urlencoded``)
  or a JSON object of strings, as the webhook's ``content_type`` says.

An API key goes in the header or parameter the group names, credentials as HTTP Basic.
`summary` describes the request with every secret replaced by ``[redacted]``.
"""

import json
from dataclasses import dataclass, field
from urllib.parse import quote, urlencode

import aiohttp
from multidict import CIMultiDict
from yarl import URL

from server.integrations.model import Credentials, Group, Webhook
from server.integrations.outbound import UnsafeTarget
from server.integrations.secret_forms import secret_forms
from server.integrations.variables import fill

REDACTED = "[redacted]"


@dataclass(frozen=True, slots=True)
class WebhookRequest:
    method: str
    url: URL
    headers: CIMultiDict[str]
    body: bytes | None
    secrets: tuple[str, ...] = field(repr=False)
    secret_parameter: str | None = None  # the parameter that carries the API key

    def summary(self) -> str:
        """The request as monitoring shows it: secrets redacted."""
        url = self.url
        if self.secret_parameter is not None and self.secret_parameter in url.query:
            query = [
                (name, REDACTED if name == self.secret_parameter else value)
                for name, value in url.query.items()
            ]
            url = url.with_query(query)
        lines = [f"{self.method} {url}"]
        lines += [f"{name}: {value}" for name, value in self.headers.items()]
        if self.body:
            lines += ["", self.body.decode("utf-8", "replace")]
        return redact("\n".join(lines), self.secrets)


def redact(text: str, secrets: tuple[str, ...]) -> str:
    """``text`` with each secret, in every form the bridge sends it in, replaced."""
    forms = {form for secret in secrets for form in secret_forms(secret)}
    for form in sorted(forms, key=len, reverse=True):
        text = text.replace(form, REDACTED)
    return text


def build_request(
    webhook: Webhook,
    values: dict[str, str],
    group: Group | None,
    credentials: Credentials,
    delivery_id: str | None = None,
) -> WebhookRequest:
    """The request ``webhook`` sends for ``values`` (``delivery_id``: the idempotency key)."""
    filled = fill(webhook.url, values, lambda value: quote(value, safe=""))
    try:
        url = URL(filled, encoded=True)
    except ValueError as error:
        raise UnsafeTarget(f"the URL, its variables filled in, is not valid: {error}") from None
    parameters = [(p.name, fill(p.value, values)) for p in webhook.parameters]
    headers: CIMultiDict[str] = CIMultiDict()
    secret_parameter = None
    if delivery_id:
        headers["Idempotency-Key"] = delivery_id
    if group is not None and group.auth_type == "api_key":
        if group.key_placement == "header":
            headers[group.key_name] = credentials.api_key
        else:
            parameters.append((group.key_name, credentials.api_key))
            secret_parameter = group.key_name
    elif group is not None and group.auth_type == "credentials":
        headers["Authorization"] = aiohttp.encode_basic_auth(
            credentials.username, credentials.password, encoding="utf-8"
        )
    secrets = credentials.secrets()
    if group is not None and group.auth_type == "credentials":
        secrets += (headers["Authorization"].split(" ", 1)[1],)
    if webhook.type != "ajax_post":
        query_url = url.extend_query(parameters)
        return WebhookRequest("GET", query_url, headers, None, secrets, secret_parameter)
    if webhook.content_type == "json":
        headers["Content-Type"] = "application/json"
        body = json.dumps(dict(parameters), ensure_ascii=False).encode()
    else:
        headers["Content-Type"] = "application/x-www-form-urlencoded"
        body = urlencode(parameters).encode()
    return WebhookRequest("POST", url, headers, body, secrets, secret_parameter)
