"""The widget's entry point in the browser: listens for the CRM, answers it, shows the agent.

Messages that arrived before Python started were kept by the page's start-up script
(``window.crmBridgeStartup``, templates/_startup.js); they are taken over first, in order.
Requests are carried out one at a time, so a ``click_to_call`` sent right after ``login``
waits for it; the panel's own buttons queue theirs the same way. Once logged in, the
widget holds the bridge's live stream open (reconnecting with backoff after a drop) and
forwards its events to the CRM window that logged in.
"""

import asyncio
import json
import random
import time

import protocol
from controller import Controller
from live_stream import AUTH_FAILED, Backoff, LiveStream
from pyscript import document, fetch, window
from pyscript.ffi import create_proxy
from server_api import ServerApi
from session_state import SessionState

config = json.loads(document.getElementById("widget-config").textContent)
allowed_origins = config["allowed_origins"]
state = SessionState(config.get("queues") or [])
api = ServerApi(config["api_base"], config["tenant"], fetch, window.URL.createObjectURL)
controller = Controller(api, state)
inbox = []
wakeup = asyncio.Event()
live = LiveStream(state)
backoff = Backoff(random.random)
stream = {"socket": None, "generation": 0, "crm": None}  # crm: (window, origin) to tell
rendered = {"lookup": None, "queues": None}  # what the page shows now, to redo only changes


def now() -> float:
    return time.time()


def to_js(message: dict):
    return window.JSON.parse(json.dumps(message))


def element(testid: str):
    return document.querySelector('[data-testid="' + testid + '"]')


def render() -> None:
    for testid, text in state.view(now()).items():
        element(testid).textContent = text
    for testid, shown in state.controls().items():
        element(testid).hidden = not shown
    reasons = element("pause-reason")
    if reasons.options.length != len(state.pause_reasons):
        reasons.replaceChildren()
        for reason in state.pause_reasons:
            option = document.createElement("option")
            option.textContent = reason
            reasons.appendChild(option)
    document.body.dataset.session = state.status
    document.body.dataset.call = state.call_status
    document.body.dataset.live = state.live_phase
    document.body.dataset.agent = (state.agent_state or {}).get("state", "")
    render_screen_pop()
    render_lookup()
    render_queue_choices()
    player = document.querySelector('[data-testid="recording"]')
    if player.getAttribute("src") != (state.recording_url or None):
        if state.recording_url:
            player.src = state.recording_url
        else:
            player.removeAttribute("src")
    player.hidden = not state.recording_url


def render_screen_pop() -> None:
    link = element("screen-pop")
    shown = state.screen_pop_link()
    if shown is None:
        link.removeAttribute("href")
        link.textContent = ""
    else:
        link.setAttribute("href", shown["url"])  # http(s) only: session_state.web_url
        link.textContent = shown["text"]


def cells(row: list, tag: str) -> list:
    made = []
    for text in row:
        cell = document.createElement(tag)
        if tag == "th":
            cell.setAttribute("scope", "col")
        cell.textContent = text  # untrusted: text, never markup
        made.append(cell)
    return made


def render_lookup() -> None:
    table = state.lookup_table()
    shown = json.dumps(table)
    if rendered["lookup"] == shown:
        return
    rendered["lookup"] = shown
    table = table or {"caption": "", "columns": [], "rows": [], "error": ""}
    element("lookup-caption").textContent = table["caption"]
    # Without rows only the message shows, named by the caption (the table is hidden).
    error = table["error"] if table["rows"] else table["caption"] + ": " + table["error"]
    element("lookup-error").textContent = error if table["error"] else ""
    element("lookup-columns").replaceChildren(*cells(table["columns"], "th"))
    body = element("lookup-rows")
    body.replaceChildren()
    for row in table["rows"]:
        line = document.createElement("tr")
        line.replaceChildren(*cells(row, "td"))
        body.appendChild(line)
    element("lookup-table").hidden = not (table["columns"] and table["rows"])


def render_queue_choices() -> None:
    """Tick the agent's queues whenever the dialer's list of them changes."""
    chosen = state.chosen_queues()
    if rendered["queues"] == chosen:
        return
    rendered["queues"] = chosen
    boxes = document.querySelectorAll('[data-testid="queue-choice"]')
    for index in range(boxes.length):
        boxes[index].checked = boxes[index].value in chosen


def queues_request() -> dict:
    boxes = document.querySelectorAll('[data-testid="queue-choice"]:checked')
    return {"action": protocol.SET_QUEUES, "queues": [boxes[i].value for i in range(boxes.length)]}


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


def tell_crm(message: dict) -> None:
    if stream["crm"] is not None:
        recipient, origin = stream["crm"]
        recipient.postMessage(to_js(message), origin)


def open_stream() -> None:
    """(Re)open the live stream for the current session; a newer one replaces it."""
    close_stream()
    generation = stream["generation"]
    scheme = "wss:" if window.location.protocol == "https:" else "ws:"
    socket = window.WebSocket.new(scheme + "//" + window.location.host + "/api/v1/stream")
    stream["socket"] = socket

    def opened(_event) -> None:
        if generation == stream["generation"] and state.token is not None:
            socket.send(json.dumps(live.hello(state.token)))

    def received(event) -> None:
        if generation != stream["generation"]:
            return
        try:
            message = json.loads(str(event.data))
        except Exception:
            return
        if isinstance(message, dict) and message.get("type") == "welcome":
            backoff.reset()
        for crm_event in live.receive(message, now()):
            tell_crm(crm_event)
        render()

    def closed(event) -> None:
        if generation != stream["generation"] or not state.logged_in:
            return
        stream["socket"] = None
        if event.code != AUTH_FAILED:
            asyncio.create_task(reopen_after(backoff.next_delay(), generation))

    socket.onopen = create_proxy(opened)
    socket.onmessage = create_proxy(received)
    socket.onclose = create_proxy(closed)


async def reopen_after(delay: float, generation: int) -> None:
    await asyncio.sleep(delay)
    if generation == stream["generation"] and state.logged_in:
        open_stream()


def close_stream() -> None:
    stream["generation"] += 1
    socket = stream["socket"]
    stream["socket"] = None
    if socket is not None:
        socket.close(1000)


async def work() -> None:
    while True:
        while inbox:
            data, origin, source = inbox.pop(0)
            outcome = await controller.handle(data)
            if outcome["event"] == protocol.LOGGED_IN:
                if source is not None:
                    stream["crm"] = (source, origin)
                live.forget()
                backoff.reset()
                open_stream()
            elif not state.logged_in:
                close_stream()
            render()
            if source is not None:
                source.postMessage(to_js(outcome), origin)
        wakeup.clear()
        await wakeup.wait()


async def tick() -> None:
    """Keep a connected call's timer running."""
    while True:
        await asyncio.sleep(1)
        if state.live_phase == "connected":
            render()


def panel_request(request: dict) -> None:
    inbox.append((request, None, None))
    wakeup.set()


def on_click(testid: str, request) -> None:
    element(testid).addEventListener("click", create_proxy(lambda _event: panel_request(request())))


def wrapup_request() -> dict:
    return {
        "action": protocol.WRAPUP,
        "call_id": state.wrapup_call_id,
        "disposition": element("wrapup-disposition").value,
        "outcome": element("wrapup-outcome").value,
        "notes": element("wrapup-notes").value,
    }


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


# window's listener first: on MicroPython, window.addEventListener fails with "Illegal
# invocation" once an element's addEventListener has been called.
take_over_buffered_messages()
on_click("check-in", lambda: {"action": protocol.CHECK_IN})
on_click("check-out", lambda: {"action": protocol.CHECK_OUT})
on_click("pause", lambda: {"action": protocol.PAUSE, "reason": element("pause-reason").value})
on_click("resume", lambda: {"action": protocol.RESUME})
on_click("set-queues", queues_request)
on_click("wrapup-save", wrapup_request)
render()
document.body.dataset.ready = "true"
for target in config["announce_to"]:
    if target["window"] != "parent":
        document.getElementById(target["window"]).addEventListener("load", create_proxy(announce))
announce()
asyncio.create_task(work())
asyncio.create_task(tick())
