"""The agent's session and call, as a small state machine (pure logic).

`SessionState` holds the bearer token in memory only, decides whether a request may go
ahead, and describes what the agent sees - one call card, the agent's state, the pending
wrap-up, screen pops and lookups, recent calls - as plain texts in the agent's language
(messages.py) that the browser glue (main.py) puts into the page.
"""

import json

import messages

LOGGED_OUT = "logged_out"
LOGGING_IN = "logging_in"
LOGGED_IN = "logged_in"

CALL_IDLE = "idle"
CALL_DIALING = "dialing"
CALL_STARTED = "started"
CALL_FAILED = "failed"
CALL_UNKNOWN = "unknown"  # sent to the dialer, no answer: it may have been placed

# The live call, as the bridge's stream tells it
LIVE_NONE = "none"
LIVE_RINGING = "ringing"
LIVE_CONNECTED = "connected"
LIVE_ENDED = "ended"
LIVE_PHASES = {
    "call_ringing": LIVE_RINGING,
    "call_answered": LIVE_CONNECTED,
    "call_ended": LIVE_ENDED,
}
# The call card's states (``data-state`` of the card)
CARD_SIGNED_OUT = "signed_out"
CARD_IDLE = "idle"
CARD_CALLING = "calling"
CARD_RINGING = "ringing"
CARD_CONNECTED = "connected"
CARD_ENDED = "ended"
CARD_FAILED = "failed"
CARD_UNKNOWN = "unknown"
BUSY_CARDS = (CARD_CALLING, CARD_RINGING, CARD_CONNECTED)
STARTED_BUSY_SECONDS = 30  # a placed call counts as live this long until the stream shows it
AGENT_STATES = ("checked_out", "available", "paused", "in_call", "wrap_up")
# A lookup result shows at most this many rows, each cell at most this many characters
LOOKUP_ROWS = 20
LOOKUP_CELL = 200
LOOKUPS_KEPT = 5
RECENT_CALLS = 20
URL_MAX = 2048


def web_url(value) -> str:
    """``value`` if it is an http(s) URL a link may point at, else ``""`` (a screen pop's
    URL comes from a webhook: ``javascript:`` and the like must never become a link)."""
    if not isinstance(value, str) or len(value) > URL_MAX:
        return ""
    lowered = value.lower()
    if not (lowered.startswith("http://") or lowered.startswith("https://")):
        return ""
    for char in value:
        if ord(char) <= 32 or ord(char) == 127:
            return ""
    return value if value.split("//", 1)[1] else ""  # a host must follow


def cell_text(value) -> str:
    """A looked-up value as plain text (never markup: the page puts it in textContent)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    text = str(value) if isinstance(value, (str, int, float)) else json.dumps(value)
    return text if len(text) <= LOOKUP_CELL else text[: LOOKUP_CELL - 1] + "…"


def column_label(column: str) -> str:
    """A lookup column's key as a heading: ``first_name`` -> ``First name``."""
    words = str(column).replace("_", " ").replace("-", " ").strip()
    return words[:1].upper() + words[1:] if words else ""


def clock_text(seconds: float) -> str:
    """``m:ss`` (``h:mm:ss`` from an hour on)."""
    minutes, secs = divmod(int(max(0, seconds)), 60)
    hours, minutes = divmod(minutes, 60)
    if hours:
        return str(hours) + ":" + ("0" + str(minutes))[-2:] + ":" + ("0" + str(secs))[-2:]
    return str(minutes) + ":" + ("0" + str(secs))[-2:]


def display_number(call: dict) -> str:
    """A call's number as people read it: the server's ``display`` form, else the number
    with a leading "+" when it is all the digits of an international number."""
    shown = call.get("display")
    if isinstance(shown, str) and shown and not shown.isdigit():
        return shown
    number = str(call.get("number") or "")
    if number.isdigit() and len(number) > 10:
        return "+" + number
    return number


def dialled_text(number: str) -> str:
    """A number being dialled as people read it until the server's display form comes:
    a North American number as ``+1 312-555-0178``, else as it was given."""
    digits = ""
    for char in number:
        if char.isdigit():
            digits += char
    if number.strip().startswith("+") and len(digits) == 11 and digits[0] == "1":
        return "+1 " + digits[1:4] + "-" + digits[4:7] + "-" + digits[7:]
    return number


def _days_from_civil(year: int, month: int, day: int) -> int:
    year -= 1 if month <= 2 else 0
    era = (year if year >= 0 else year - 399) // 400
    year_of_era = year - era * 400
    day_of_year = (153 * (month + (-3 if month > 2 else 9)) + 2) // 5 + day - 1
    day_of_era = year_of_era * 365 + year_of_era // 4 - year_of_era // 100 + day_of_year
    return era * 146097 + day_of_era - 719468


def iso_seconds(value):
    """Seconds since 1970 of an ISO 8601 time (``2026-01-02T03:04:05.6Z``), or None."""
    if not isinstance(value, str) or len(value) < 19 or value[10] not in "T ":
        return None
    try:
        seconds = (
            _days_from_civil(int(value[0:4]), int(value[5:7]), int(value[8:10])) * 86400
            + int(value[11:13]) * 3600
            + int(value[14:16]) * 60
            + int(value[17:19])
        )
        rest = value[19:]
        if rest.startswith("."):
            digits = ""
            for char in rest[1:]:
                if not char.isdigit():
                    break
                digits += char
            rest = rest[1 + len(digits) :]
            seconds += int(digits or "0") / 10 ** len(digits)
        if rest[:1] in ("+", "-") and len(rest) >= 6:
            offset = int(rest[1:3]) * 3600 + int(rest[4:6]) * 60
            seconds -= offset if rest[0] == "+" else -offset
    except ValueError:
        return None
    return seconds


class SessionState:
    def __init__(
        self, queue_choices=(), locale: str = "en", rings_agent_first=False, sign_in=False
    ) -> None:
        self.locale = locale
        self.rings_agent_first = rings_agent_first  # the dialer rings the agent's phone first
        self.sign_in = sign_in  # the panel has its own sign-in form (else the CRM signs in)
        self.ignored_messages = 0
        # The tenant's queues the agent may pick: [{"id", "name"}], from the page's config
        self.queue_choices = [dict(choice) for choice in queue_choices]
        self.logged_out()

    def t(self, key: str, **values) -> str:
        return messages.text(self.locale, key, **values)

    @property
    def logged_in(self) -> bool:
        return self.status == LOGGED_IN

    def begin_login(self, username: str) -> None:
        self.status = LOGGING_IN
        self.username = username
        self.clear_error()

    def login_succeeded(self, token: str, username: str, extension: str) -> None:
        self.status = LOGGED_IN
        self.token = token
        self.username = username
        self.extension = extension
        self.clear_error()

    def logged_out(self) -> None:
        """Forget the token and the call: nothing of the session stays in memory."""
        self.status = LOGGED_OUT
        self.token = None
        self.username = ""
        self.extension = ""
        self.clear_error()
        self.call_status = CALL_IDLE
        self.call_number = ""
        self.call_uuid = ""
        self.call_started_at = 0.0
        self.recording_name = ""
        self.recording_url = ""
        self.live_status = None  # unknown until the stream welcomes the widget
        self.agent_state = None
        self.agent_seen_at = 0.0  # when the agent's state last changed, by this clock
        self.pause_reasons = []
        self.live_phase = LIVE_NONE
        self.live_call = {}
        self.connected_at = 0.0
        self.local_wrapup = None  # the ended call to wrap up, when the server keeps none
        self.wrapup_notice = ""  # "saved" or "skipped", until the next call
        self.screen_pop = {}
        self.lookups = []
        self.recent = None  # the agent's recent calls, once fetched
        self.today = None  # the agent's own figures of the day, fetched with them

    # ---- errors -------------------------------------------------------------------

    def clear_error(self) -> None:
        self.error_code = ""
        self.error_message = ""

    def failed(self, code: str, message: str = "") -> None:
        """Record an error; a call being dialled is marked failed, the session is kept."""
        self.error_code = code
        self.error_message = message
        if self.call_status == CALL_DIALING:
            self.call_status = CALL_FAILED
        if self.status == LOGGING_IN:
            self.status = LOGGED_OUT
            self.username = ""

    def call_outcome_unknown(self, code: str, message: str) -> None:
        """The dialer got the call but did not answer: it may ring; the session is kept."""
        self.error_code = code
        self.error_message = message
        if self.call_status == CALL_DIALING:
            self.call_status = CALL_UNKNOWN

    def error_text(self) -> str:
        return messages.error_text(self.locale, self.error_code) if self.error_code else ""

    # ---- the stream -----------------------------------------------------------------

    def stream_welcomed(
        self, live_status: bool, agent_state, calls: list, reasons: list, now: float = 0.0
    ) -> None:
        self.live_status = live_status
        self.set_agent_state(agent_state, now)
        self.pause_reasons = [str(reason) for reason in reasons]
        if calls and isinstance(calls[-1], dict) and self.live_phase in (LIVE_NONE, LIVE_ENDED):
            self.live_call = calls[-1]
            self.live_phase = LIVE_CONNECTED if calls[-1].get("answered") else LIVE_RINGING
            self.connected_at = now
        if self.error_code == "live_events":
            self.clear_error()

    def stream_refused(self, message: str) -> None:
        self.failed("live_events", message)

    def set_agent_state(self, data, now: float = 0.0) -> None:
        old = (self.agent_state or {}).get("state")
        self.agent_state = data if isinstance(data, dict) else None
        if (self.agent_state or {}).get("state") != old:
            self.agent_seen_at = now

    def live_event(self, name: str, data: dict, now: float = 0.0) -> None:
        """Apply one stream event; ``now`` (seconds) starts a connected call's timer."""
        if name == "agent_state":
            self.set_agent_state(data, now)
            return
        if name == "screen_pop":
            self.screen_pop = data
            return
        if name == "lookup_result":
            self._keep_lookup(data)
            return
        phase = LIVE_PHASES[name]
        if not self._shows(data.get("call_id"), phase):
            return
        if data.get("call_id") != self.live_call.get("call_id"):
            self.wrapup_notice = ""
        if self.call_status in (CALL_STARTED, CALL_UNKNOWN) and phase != LIVE_ENDED:
            self.call_status = CALL_IDLE  # the stream shows the placed call from now on
            self.clear_error()
        if phase == LIVE_CONNECTED and self.live_phase != LIVE_CONNECTED:
            self.connected_at = now
        if phase == LIVE_ENDED:
            self.local_wrapup = {
                "call_id": str(data.get("call_id") or ""),
                "display": display_number(data),
                "number": data.get("number"),
                "direction": data.get("direction"),
                "caller_name": data.get("caller_name"),
            }
            if self.call_status in (CALL_STARTED, CALL_UNKNOWN):
                self.call_status = CALL_IDLE
        self.live_phase = phase
        self.live_call = data

    def _shows(self, call_id, phase: str) -> bool:
        """Whether an event of call ``call_id`` takes the panel: another call's events do
        not hide a connected call, nor does another call's end hide a ringing one."""
        if call_id == self.live_call.get("call_id") or self.live_phase in (LIVE_NONE, LIVE_ENDED):
            return True
        return self.live_phase == LIVE_RINGING and phase != LIVE_ENDED

    def _of_live_call(self, data: dict) -> bool:
        """Whether a webhook's result belongs on the panel now: it is of the call shown
        (ringing, connected, or ended), or of no call at all."""
        call_id = data.get("call_id")
        return not call_id or (
            self.live_phase != LIVE_NONE and call_id == self.live_call.get("call_id")
        )

    def _keep_lookup(self, data: dict) -> None:
        """Keep every lookup of the call: a new result replaces only its own webhook's."""
        key = (data.get("webhook"), data.get("call_id"))
        kept = [old for old in self.lookups if (old.get("webhook"), old.get("call_id")) != key]
        kept.append(data)
        self.lookups = kept[-LOOKUPS_KEPT:]

    # ---- calls ------------------------------------------------------------------------

    def card_state(self, now: float = 0.0) -> str:
        if not self.logged_in:
            return CARD_SIGNED_OUT
        if self.live_phase == LIVE_RINGING:
            return CARD_RINGING
        if self.live_phase == LIVE_CONNECTED:
            return CARD_CONNECTED
        if self.call_status == CALL_DIALING:
            return CARD_CALLING
        if self.call_status == CALL_STARTED:
            return CARD_CALLING if self.live_status else CARD_IDLE
        if self.call_status == CALL_UNKNOWN:
            return CARD_UNKNOWN
        if self.call_status == CALL_FAILED:
            return CARD_FAILED
        if self.live_phase == LIVE_ENDED:
            return CARD_ENDED
        return CARD_IDLE

    def call_busy(self, now: float = 0.0) -> bool:
        """Whether a call is being placed or is not over: a new one must wait."""
        if self.call_status == CALL_DIALING:
            return True
        if self.live_phase in (LIVE_RINGING, LIVE_CONNECTED):
            return True
        started = self.call_status == CALL_STARTED and bool(self.live_status)
        return started and now - self.call_started_at < STARTED_BUSY_SECONDS

    def begin_call(self, number: str) -> None:
        self.call_status = CALL_DIALING
        self.call_number = dialled_text(number)
        self.call_uuid = ""
        self.wrapup_notice = ""
        self.clear_error()

    def call_originated(self, number: str, uuid: str, now: float = 0.0) -> None:
        self.call_number = number
        self.call_uuid = uuid or ""
        self.call_started_at = now
        # A short call's events may come before the dialer's answer: then the stream
        # shows the call already (ended, perhaps), and it is not waited for.
        shown = bool(uuid) and self.live_call.get("uuid") == uuid
        self.call_status = CALL_IDLE if shown else CALL_STARTED

    def stop_waiting(self) -> None:
        """The agent gave up waiting for the dialer: the card is idle again."""
        if self.call_status == CALL_DIALING:
            self.call_status = CALL_IDLE
            self.clear_error()

    def card(self, now: float = 0.0) -> dict:
        """The call card: ``state``, ``badge``, ``headline``, ``number``, ``name``,
        ``queue`` and ``timer`` (texts, some empty)."""
        state = self.card_state(now)
        card = {"state": state, "number": "", "name": "", "queue": "", "timer": ""}
        if state == CARD_SIGNED_OUT:
            key = "ui.sign_in_prompt" if self.sign_in else "ui.waiting"
            key = "ui.signing_in" if self.status == LOGGING_IN else key
            card["badge"] = self.t("badge.signed_out")
            card["headline"] = self.t(key)
            return card
        if state in (CARD_CALLING, CARD_FAILED, CARD_UNKNOWN):
            card["badge"] = self.t("badge." + state)
            card["number"] = "" if state == CARD_CALLING else self.call_number  # in the headline
            if state == CARD_CALLING and self.call_status == CALL_DIALING:
                pickup = self.rings_agent_first and self.extension
                card["headline"] = self.t(
                    "state.pickup" if pickup else "state.calling",
                    number=self.call_number,
                    extension=self.extension,
                )
            elif state == CARD_CALLING:
                card["headline"] = self.t("state.calling", number=self.call_number)
            else:
                card["headline"] = self.t("state." + state)
            return card
        if state == CARD_IDLE:
            card["badge"] = self.t("badge.idle")
            card["headline"] = (
                self.t("ui.no_live_status") if self.live_status is False else self.t("state.idle")
            )
            if self.call_status == CALL_STARTED:
                card["headline"] = self.t("state.placed", number=self.call_number)
            return card
        call = self.live_call
        card["number"] = display_number(call) or self.t("ui.unknown_number")
        if self.call_uuid and call.get("uuid") == self.call_uuid and self.call_number:
            card["number"] = self.call_number  # the bridge's form from the click_to_call
        card["name"] = cell_text(call.get("caller_name"))
        card["queue"] = cell_text(call.get("queue_name") or self.queue_name(call.get("queue")))
        card["badge"] = self.t("badge." + state)
        if state == CARD_RINGING:
            inbound = call.get("direction") == "inbound"
            card["headline"] = self.t("state.ringing_in" if inbound else "state.ringing_out")
        elif state == CARD_CONNECTED:
            card["headline"] = self.t("state.connected")
            card["timer"] = clock_text(now - self.connected_at)
        else:
            card["headline"] = self.cause_text()  # the badge says "Ended" already
            card["timer"] = clock_text((call.get("duration_ms") or 0) / 1000)
        return card

    def cause_text(self) -> str:
        return messages.cause_text(self.locale, self.live_call.get("hangup_cause"))

    def details(self) -> str:
        """The technical codes behind what the card says (for the closed "Details")."""
        parts = []
        if self.error_code:
            parts.append(
                self.error_code + (": " + self.error_message if self.error_message else "")
            )
        cause = self.live_call.get("hangup_cause")
        if self.card_state() == CARD_ENDED and cause and cause != "NORMAL_CLEARING":
            parts.append(str(cause))
        return "\n".join(parts)

    # ---- wrap-up ----------------------------------------------------------------------

    def pending_wrapup(self):
        """The ended call to wrap up (``{"call_id", "display", ...}``) or None; the
        server's (``agent_state.wrapup``) when it keeps one, else the last ended call."""
        if self.agent_state is not None and "wrapup" in self.agent_state:
            pending = self.agent_state.get("wrapup")
            return pending if isinstance(pending, dict) and pending.get("call_id") else None
        return self.local_wrapup

    def wrapup_shown(self):
        """The wrap-up to show now: only while no other call is under way."""
        pending = self.pending_wrapup()
        if pending is None or not self.logged_in or self.card_state() in BUSY_CARDS:
            return None
        return pending

    def wrapup_title(self) -> str:
        pending = self.pending_wrapup() or {}
        number = display_number(pending) or self.t("ui.unknown_number")
        return self.t("ui.wrapup", number=number)

    def wrapped_up(self, call_id: str, skipped: bool = False) -> None:
        if self.local_wrapup is not None and self.local_wrapup.get("call_id") == call_id:
            self.local_wrapup = None
        pending = (self.agent_state or {}).get("wrapup")
        if isinstance(pending, dict) and pending.get("call_id") == call_id:
            self.agent_state["wrapup"] = None
        self.wrapup_notice = "skipped" if skipped else "saved"

    # ---- the agent ---------------------------------------------------------------------

    def chosen_queues(self) -> list:
        """The ids of the agent's queues now, as text."""
        return [str(queue) for queue in (self.agent_state or {}).get("queues") or []]

    def queue_name(self, queue_id) -> str:
        if queue_id is None or queue_id == "":
            return ""
        for choice in self.queue_choices:
            if choice.get("id") == str(queue_id):
                return str(choice.get("name"))
        return str(queue_id)

    def agent_view(self, now: float = 0.0) -> dict:
        """The agent's state: ``state`` (a key), ``text``, ``since`` (time in state)."""
        if not self.logged_in or (self.agent_state is None and not self.live_status):
            return {"state": "", "text": "", "since": ""}
        state = str((self.agent_state or {}).get("state") or "checked_out")
        text = self.t("agent." + state) if state in AGENT_STATES else state
        if (self.agent_state or {}).get("pause_reason"):
            text += " · " + str(self.agent_state["pause_reason"])
        began = iso_seconds((self.agent_state or {}).get("since"))
        if began is None:
            began = self.agent_seen_at
        since = clock_text(now - began) if now and began else ""
        return {"state": state, "text": text, "since": since}

    # ---- screen pops, lookups, recent calls, recordings ----------------------------------

    def _shown_now(self, data: dict) -> bool:
        """A webhook's result shows with its call, never beside a new attempt's card."""
        if not self._of_live_call(data):
            return False
        return not data.get("call_id") or self.card_state() in (
            CARD_RINGING,
            CARD_CONNECTED,
            CARD_ENDED,
        )

    def screen_pop_link(self):
        """``{"url", "text"}`` of the screen pop to show, or None (none, or not http(s))."""
        url = web_url(self.screen_pop.get("url"))
        if not url or not self._shown_now(self.screen_pop):
            return None
        webhook = cell_text(self.screen_pop.get("webhook"))
        return {"url": url, "text": webhook or url.split("//", 1)[1].split("/")[0]}

    def lookup_tables(self) -> list:
        """The lookups of the call shown, each ``{"caption", "columns", "rows", "error"}``
        (all plain text)."""
        return [self._table(data) for data in self.lookups if self._shown_now(data)]

    def _table(self, data: dict) -> dict:
        columns = data.get("columns")
        columns = [cell_text(column) for column in columns] if isinstance(columns, list) else []
        labels = data.get("labels") if isinstance(data.get("labels"), dict) else {}
        records = data.get("records")
        records = [r for r in records if isinstance(r, dict)] if isinstance(records, list) else []
        rows = []
        for record in records[:LOOKUP_ROWS]:
            rows.append([cell_text(record.get(column)) for column in columns])
        webhook = cell_text(data.get("webhook"))
        caption = self.t("ui.lookup", webhook=webhook)
        if len(records) > LOOKUP_ROWS:
            caption = self.t(
                "ui.lookup_more", webhook=webhook, shown=LOOKUP_ROWS, total=len(records)
            )
        error = ""
        if data.get("error"):
            error = self.t("ui.lookup_failed")
        elif not rows:
            error = self.t("ui.no_records")
        return {
            "caption": caption,
            "columns": [cell_text(labels.get(c)) or column_label(c) for c in columns],
            "rows": rows,
            "error": error,
            "details": cell_text(data.get("error")),
        }

    def today_text(self) -> str:
        """The agent's figures of the day in a line ("" until known)."""
        today = self.today
        if not isinstance(today, dict) or not isinstance(today.get("calls"), int):
            return ""
        aht = today.get("aht_seconds")
        return self.t(
            "ui.today",
            calls=today["calls"],
            talk=clock_text(today.get("talk_seconds") or 0),
            aht="–" if aht is None else clock_text(aht),
        )

    def recent_rows(self, format_time=None) -> list:
        """The recent calls as rows of text; ``format_time(iso)`` gives a time of day."""
        rows = []
        for call in (self.recent or [])[:RECENT_CALLS]:
            if not isinstance(call, dict):
                continue
            inbound = call.get("direction") == "inbound"
            outcome = str(call.get("outcome") or "")
            began = call.get("started_at") or call.get("ended_at") or ""
            rows.append(
                {
                    "call_id": str(call.get("call_id") or ""),
                    "direction": "inbound" if inbound else "outbound",
                    "direction_text": self.t("ui.inbound" if inbound else "ui.outbound"),
                    "number": display_number(call),
                    "dial": str(call.get("number") or ""),
                    "name": cell_text(call.get("caller_name")),
                    "time": format_time(began) if format_time and began else "",
                    "duration": clock_text((call.get("duration_ms") or 0) / 1000),
                    "outcome": outcome,
                    "outcome_text": self.t("outcome." + outcome) if outcome else "",
                }
            )
        return rows

    def recording_loaded(self, name: str, url: str) -> None:
        self.recording_name = name
        self.recording_url = url
        self.clear_error()

    def ignore_message(self) -> None:
        self.ignored_messages += 1

    def session_text(self) -> str:
        if self.status == LOGGED_IN:
            if self.extension:
                return self.t("ui.signed_in", user=self.username, extension=self.extension)
            return self.t("ui.signed_in_no_ext", user=self.username)
        return ""

    def view(self, now: float = 0.0) -> dict:
        """The texts the panel shows, keyed by the element's ``data-testid``."""
        card = self.card(now)
        agent = self.agent_view(now)
        view = {"call-" + name: card[name] for name in card}
        view.update(
            {
                "session-status": self.session_text(),
                # An unknown outcome is the headline already: said once, not twice.
                "error": "" if card["state"] == CARD_UNKNOWN else self.error_text(),
                "error-code": self.details(),
                "agent-state": agent["text"],
                "agent-since": agent["since"],
                "ignored-count": str(self.ignored_messages),
            }
        )
        return view

    def controls(self) -> dict:
        """Which of the panel's controls show, keyed by ``data-testid``."""
        state = (self.agent_state or {}).get("state", "checked_out")
        live = self.logged_in and self.live_status is not None
        acts = live and self.live_status is True  # a dialer without live status has no states
        checked_in = acts and state != "checked_out"
        return {
            "live": live,
            "dial": self.logged_in,
            "stop-waiting": self.call_status == CALL_DIALING,
            "check-in": acts and not checked_in,
            "check-out": checked_in,
            "pause-controls": checked_in and state != "paused" and bool(self.pause_reasons),
            "queue-controls": acts and bool(self.queue_choices),
            "resume": checked_in and state == "paused",
            "wrapup": live and self.wrapup_shown() is not None,
            "screen-pop": live and self.screen_pop_link() is not None,
            "recent": self.logged_in and self.recent is not None,
        }
