"""The widget pages and static files: origins, CSP, runtimes, caching."""

import json
import re
from typing import Any

from aiohttp.test_utils import TestClient

from tests.support import CRM_ORIGIN, TENANT

YEAR = "public, max-age=31536000, immutable"
JAVASCRIPT = {"text/javascript", "application/javascript"}  # module scripts need one


def assert_own_files_only(policy: str, html: str) -> None:
    """Scripts only from the bridge, inline ones only with this response's nonce."""
    nonce = re.search(r"'nonce-([^']+)'", policy)
    assert nonce
    assert "script-src 'self' 'nonce-" in policy and "'wasm-unsafe-eval'" in policy
    assert "default-src 'self'" in policy and "unsafe-inline" not in policy
    inline = re.findall(r"<script(?![^>]*\bsrc=)(?![^>]*application/json)([^>]*)>", html)
    assert inline
    assert all(f'nonce="{nonce.group(1)}"' in attributes for attributes in inline), inline


def widget_config(html: str) -> dict:
    match = re.search(r'<script type="application/json" id="widget-config">(.*?)</script>', html)
    assert match
    return json.loads(match.group(1))


async def test_the_widget_page_may_be_framed_only_by_allowed_origins(bridge: TestClient) -> None:
    response = await bridge.get(f"/widget/{TENANT}", params={"parent_origin": CRM_ORIGIN})
    assert response.status == 200
    html = await response.text()
    policy = response.headers["Content-Security-Policy"]
    assert policy.endswith(f"; frame-ancestors {CRM_ORIGIN}")
    assert_own_files_only(policy, html)
    config = widget_config(html)
    assert config["allowed_origins"] == [CRM_ORIGIN]
    assert config["announce_to"] == [{"window": "parent", "origin": CRM_ORIGIN}]
    assert config["runtime"] == "micropython"


async def test_a_parent_origin_off_the_allowlist_is_refused(bridge: TestClient) -> None:
    response = await bridge.get(f"/widget/{TENANT}", params={"parent_origin": "https://evil.test"})
    assert response.status == 403
    assert "add it to tenants.acme.allowed_origins" in await response.text()


async def test_the_runtime_can_be_chosen_by_url(bridge: TestClient) -> None:
    html = await (await bridge.get(f"/widget/{TENANT}", params={"runtime": "pyodide"})).text()
    assert '<script type="py"' in html
    assert re.search(r"/runtime/pyodide@[\d.]+/(pyodide|crm-bridge-start-[0-9a-f]+)\.mjs", html)
    bad = await bridge.get(f"/widget/{TENANT}", params={"runtime": "cpython"})
    assert bad.status == 400


async def test_an_unknown_tenant_has_no_widget(bridge: TestClient) -> None:
    assert (await bridge.get("/widget/nobody")).status == 404


async def test_the_console_frames_only_an_allowed_crm(bridge: TestClient) -> None:
    ok = await bridge.get(f"/console/{TENANT}", params={"crm": f"{CRM_ORIGIN}/app?x=1"})
    assert ok.status == 200
    html = await ok.text()
    policy = ok.headers["Content-Security-Policy"]
    assert policy.endswith(f"; frame-ancestors 'self'; frame-src {CRM_ORIGIN}")
    assert_own_files_only(policy, html)
    assert widget_config(html)["announce_to"] == [{"window": "crm-frame", "origin": CRM_ORIGIN}]
    assert 'src="https://crm.acme.test/app?x=1"' in html
    refused = await bridge.get(f"/console/{TENANT}", params={"crm": "https://evil.test/"})
    assert refused.status == 403


async def test_every_file_the_widget_page_names_is_served_and_cached(bridge: TestClient) -> None:
    for runtime in ("micropython", "pyodide"):
        html = await (await bridge.get(f"/widget/{TENANT}", params={"runtime": runtime})).text()
        urls = set(re.findall(r'(?:src|href)="(/[^"]+)"', html))
        urls |= set(re.findall(r'"(/(?:widget/py|runtime)/[^"]+)"', html.replace("&#34;", '"')))
        config = re.search(r"config='([^']+)'", html)
        assert config
        urls |= set(json.loads(config.group(1))["files"]) | {
            json.loads(config.group(1))["interpreter"]
        }
        assert any("/fake-indexeddb@" in url for url in urls)
        assert len(urls) >= 9
        for url in urls:
            response = await bridge.get(url)
            assert response.status == 200, url
            assert response.headers["Cache-Control"] == YEAR, url
            if url.endswith((".js", ".mjs")):
                assert response.content_type in JAVASCRIPT, url


async def test_webassembly_is_served_for_streaming_compilation(bridge: TestClient) -> None:
    html = await (await bridge.get(f"/widget/{TENANT}")).text()
    interpreter = re.search(r'"interpreter": "([^"]+)"', html.replace("&#34;", '"'))
    assert interpreter
    wasm = await bridge.get(interpreter.group(1).replace(".mjs", ".wasm"))
    assert wasm.status == 200
    assert wasm.content_type == "application/wasm"


async def test_a_stale_module_url_is_not_cached(bridge: TestClient) -> None:
    response = await bridge.get("/widget/py/protocol.py", params={"v": "old"})
    assert response.status == 200
    assert response.headers["Cache-Control"] == "no-cache"
    assert (await bridge.get("/widget/py/secrets.py")).status == 404
    assert (await bridge.get("/static/../pyproject.toml")).status == 404


async def test_libphonenumber_is_served_to_crm_pages_as_a_module(bridge: TestClient) -> None:
    latest = await bridge.get("/vendor/libphonenumber-js.mjs", allow_redirects=False)
    assert latest.status == 302
    assert latest.headers["Access-Control-Allow-Origin"] == "*"
    versioned = latest.headers["Location"]
    assert re.fullmatch(r"/vendor/libphonenumber-js@[\d.]+\.mjs", versioned)
    module = await bridge.get(versioned)
    assert module.status == 200
    assert module.content_type in JAVASCRIPT
    assert module.headers["Access-Control-Allow-Origin"] == "*"
    assert module.headers["Cache-Control"] == YEAR
    code = await module.text()
    assert code.rstrip().endswith("export default module.exports;")
    assert "sourceMappingURL" not in code


async def test_the_look_comes_from_the_url_and_the_words_from_the_catalogue(
    bridge: TestClient,
) -> None:
    html = await (await bridge.get(f"/widget/{TENANT}")).text()
    assert '<html lang="en" data-theme="light">' in html
    config = widget_config(html)
    assert config["rings_agent_first"] is True  # the REST dialer rings the agent first
    assert (config["sign_in"], config["locale"], config["accent"], config["debug"]) == (
        False,
        "",
        "",
        False,
    )
    query = {"theme": "dark", "accent": "#AA3300", "locale": "es-MX", "debug": "1"}
    html = await (await bridge.get(f"/widget/{TENANT}", params=query)).text()
    assert '<html lang="es" data-theme="dark">' in html
    assert "Esperando a que su CRM inicie la sesión" in html  # before Python runs, too
    config = widget_config(html)
    assert (config["locale"], config["accent"], config["debug"]) == ("es", "#aa3300", True)
    for wrong in ({"theme": "blue"}, {"accent": "red"}, {"accent": "#12345"}):
        assert (await bridge.get(f"/widget/{TENANT}", params=wrong)).status == 400


async def test_a_tenant_may_give_the_widget_its_own_sign_in_form(
    database_url: str, rest_simulator: Any, aiohttp_client: Any
) -> None:
    from server.app import create_app
    from tests.support import bridge_config

    config = bridge_config(database_url, str(rest_simulator.make_url("")), widget_sign_in=True)
    client = await aiohttp_client(create_app(config))
    html = await (await client.get(f"/widget/{TENANT}")).text()
    assert widget_config(html)["sign_in"] is True
    assert 'data-testid="sign-in"' in html
