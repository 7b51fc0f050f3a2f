// The widget's start-up guard, run before anything else in the page.
//
// Until the Python runtime takes over (widget/main.py calls crmBridgeStartup.takeOver()),
// it keeps every message that arrives, so none is lost while the runtime starts. If the
// start-up fails first (a runtime file that does not load, an error thrown or a promise
// rejected while starting, Python code that stops before it listens), it says so instead
// of staying silent: an `error` event with code `widget_failed` and the reason goes to the
// CRM, every request kept or still arriving from an allowed origin is answered with it,
// and the panel shows it. Should Python take over after all, it carries on as usual.
(function () {
  "use strict";
  var CHANNEL = {{ protocol.CHANNEL|tojson }};
  var PROTOCOL_VERSION = {{ protocol.PROTOCOL_VERSION|tojson }};
  var ACTIONS = {{ protocol.ACTIONS|list|tojson }};
  var FAILED = {{ protocol.WIDGET_FAILED|tojson }};
  var NOT_STARTED = {{ t('ui.not_started')|tojson }};
  var inbox = [];
  var failure = null;
  var reported = false;
  var takenOver = false;

  function config() {
    return JSON.parse(document.getElementById("widget-config").textContent);
  }

  function messageData(data) {
    if (typeof data !== "string") return data;
    try { return JSON.parse(data); } catch (error) { return null; }
  }

  // The same test as protocol.is_request: what the Python side would answer.
  function isRequest(data) {
    return data !== null && typeof data === "object" && !Array.isArray(data) &&
      ("action" in data || ACTIONS.indexOf(data.type) >= 0);
  }

  function errorEvent(data) {
    var event = { channel: CHANNEL, protocol: PROTOCOL_VERSION, event: "error", code: FAILED,
                  message: failure, action: null };
    if (data) {
      var id = data.request_id;
      if (typeof id === "string" || (typeof id === "number" && isFinite(id))) event.request_id = id;
      var action = "action" in data ? data.action : data.type;
      if (typeof action === "string") event.action = action;
    }
    return event;
  }

  function answer(message) {
    var data = messageData(message.data);
    if (config().allowed_origins.indexOf(message.origin) < 0 || !isRequest(data) || !message.source) {
      return;
    }
    message.source.postMessage(errorEvent(data), message.origin);
  }

  function receive(message) {
    if (reported) answer(message); else inbox.push(message);
  }

  // The frames whose document has loaded (load events do not bubble, but are captured
  // here from the start, whenever the frame's element is parsed).
  var loadedFrames = {};
  document.addEventListener("load", function (event) {
    var target = event.target;
    if (target && target.tagName === "IFRAME" && target.id) loadedFrames[target.id] = true;
  }, true);

  // Like main.py's announce(): to the parent; to the framed CRM once per document it
  // loads (now if it has loaded, else when it does: never twice to one document).
  function announceFailure() {
    config().announce_to.forEach(function (target) {
      function post() {
        var recipient = target.window === "parent"
          ? window.parent : document.getElementById(target.window).contentWindow;
        recipient.postMessage(errorEvent(null), target.origin);
      }
      if (target.window !== "parent") {
        document.getElementById(target.window).addEventListener("load", function () {
          if (!takenOver) post();
        });
        if (!loadedFrames[target.window]) return;
      }
      post();
    });
  }

  function show(reason) {
    var card = document.querySelector('[data-testid="call-card"]');
    var headline = document.querySelector('[data-testid="call-headline"]');
    var code = document.querySelector('[data-testid="error-code"]');
    if (card) card.setAttribute("data-state", "failed");
    if (headline) headline.textContent = NOT_STARTED;
    if (code) {
      code.textContent = FAILED + ": " + reason;
      code.parentElement.hidden = false;
    }
    document.body.dataset.ready = "failed";
  }

  // The mount's accent colour, and the text colour that reads best on it.
  function applyAccent() {
    var accent = config().accent;
    if (!accent) return;
    var style = document.documentElement.style;
    var rgb = [1, 3, 5].map(function (at) {
      var c = parseInt(accent.slice(at, at + 2), 16) / 255;
      return c <= 0.03928 ? c / 12.92 : Math.pow((c + 0.055) / 1.055, 2.4);
    });
    var luminance = 0.2126 * rgb[0] + 0.7152 * rgb[1] + 0.0722 * rgb[2];
    style.setProperty("--accent", accent);
    style.setProperty("--link", accent);
    style.setProperty("--on-accent", luminance > 0.179 ? "#0b1220" : "#ffffff");
  }

  function fail(reason) {
    if (takenOver || failure !== null) return;
    failure = "the widget could not start: " + reason;
    if (document.readyState === "loading") {
      document.addEventListener("DOMContentLoaded", report);
    } else {
      report();
    }
  }

  function report() {
    reported = true;
    show(failure);
    announceFailure();
    inbox.splice(0).forEach(answer);
  }

  function describe(reason) {
    if (reason instanceof Error) return reason.name + ": " + reason.message;
    if (reason && reason.type && reason.target) {
      return "a " + reason.type + " event from " + String(reason.target).replace(/^\[object |\]$/g, "");
    }
    return String(reason);
  }

  function onError(event) {
    var target = event.target;
    if (target && target.tagName === "SCRIPT") {
      fail("could not load " + (target.src || "an inline script"));
    } else if (event instanceof ErrorEvent) {
      fail(event.error ? describe(event.error) : event.message);
    }
  }

  function onRejection(event) {
    fail(describe(event.reason));
  }

  // PyScript fires py:done / mpy:done once the Python script has run, also when it raised.
  function onDone() {
    if (takenOver) return;
    // PyScript shows Python's errors in .py-error elements; the last line names the error.
    var shown = document.querySelectorAll(".py-error");
    var lines = shown.length ? shown[shown.length - 1].textContent.trim().split("\n") : [""];
    fail(lines[lines.length - 1] || "its Python code stopped before it listened");
  }

  applyAccent();
  window.addEventListener("message", receive);
  window.addEventListener("error", onError, true);
  window.addEventListener("unhandledrejection", onRejection);
  document.addEventListener("py:done", onDone);
  document.addEventListener("mpy:done", onDone);

  // Denied storage: localStorage throws (Chrome, Safari and Firefox blocking third-party
  // cookies and site data) or IndexedDB is missing.
  function storageDenied() {
    try {
      return !window.localStorage || !window.indexedDB;
    } catch (error) {
      return true;
    }
  }

  window.crmBridgeStartup = {
    storageDenied: storageDenied(),
    /** Whether the frame with this id has loaded a document (so a message now reaches it). */
    frameLoaded: function (id) {
      return loadedFrames[id] === true;
    },
    /** Hands the messages kept so far to Python, which listens from now on. */
    takeOver: function () {
      takenOver = true;
      window.removeEventListener("message", receive);
      window.removeEventListener("error", onError, true);
      window.removeEventListener("unhandledrejection", onRejection);
      document.removeEventListener("py:done", onDone);
      document.removeEventListener("mpy:done", onDone);
      return inbox.splice(0);
    },
  };
})();
