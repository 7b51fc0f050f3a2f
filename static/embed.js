/**
 * crm-bridge embed loader: mounts the dialer widget in a CRM page and talks to it.
 * The full reference, with a complete example, is docs/protocol.md; the types are in
 * embed.d.ts beside this file.
 *
 *   <script src="https://BRIDGE/static/embed.js"></script>
 *   <script>
 *     const widget = CrmBridge.mount({
 *       server: "https://BRIDGE",            // the bridge's origin
 *       tenant: "acme",                      // tenant id configured on the bridge
 *       container: document.getElementById("dialer"),
 *       runtime: "micropython",              // optional: "micropython" (default) or "pyodide"
 *       readyTimeout: 15000,                 // optional: ms to wait for `ready` (0: forever)
 *     });
 *     widget.on("ready", (event) => console.log("widget ready", event.runtime));
 *     widget.on("*", (event) => console.log(event.event, event));   // every event
 *     await widget.login({ username, password, extension, phone_pass });
 *     const call = await widget.clickToCall("1", "2025550123");      // call.uuid
 *     await widget.playRecording("pbx4-1603469421.1196632-0001.WAV"); // shown in the widget
 *     await widget.logout();
 *   </script>
 *
 * Requests may be sent at once: they are queued until the widget is `ready`, then posted
 * in order. Each returns a Promise that resolves with the outcome event (logged_in,
 * logged_out, call_originated, recording_ready) or rejects with an Error carrying the
 * `error` event's `code`, `message` and `request_id`. If the widget reports that it
 * could not start (`widget_failed`), or no `ready` comes within `readyTimeout`
 * (`widget_not_ready`), the queued requests are rejected with that error, an `error`
 * event is emitted, and later requests are rejected at once until a `ready` arrives.
 *
 * Events are objects `{channel: "crm-bridge", protocol: 1, event, request_id?, ...}`.
 * Messages are posted to the bridge's origin only, and only messages from the mounted
 * iframe and the bridge's origin are read.
 */
(function (global) {
  "use strict";

  // Names from widget/protocol.py, where every message is named once.
  var CHANNEL = "crm-bridge";
  var PROTOCOL_VERSION = 1;
  var WIDGET_FAILED = "widget_failed";
  var WIDGET_NOT_READY = "widget_not_ready";
  var DEFAULT_READY_TIMEOUT = 15000;
  var counter = 0;

  function requestError(event) {
    var error = new Error(event.message);
    error.code = event.code;
    error.event = event;
    error.request_id = event.request_id;
    return error;
  }

  function mount(options) {
    if (!options || !options.server || !options.tenant || !options.container) {
      throw new Error("CrmBridge.mount needs {server, tenant, container}");
    }
    var readyTimeout = options.readyTimeout == null ? DEFAULT_READY_TIMEOUT : options.readyTimeout;
    if (typeof readyTimeout !== "number" || !(readyTimeout >= 0)) {
      throw new Error("CrmBridge.mount: readyTimeout is a number of milliseconds (0: wait forever)");
    }
    var server = new URL(options.server);
    var origin = server.origin;
    var src = new URL("/widget/" + encodeURIComponent(options.tenant), server);
    src.searchParams.set("parent_origin", global.location.origin);
    if (options.runtime) src.searchParams.set("runtime", options.runtime);

    var iframe = global.document.createElement("iframe");
    iframe.src = src.toString();
    iframe.title = options.title || "Dialer";
    iframe.setAttribute("data-testid", "crm-bridge-iframe");
    iframe.style.border = "0";
    iframe.style.width = options.width || "320px";
    iframe.style.height = options.height || "260px";

    var listeners = {};
    var pending = {};
    var queue = [];
    var readyTimer = null;

    var widget = {
      iframe: iframe,
      server: origin,
      ready: false,
      readyEvent: null,
      failure: null,
      on: function (name, callback) {
        (listeners[name] = listeners[name] || []).push(callback);
        return widget;
      },
      off: function (name, callback) {
        listeners[name] = (listeners[name] || []).filter(function (f) { return f !== callback; });
        return widget;
      },
      send: send,
      login: function (credentials) {
        return send({
          action: "login",
          username: credentials.username,
          password: credentials.password,
          extension: credentials.extension,
          phone_pass: credentials.phone_pass,
        });
      },
      logout: function () { return send({ action: "logout" }); },
      clickToCall: function (phoneCode, phoneNumber) {
        return send({ action: "click_to_call", phone_code: phoneCode, phone_number: phoneNumber });
      },
      playRecording: function (filename) {
        return send({ action: "play_recording", filename: filename });
      },
      destroy: function () {
        clearTimeout(readyTimer);
        global.removeEventListener("message", onMessage);
        iframe.remove();
        if (lastMounted === widget) lastMounted = null;
      },
    };

    function emit(name, data) {
      (listeners[name] || []).forEach(function (callback) { callback(data); });
    }

    function emitEvent(data) {
      emit(data.event, data);
      emit("*", data);
    }

    function settle(data) {
      var waiting = data.request_id != null ? pending[data.request_id] : null;
      if (!waiting) return;
      delete pending[data.request_id];
      if (data.event === "error") waiting.reject(requestError(data)); else waiting.resolve(data);
    }

    // The widget did not start: what is queued, and what comes until a `ready`, fails.
    function failed(event) {
      clearTimeout(readyTimer);
      widget.failure = event;
      queue.splice(0).forEach(function (request) {
        settle(Object.assign({}, event, { request_id: request.request_id, action: request.action }));
      });
    }

    function onMessage(event) {
      if (event.origin !== origin || event.source !== iframe.contentWindow) return;
      var data = event.data;
      if (!data || data.channel !== CHANNEL) return;
      if (data.event === "ready") {
        clearTimeout(readyTimer);
        widget.ready = true;
        widget.readyEvent = data;
        widget.failure = null;
      } else if (data.event === "error" && data.code === WIDGET_FAILED && data.request_id == null) {
        failed(data);
      }
      settle(data);
      emitEvent(data);
      if (widget.ready) queue.splice(0).forEach(post);
    }

    function post(message) {
      iframe.contentWindow.postMessage(message, origin);
    }

    function send(message) {
      var request = Object.assign({}, message);
      if (request.request_id == null) {
        request.request_id = "r" + Date.now().toString(36) + "-" + (++counter);
      }
      return new Promise(function (resolve, reject) {
        pending[request.request_id] = { resolve: resolve, reject: reject };
        if (widget.ready) {
          post(request);
        } else {
          queue.push(request);
          if (widget.failure) failed(widget.failure);
        }
      });
    }

    if (readyTimeout > 0) {
      readyTimer = setTimeout(function () {
        var event = {
          channel: CHANNEL,
          protocol: PROTOCOL_VERSION,
          event: "error",
          code: WIDGET_NOT_READY,
          message: "the widget did not start within " + readyTimeout / 1000 + " s; check that " +
            origin + " is reachable and the browser console of the widget's frame",
          action: null,
        };
        failed(event);
        emitEvent(event);
      }, readyTimeout);
    }
    global.addEventListener("message", onMessage);
    options.container.appendChild(iframe);
    lastMounted = widget;
    return widget;
  }

  var lastMounted = null;

  global.CrmBridge = { mount: mount, CHANNEL: CHANNEL };
})(window);
