"""The widget's entry point in the browser: listens for the CRM, answers it, shows the agent.

Messages that arrived before Python started were kept by the page's start-up script
(``window.crmBridgeStartup``, templates/_startup.js); they are taken over first, in order.
Requests are carried out one at a time, so a ``click_to_call`` sent right after ``login``
waits for it.
"""

import asyncio
import json

import protocol
from controller import Controller
from pyscript import document, fetch, window
from pyscript.ffi import create_proxy
from server_api import ServerApi
from session_state import SessionState

config = json.loads(document.getElementById("widget-config").textContent)
allowed_origins = config["allowed_origins"]
state = SessionState()
api = ServerApi(config["api_base"], config["tenant"], fetch, window.URL.createObjectURL)
controller = Controller(api, state)
inbox = []
wakeup = asyncio.Event()


def to_js(message: dict):
    return window.JSON.parse(json.dumps(message))


def render() -> None:
    for testid, text in state.view().items():
        document.querySelector('[data-testid="' + testid + '"]').textContent = text
    document.body.dataset.session = state.status
    document.body.dataset.call = state.call_status
    player = document.querySelector('[data-testid="recording"]')
    if player.getAttribute("src") != (state.recording_url or None):
        if state.recording_url:
            player.src = state.recording_url
        else:
            player.removeAttribute("src")
    player.hidden = not state.recording_url


def message_data(event):
    """The message as Python data; JSON text is accepted too. None when it is neither."""
    try:
        data = json.loads(window.JSON.stringify(event.data))
        if isinstance(data, str):
            data = json.loads(data)
    except Exception:
        return None
    return data


def receive(event) -> None:
    if event.origin not in allowed_origins:
        state.ignore_message()
        render()
        return
    data = message_data(event)
    if protocol.is_request(data) and event.source is not None:
        inbox.append((data, event.origin, event.source))
        wakeup.set()


async def work() -> None:
    while True:
        while inbox:
            data, origin, source = inbox.pop(0)
            outcome = await controller.handle(data)
            render()
            source.postMessage(to_js(outcome), origin)
        wakeup.clear()
        await wakeup.wait()


def announce(*_args) -> None:
    ready = to_js(
        protocol.event(
            protocol.READY, runtime=config["runtime"], widget_version=config["widget_version"]
        )
    )
    for target in config["announce_to"]:
        if target["window"] == "parent":
            recipient = window.parent
        else:
            recipient = document.getElementById(target["window"]).contentWindow
        recipient.postMessage(ready, target["origin"])


def take_over_buffered_messages() -> None:
    window.addEventListener("message", create_proxy(receive))
    buffered = window.crmBridgeStartup.takeOver()
    for index in range(buffered.length):
        receive(buffered[index])


take_over_buffered_messages()
render()
document.body.dataset.ready = "true"
for target in config["announce_to"]:
    if target["window"] != "parent":
        document.getElementById(target["window"]).addEventListener("load", create_proxy(announce))
announce()
asyncio.create_task(work())
