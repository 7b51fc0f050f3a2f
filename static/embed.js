/**
 * crm-bridge embed loader: mounts the dialer widget in a CRM page and talks to it.
 *
 *   <script src="https://BRIDGE/static/embed.js"></script>
 *   <script>
 *     const widget = CrmBridge.mount({
 *       server: "https://BRIDGE",            // the bridge's origin
 *       tenant: "acme",                      // tenant id configured on the bridge
 *       container: document.getElementById("dialer"),
 *       runtime: "micropython",              // optional: "micropython" (default) or "pyodide"
 *     });
 *     widget.on("ready", (event) => console.log("widget ready", event.runtime));
 *     widget.on("*", (event) => console.log(event.event, event));   // every event
 *     await widget.login({ username, password, extension, phone_pass });
 *     const call = await widget.clickToCall("1", "2025550123");      // call.uuid
 *     await widget.playRecording("pbx4-1603469421.1196632-0001.WAV"); // shown in the widget
 *     await widget.logout();
 *   </script>
 *
 * Requests may be sent at once: they are queued until the iframe has loaded, and the
 * widget buffers them until its runtime is ready. Each returns a Promise that resolves
 * with the outcome event (logged_in, logged_out, call_originated) or rejects with an
 * Error carrying the `error` event's `code`, `message` and `request_id`.
 *
 * Events are objects `{channel: "crm-bridge", protocol: 1, event, request_id?, ...}`.
 * Messages are posted to the bridge's origin only, and only messages from the mounted
 * iframe and the bridge's origin are read.
 */
(function (global) {
  "use strict";

  var CHANNEL = "crm-bridge";
  var counter = 0;

  function mount(options) {
    if (!options || !options.server || !options.tenant || !options.container) {
      throw new Error("CrmBridge.mount needs {server, tenant, container}");
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
    var loaded = false;

    var widget = {
      iframe: iframe,
      ready: false,
      readyEvent: null,
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
        global.removeEventListener("message", onMessage);
        iframe.remove();
      },
    };

    function emit(name, data) {
      (listeners[name] || []).forEach(function (callback) { callback(data); });
    }

    function onMessage(event) {
      if (event.origin !== origin || event.source !== iframe.contentWindow) return;
      var data = event.data;
      if (!data || data.channel !== CHANNEL) return;
      if (data.event === "ready") {
        widget.ready = true;
        widget.readyEvent = data;
      }
      var waiting = data.request_id != null ? pending[data.request_id] : null;
      if (waiting) {
        delete pending[data.request_id];
        if (data.event === "error") {
          var error = new Error(data.message);
          error.code = data.code;
          error.event = data;
          waiting.reject(error);
        } else {
          waiting.resolve(data);
        }
      }
      emit(data.event, data);
      emit("*", data);
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
        if (loaded) post(request); else queue.push(request);
      });
    }

    global.addEventListener("message", onMessage);
    iframe.addEventListener("load", function () {
      loaded = true;
      queue.splice(0).forEach(post);
    });
    options.container.appendChild(iframe);
    return widget;
  }

  global.CrmBridge = { mount: mount, CHANNEL: CHANNEL };
})(window);
