"""The widget's entry point in the browser: listens for the CRM, answers it, shows the agent.

Messages that arrived before Python started were kept by the page's start-up script
(``window.crmBridgeStartup``, templates/_startup.js); they are taken over first, in order.
Requests are carried out one at a time, so a ``click_to_call`` sent right after ``login``
waits for it; the panel's own buttons queue theirs the same way (a ``click_to_call``
while a call is under way is refused at once with ``call_in_progress``). Once logged in,
the widget holds the bridge's live stream open (reconnecting with backoff after a drop),
forwards its events to the CRM window that logged in, and tells the parent page its
content height (``resize``) so embed.js can size the frame.
"""

import asyncio
import json
import random

import messages
import protocol
from controller import Controller
from live_stream import AUTH_FAILED, Backoff, LiveStream
from pyscript import document, fetch, window
from pyscript.ffi import create_proxy
from server_api import ServerApi
from session_state import SessionState, iso_seconds

config = json.loads(document.getElementById("widget-config").textContent)
allowed_origins = config["allowed_origins"]
locale = messages.pick_locale(config.get("locale"), str(window.navigator.language or ""))
state = SessionState(
    config.get("queues") or [],
    locale,
    bool(config.get("rings_agent_first")),
    bool(config.get("sign_in")),
)


def now() -> float:
    """Seconds since 1970. Read as text: MicroPython gets JS integers as 32 bits, and
    Date.now() is more than that."""
    return iso_seconds(window.Date.new().toISOString())


api = ServerApi(config["api_base"], config["tenant"], fetch, window.URL.createObjectURL)
controller = Controller(api, state, now)
inbox = []
wakeup = asyncio.Event()
live = LiveStream(state)
backoff = Backoff(random.random)
stream = {"socket": None, "generation": 0, "crm": None}  # crm: (window, origin) to tell
# What the page shows now, to redo only what changed (and never re-announce the same text)
rendered = {"lookups": None, "recent": None, "queues": None, "wrapup": None, "height": 0}


def to_js(message: dict):
    return window.JSON.parse(json.dumps(message))


def element(testid: str):
    return document.querySelector('[data-testid="' + testid + '"]')


def set_text(node, text: str) -> None:
    if node.textContent != text:
        node.textContent = text


def set_text_keeping_whole(node, text: str, whole: str) -> None:
    """``text``, with ``whole`` (a phone number in it) never broken across lines."""
    whole = whole if whole and whole in text else ""
    kept = node.querySelector(".whole")
    if node.textContent == text and bool(kept) == bool(whole):
        return
    node.textContent = ""
    if not whole:
        node.textContent = text
        return
    before, after = text.split(whole, 1)
    number = document.createElement("span")
    number.className = "whole"
    number.textContent = whole
    node.append(before)
    node.append(number)
    node.append(after)


def set_attribute(node, name: str, value: str) -> None:
    if node.getAttribute(name) != value:
        node.setAttribute(name, value)


def show(node, shown: bool) -> None:
    if node.hidden == shown:
        node.hidden = not shown


def translate_page() -> None:
    """Every fixed text of the page in the agent's language."""
    document.documentElement.lang = locale
    labelled = document.querySelectorAll("[data-i18n]")
    for index in range(labelled.length):
        node = labelled[index]
        set_text(node, state.t(node.getAttribute("data-i18n")))
    set_text(element("ignored-text"), state.t("ui.ignored"))


def render() -> None:
    moment = now()
    render_card(moment)
    render_agent(moment)
    for testid, shown in state.controls().items():
        show(element(testid), shown)
    show(element("sign-in"), state.sign_in and state.status == "logged_out")
    show(element("debug"), bool(config.get("debug")))
    body = document.body.dataset
    body.session = state.status
    body.call = state.call_status
    body.live = state.live_phase
    body.agent = (state.agent_state or {}).get("state", "")
    render_wrapup()
    render_screen_pop()
    render_lookups()
    render_recent()
    render_queue_choices()
    render_recording()
    report_height()


TEXTS = ("session-status", "call-number", "call-name", "call-queue")
TEXTS = TEXTS + ("call-timer", "error", "error-code", "agent-since", "ignored-count")


def render_card(moment: float) -> None:
    view = state.view(moment)
    set_attribute(element("call-card"), "data-state", view["call-state"])
    document.body.dataset.card = view["call-state"]
    set_text(element("call-badge-words"), view["call-badge"])
    set_text(element("agent-state-words"), view["agent-state"])
    for testid in TEXTS:
        set_text(element(testid), view[testid])
    set_text_keeping_whole(element("call-headline"), view["call-headline"], state.call_number)
    notice = state.t("ui.wrapup_" + state.wrapup_notice) if state.wrapup_notice else ""
    set_text(element("notice"), notice)
    show(element("error-details"), bool(view["error-code"]))
    busy = state.call_busy(moment)
    element("dial-call").disabled = busy
    buttons = document.querySelectorAll('[data-testid="call-back"]')
    for index in range(buttons.length):
        buttons[index].disabled = busy


def render_agent(moment: float) -> None:
    set_attribute(element("agent-state"), "data-state", state.agent_view(moment)["state"])
    reasons = element("pause-reason")
    if reasons.options.length != len(state.pause_reasons):
        reasons.replaceChildren()
        for reason in state.pause_reasons:
            option = document.createElement("option")
            option.textContent = reason
            reasons.appendChild(option)


def render_wrapup() -> None:
    pending = state.wrapup_shown()
    call_id = pending.get("call_id") if pending else None
    if rendered["wrapup"] == call_id:
        return
    rendered["wrapup"] = call_id
    if call_id is not None:
        set_text(element("wrapup-title"), state.wrapup_title())
        element("wrapup-disposition").selectedIndex = 0
        element("wrapup-outcome").value = ""
        element("wrapup-notes").value = ""


def render_screen_pop() -> None:
    link = element("screen-pop")
    shown = state.screen_pop_link()
    if shown is None:
        link.removeAttribute("href")
        set_text(link, "")
    else:
        set_attribute(link, "href", shown["url"])  # http(s) only: session_state.web_url
        set_text(link, shown["text"])


def cells(row: list, tag: str) -> list:
    made = []
    for text in row:
        cell = document.createElement(tag)
        if tag == "th":
            cell.setAttribute("scope", "col")
        cell.textContent = text  # untrusted: text, never markup
        made.append(cell)
    return made


def render_lookups() -> None:
    tables = state.lookup_tables()
    shown = json.dumps(tables)
    if rendered["lookups"] == shown:
        return
    rendered["lookups"] = shown
    holder = element("lookups")
    holder.replaceChildren()
    for table in tables:
        section = document.createElement("section")
        section.className = "lookup"
        section.setAttribute("data-testid", "lookup")
        grid = document.createElement("table")
        grid.setAttribute("data-testid", "lookup-table")
        caption = document.createElement("caption")
        caption.setAttribute("data-testid", "lookup-caption")
        caption.textContent = table["caption"]
        grid.appendChild(caption)
        if table["rows"]:
            head = document.createElement("thead")
            line = document.createElement("tr")
            line.setAttribute("data-testid", "lookup-columns")
            line.replaceChildren(*cells(table["columns"], "th"))
            head.appendChild(line)
            body = document.createElement("tbody")
            body.setAttribute("data-testid", "lookup-rows")
            for row in table["rows"]:
                line = document.createElement("tr")
                line.replaceChildren(*cells(row, "td"))
                body.appendChild(line)
            grid.appendChild(head)
            grid.appendChild(body)
        section.appendChild(grid)
        if table["error"]:
            message = document.createElement("p")
            message.className = "lookup__message"
            message.setAttribute("data-testid", "lookup-error")
            message.textContent = table["error"]
            section.appendChild(message)
        holder.appendChild(section)


def span(class_name: str, text: str, testid: str = ""):
    node = document.createElement("span")
    node.className = class_name
    if testid:
        node.setAttribute("data-testid", testid)
    node.textContent = text
    return node


def format_time(iso: str) -> str:
    """A call's time in the agent's language: the time of day, with the date if not today."""
    moment = window.Date.new(iso)
    options = {"hour": "2-digit", "minute": "2-digit"}
    if moment.toDateString() != window.Date.new().toDateString():
        options["day"] = "numeric"
        options["month"] = "short"
    return moment.toLocaleString(locale, to_js(options))


def render_recent() -> None:
    rows = state.recent_rows(format_time)
    today = state.today_text()
    shown = json.dumps([today, rows])
    if rendered["recent"] == shown:
        return
    rendered["recent"] = shown
    figures = element("today-figures")
    figures.textContent = today
    show(figures, bool(today))
    listing = element("recent-calls")
    listing.replaceChildren()
    show(element("recent-none"), not rows)
    for row in rows:
        item = document.createElement("li")
        item.className = "recent__item"
        item.setAttribute("data-testid", "recent-call")
        item.setAttribute("data-outcome", row["outcome"])
        item.setAttribute("data-direction", row["direction"])
        who = span("recent__who", "")
        arrow = "↙ " if row["direction"] == "inbound" else "↗ "
        who.appendChild(span("", arrow + row["direction_text"] + " ", ""))
        who.firstChild.className = "visually-hidden"
        who.appendChild(span("num", row["number"], "recent-number"))
        if row["name"]:
            who.appendChild(document.createTextNode(" "))
            who.appendChild(span("recent__name", row["name"], "recent-name"))
        meta = span("recent__meta", "")
        meta.appendChild(span("", arrow.strip(), ""))
        meta.firstChild.setAttribute("aria-hidden", "true")
        meta.appendChild(span("num", row["time"], "recent-time"))
        meta.appendChild(span("num", row["duration"], "recent-duration"))
        outcome = span("recent__outcome", row["outcome_text"], "recent-outcome")
        outcome.setAttribute("data-outcome", row["outcome"])
        meta.appendChild(outcome)
        button = document.createElement("button")
        button.type = "button"
        button.className = "button"
        button.setAttribute("data-testid", "call-back")
        button.setAttribute("data-number", row["dial"])
        button.setAttribute("aria-label", state.t("ui.call_back") + " " + row["number"])
        button.textContent = state.t("ui.call_back")
        button.disabled = state.call_busy(now())
        item.appendChild(who)
        item.appendChild(button)
        item.appendChild(meta)
        listing.appendChild(item)


def render_queue_choices() -> None:
    """Tick the agent's queues whenever the dialer's list of them changes."""
    chosen = state.chosen_queues()
    if rendered["queues"] == chosen:
        return
    rendered["queues"] = chosen
    boxes = document.querySelectorAll('[data-testid="queue-choice"]')
    for index in range(boxes.length):
        boxes[index].checked = boxes[index].value in chosen


def render_recording() -> None:
    name = state.recording_name
    set_text(element("recording-status"), state.t("ui.recording", name=name) if name else "")
    player = element("recording")
    if player.getAttribute("src") != (state.recording_url or None):
        if state.recording_url:
            player.src = state.recording_url
        else:
            player.removeAttribute("src")
    show(player, bool(state.recording_url))


def report_height() -> None:
    """Tell the parent page (only the origin it was mounted for) the content's height."""
    parts = (".panel__header", ".card", ".panel__content", ".panel__footer")
    height = 8  # the card's margin below the header
    for selector in parts:
        height += document.querySelector(selector).offsetHeight
    if height == rendered["height"]:
        return
    rendered["height"] = height
    resize = to_js(protocol.event(protocol.RESIZE, height=height))
    for target in config["announce_to"]:
        if target["window"] == "parent" and window.parent != window:
            window.parent.postMessage(resize, target["origin"])


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
        refused = controller.refusal(data)
        if refused is not None:
            event.source.postMessage(to_js(refused), event.origin)
            render()
            return
        inbox.append((data, event.origin, event.source))
        wakeup.set()


def tell_crm(message: dict) -> None:
    if stream["crm"] is not None:
        recipient, origin = stream["crm"]
        recipient.postMessage(to_js(message), origin)


def announced_window(target):
    if target["window"] == "parent":
        return window.parent
    return document.getElementById(target["window"]).contentWindow


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
        if not isinstance(message, dict):
            return
        if message.get("type") == "welcome":
            backoff.reset()
            asyncio.create_task(load_recent(0))
        for crm_event in live.receive(message, now()):
            tell_crm(crm_event)
            if crm_event["event"] == protocol.CALL_ENDED:
                asyncio.create_task(load_recent(1))
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


async def load_recent(delay: float) -> None:
    await asyncio.sleep(delay)
    await controller.load_recent()
    render()


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
            from_panel = source is None
            outcome = await controller.handle(
                data, protocol.SOURCE_WIDGET if from_panel else protocol.SOURCE_CRM
            )
            if outcome["event"] == protocol.LOGGED_IN:
                if not from_panel:
                    stream["crm"] = (source, origin)
                elif stream["crm"] is None and config["announce_to"]:
                    target = config["announce_to"][0]
                    stream["crm"] = (announced_window(target), target["origin"])
                live.forget()
                backoff.reset()
                open_stream()
            elif not state.logged_in:
                close_stream()
                rendered["recent"] = None
            render()
            if not from_panel:
                source.postMessage(to_js(outcome), origin)
            elif outcome["event"] in (protocol.CALL_ORIGINATED, protocol.WRAPPED_UP):
                tell_crm(outcome)  # what the agent did in the panel, the CRM page hears of
            if outcome["event"] == protocol.WRAPPED_UP:
                element("panel-title").focus()  # the form is gone; the status line says so
        wakeup.clear()
        await wakeup.wait()


async def tick() -> None:
    """Keep the call's timer and the agent's time in state running."""
    while True:
        await asyncio.sleep(1)
        if state.logged_in:
            render()


def panel_request(request: dict) -> None:
    refused = controller.refusal(request)
    if refused is not None:
        render()
        return
    inbox.append((request, None, None))
    wakeup.set()


def listen(testid: str, kind: str, handler) -> None:
    def run(event) -> None:
        event.preventDefault()
        handler(event)

    element(testid).addEventListener(kind, create_proxy(run))


def on_click(testid: str, request) -> None:
    listen(testid, "click", lambda _event: panel_request(request()))


def wrapup_request() -> dict:
    return {
        "action": protocol.WRAPUP,
        "call_id": (state.pending_wrapup() or {}).get("call_id") or "",
        "disposition": element("wrapup-disposition").value,
        "outcome": element("wrapup-outcome").value,
        "notes": element("wrapup-notes").value,
    }


def skip_request() -> dict:
    call_id = (state.pending_wrapup() or {}).get("call_id") or ""
    return {"action": protocol.WRAPUP, "call_id": call_id, "skip": True}


def dial_request() -> dict:
    field = element("dial-number")
    number = field.value
    field.value = ""
    return {"action": protocol.CLICK_TO_CALL, "phone_number": number}


def sign_in_request() -> dict:
    password = element("sign-in-password")
    request = {
        "action": protocol.LOGIN,
        "username": element("sign-in-username").value,
        "password": password.value,
        "extension": element("sign-in-extension").value,
    }
    password.value = ""  # the page keeps no password
    return request


def call_back(event) -> None:
    button = event.target.closest('[data-testid="call-back"]')
    if button is not None and not button.disabled:
        number = button.getAttribute("data-number")
        panel_request({"action": protocol.CLICK_TO_CALL, "phone_number": number})


def stop_waiting(_event) -> None:
    state.stop_waiting()
    render()
    element("dial-number").focus()


def announce(target: dict) -> None:
    """Tell ``target`` (the parent, or the framed CRM) that the widget is ready."""
    ready = to_js(
        protocol.event(
            protocol.READY, runtime=config["runtime"], widget_version=config["widget_version"]
        )
    )
    announced_window(target).postMessage(ready, target["origin"])


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
listen("queue-controls", "change", lambda _event: panel_request(queues_request()))
listen("wrapup", "submit", lambda _event: panel_request(wrapup_request()))
on_click("wrapup-skip", skip_request)
listen("dial", "submit", lambda _event: panel_request(dial_request()))
listen("sign-in", "submit", lambda _event: panel_request(sign_in_request()))
listen("stop-waiting", "click", stop_waiting)
listen("recent-calls", "click", call_back)
translate_page()
render()
document.body.dataset.ready = "true"
announce_now = []  # a framed CRM is told once per document: when it loads, or now if it has
for target in config["announce_to"]:
    framed = target["window"] != "parent"
    if framed:
        document.getElementById(target["window"]).addEventListener(
            "load", create_proxy(lambda _event, target=target: announce(target))
        )
    if not framed or window.crmBridgeStartup.frameLoaded(target["window"]):
        announce_now.append(target)
for target in announce_now:
    announce(target)
asyncio.create_task(work())
asyncio.create_task(tick())
