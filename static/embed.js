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
 *       theme: "light",                      // optional: "light" (default), "dark" or "auto"
 *       accent: "#0b5cd5",                   // optional: the panel's accent colour
 *       locale: "es",                        // optional: "en", "es", "de" (default: the browser's)
 *       autoResize: true,                    // optional: the frame follows the panel's height
 *       minHeight: 320, maxHeight: 720,      // optional: its bounds in px (autoResize)
 *     });
 *     widget.on("ready", (event) => console.log("widget ready", event.runtime));
 *     widget.on("*", (event) => console.log(event.event, event));   // every event
 *     await widget.login({ token });   // a login token from your back end, or
 *     // await widget.login({ username, password, extension });
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
  var THEMES = ["light", "dark", "auto"];
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
    if (typeof readyTimeout !== "number" || !(readyTimeout >= 0 && readyTimeout <= 2147483647)) {
      throw new Error("CrmBridge.mount: readyTimeout is a number of milliseconds (0: wait forever)");
    }
    var server = new URL(options.server);
    var origin = server.origin;
    var src = new URL("/widget/" + encodeURIComponent(options.tenant), server);
    src.searchParams.set("parent_origin", global.location.origin);
    if (options.runtime) src.searchParams.set("runtime", options.runtime);
    if (options.theme != null) {
      if (THEMES.indexOf(options.theme) < 0) {
        throw new Error('CrmBridge.mount: theme is "light", "dark" or "auto"');
      }
      src.searchParams.set("theme", options.theme);
    }
    if (options.accent != null) {
      if (!/^#[0-9a-fA-F]{6}$/.test(options.accent)) {
        throw new Error('CrmBridge.mount: accent is a colour as "#rrggbb"');
      }
      src.searchParams.set("accent", options.accent);
    }
    if (options.locale) src.searchParams.set("locale", options.locale);
    if (options.debug) src.searchParams.set("debug", "1");
    var autoResize = options.autoResize !== false;
    var minHeight = options.minHeight == null ? 320 : options.minHeight;
    var maxHeight = options.maxHeight == null ? 720 : options.maxHeight;
    if (typeof minHeight !== "number" || typeof maxHeight !== "number" || !(minHeight <= maxHeight)) {
      throw new Error("CrmBridge.mount: minHeight and maxHeight are numbers of px, minHeight <= maxHeight");
    }

    var iframe = global.document.createElement("iframe");
    iframe.src = src.toString();
    iframe.title = options.title || "Dialer";
    iframe.setAttribute("data-testid", "crm-bridge-iframe");
    iframe.style.border = "0";
    iframe.style.width = options.width || "320px";
    iframe.style.height = options.height || "480px";

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
      // {username, password, extension?} or {token, extension?} (a login token).
      login: function (credentials) {
        return send(Object.assign({}, credentials, { action: "login" }));
      },
      logout: function () { return send({ action: "logout" }); },
      // crmTag (optional): the CRM's own label for the call, at most 100 characters.
      clickToCall: function (phoneCode, phoneNumber, crmTag) {
        var request = { action: "click_to_call", phone_code: phoneCode, phone_number: phoneNumber };
        if (crmTag != null) request.crm_tag = crmTag;
        return send(request);
      },
      playRecording: function (filename) {
        return send({ action: "play_recording", filename: filename });
      },
      checkIn: function (deviceId) {
        return send(deviceId == null ? { action: "check_in" } : { action: "check_in", device_id: deviceId });
      },
      checkOut: function () { return send({ action: "check_out" }); },
      pause: function (reason) { return send({ action: "pause", reason: reason }); },
      resume: function () { return send({ action: "resume" }); },
      setQueues: function (queues) { return send({ action: "set_queues", queues: queues }); },
      // disposition: "Success", "Unsure", "Failed" or "Failed Contact".
      wrapup: function (callId, disposition, outcome, notes) {
        var request = { action: "wrapup", call_id: callId, disposition: disposition };
        if (outcome != null) request.outcome = outcome;
        if (notes != null) request.notes = notes;
        return send(request);
      },
      // The agent is done with the call without a wrap-up.
      skipWrapup: function (callId) {
        return send({ action: "wrapup", call_id: callId, skip: true });
      },
      // options (optional): {callId, dynamicParameter}.
      runWebhook: function (webhook, options) {
        var request = { action: "run_webhook", webhook: webhook };
        if (options && options.callId != null) request.call_id = options.callId;
        if (options && options.dynamicParameter != null) {
          request.dynamic_parameter = options.dynamicParameter;
        }
        return send(request);
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
      if (data.event === "resize") {
        // The panel's content height: the frame follows it, within the CRM's bounds.
        if (autoResize && typeof data.height === "number" && isFinite(data.height)) {
          iframe.style.height = Math.min(maxHeight, Math.max(minHeight, Math.ceil(data.height))) + "px";
        }
      } else if (data.event === "ready") {
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

  // ---- Click-to-dial anywhere in the page (opt-in) ---------------------------------------

  var PHONE_MARK = "data-crm-bridge-phone";
  var TEL_LINK = 'a[href^="tel:" i]';
  var IGNORE = "data-crm-bridge-ignore";
  // Where numbers are never looked for: form fields, links and buttons (no link inside
  // them), code that is not text, what the CRM switched off, and what is marked already.
  var SKIPPED = "input, textarea, select, option, button, a, script, style, noscript, template, " +
    "svg, math, iframe, [" + IGNORE + "], [" + PHONE_MARK + "]";
  var ENOUGH_DIGITS = /\d(?:\D{0,4}\d){5}/; // fewer than six digits: surely no phone number
  var phoneNumberLibraries = {};

  function loadPhoneNumbers(server) {
    if (!phoneNumberLibraries[server]) {
      phoneNumberLibraries[server] = import(server + "/vendor/libphonenumber-js.mjs").then(
        function (module) { return module.default; },
        function (error) {
          delete phoneNumberLibraries[server];
          throw new Error("CrmBridge.linkPhoneNumbers could not load libphonenumber-js from " +
            server + ": " + error.message);
        },
      );
    }
    return phoneNumberLibraries[server];
  }

  function isSkipped(node) {
    var element = node.nodeType === 1 ? node : node.parentElement;
    return !element || element.isContentEditable || element.closest(SKIPPED) !== null;
  }

  function PhoneLinks(root, library, defaultCountry, widget) {
    var observer = new global.MutationObserver(onMutations);

    function markTelLink(link) {
      if (link.hasAttribute(PHONE_MARK) || link.isContentEditable || link.closest("[" + IGNORE + "]")) {
        return;
      }
      var number;
      try {
        var value = decodeURIComponent(link.getAttribute("href").slice(4).split(";")[0]);
        number = library.parsePhoneNumberFromString(value, defaultCountry);
      } catch (error) {
        return; // not a readable tel: URI: the browser handles the click as before
      }
      if (number && number.isPossible()) link.setAttribute(PHONE_MARK, number.number);
    }

    function linkText(node) {
      var text = node.nodeValue;
      if (!ENOUGH_DIGITS.test(text) || isSkipped(node)) return;
      var found = library.findPhoneNumbersInText(text, { defaultCountry: defaultCountry });
      if (!found.length) return;
      var fragment = global.document.createDocumentFragment();
      var at = 0;
      found.forEach(function (match) {
        fragment.append(text.slice(at, match.startsAt));
        var link = global.document.createElement("a");
        link.href = "tel:" + match.number.number;
        link.setAttribute(PHONE_MARK, match.number.number);
        link.className = "crm-bridge-phone";
        link.textContent = text.slice(match.startsAt, match.endsAt);
        fragment.append(link);
        at = match.endsAt;
      });
      fragment.append(text.slice(at));
      node.replaceWith(fragment);
    }

    // Leaves out whole subtrees where numbers are never linked.
    var textsOnly = {
      acceptNode: function (node) {
        if (node.nodeType === 3) return global.NodeFilter.FILTER_ACCEPT;
        return node.matches(SKIPPED) || node.isContentEditable
          ? global.NodeFilter.FILTER_REJECT : global.NodeFilter.FILTER_SKIP;
      },
    };

    function scan(node) {
      if (!node.isConnected || !root.contains(node)) return;
      if (node.nodeType === 3) {
        linkText(node);
        return;
      }
      if (node.nodeType === 1 && node.matches(TEL_LINK)) markTelLink(node);
      if (node.nodeType === 1 && isSkipped(node)) return;
      if (typeof node.querySelectorAll !== "function") return;
      node.querySelectorAll(TEL_LINK).forEach(markTelLink);
      var walker = global.document.createTreeWalker(
        node, global.NodeFilter.SHOW_ELEMENT | global.NodeFilter.SHOW_TEXT, textsOnly);
      var texts = [];
      while (walker.nextNode()) texts.push(walker.currentNode);
      texts.forEach(linkText);
    }

    function onMutations(records) {
      records.forEach(function (record) {
        if (record.type === "characterData") scan(record.target);
        else record.addedNodes.forEach(scan);
      });
      observer.takeRecords(); // the changes made just now are ours
    }

    function onClick(event) {
      if (event.defaultPrevented || event.button !== 0 || event.ctrlKey || event.metaKey ||
          event.shiftKey || event.altKey || !event.target.closest) {
        return;
      }
      var link = event.target.closest("[" + PHONE_MARK + "]");
      if (!link || !root.contains(link) || link.closest("[" + IGNORE + "]")) return;
      var number = library.parsePhoneNumberFromString(link.getAttribute(PHONE_MARK));
      if (!number) return;
      event.preventDefault();
      // The outcome reaches the CRM as the widget's call_originated or error event.
      widget.clickToCall(number.countryCallingCode, number.nationalNumber).catch(function () {});
    }

    this.stop = function () {
      observer.disconnect();
      root.removeEventListener("click", onClick);
      root.querySelectorAll("a.crm-bridge-phone[" + PHONE_MARK + "]").forEach(function (link) {
        link.replaceWith(link.textContent);
      });
      root.querySelectorAll("[" + PHONE_MARK + "]").forEach(function (link) {
        link.removeAttribute(PHONE_MARK);
      });
      if (root.normalize) root.normalize();
    };

    scan(root);
    observer.observe(root, { childList: true, characterData: true, subtree: true });
    root.addEventListener("click", onClick);
  }

  function linkPhoneNumbers(options) {
    options = options || {};
    var widget = options.widget || lastMounted;
    var root = options.root || global.document.body;
    if (!widget) {
      return Promise.reject(new Error(
        "CrmBridge.linkPhoneNumbers: mount a widget first (CrmBridge.mount) or pass {widget}"));
    }
    if (!root || typeof root.querySelectorAll !== "function") {
      return Promise.reject(new Error("CrmBridge.linkPhoneNumbers: root must be an element"));
    }
    return loadPhoneNumbers(widget.server).then(function (library) {
      var country = options.defaultCountry;
      if (country != null && !library.isSupportedCountry(country)) {
        throw new Error("CrmBridge.linkPhoneNumbers: defaultCountry " + JSON.stringify(country) +
          " is not a two-letter country code such as \"US\" or \"GB\"");
      }
      return new PhoneLinks(root, library, country || undefined, widget);
    });
  }

  global.CrmBridge = { mount: mount, linkPhoneNumbers: linkPhoneNumbers, CHANNEL: CHANNEL };
})(window);
