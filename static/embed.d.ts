/**
 * Types of crm-bridge's embed.js, the script a CRM page loads from the bridge:
 *
 *   <script src="https://BRIDGE/static/embed.js"></script>
 *
 * It defines the global `CrmBridge`. Reference with a complete example: docs/protocol.md.
 * Use this file with a triple-slash reference or by adding it to your tsconfig's `files`.
 */

declare namespace CrmBridge {
  /** The Python runtime the widget runs on. */
  type Runtime = "micropython" | "pyodide";

  /** What a CRM asks of the widget. */
  type Action =
    | "login"
    | "logout"
    | "click_to_call"
    | "play_recording"
    | "check_in"
    | "check_out"
    | "pause"
    | "resume"
    | "set_queues"
    | "wrapup"
    | "run_webhook";

  /** How a call went, as `wrapup` records it. */
  type Disposition = "Success" | "Unsure" | "Failed" | "Failed Contact";

  /** Codes of `error` events; the bridge may add codes, so any text is possible. */
  type ErrorCode =
    | "invalid_message"
    | "unknown_action"
    | "invalid_credentials"
    | "too_many_attempts"
    | "agent_disabled"
    | "unknown_tenant"
    | "not_logged_in"
    | "session_expired"
    | "invalid_token"
    | "invalid_number"
    | "invalid_filename"
    | "dialer_rejected"
    | "dialer_unavailable"
    | "dialer_timeout"
    | "dialer_outcome_unknown"
    | "dialer_locked"
    | "extension_not_allowed"
    | "invalid_login_token"
    | "server_busy"
    | "dialer_busy"
    | "dialer_unauthorized"
    | "dialer_bad_response"
    | "server_unreachable"
    | "server_error"
    | "not_supported"
    | "no_dialer_user"
    | "unknown_pause_reason"
    | "unknown_call"
    | "not_your_call"
    | "call_in_progress"
    | "widget_failed"
    | "widget_not_ready"
    | "call_in_progress"
    | (string & {});

  /** A request's id: sent back in the event that answers it. */
  type RequestId = string | number;

  interface MountOptions {
    /** The bridge's origin, e.g. "https://bridge.example.com". */
    server: string;
    /** The tenant id configured on the bridge. */
    tenant: string;
    /** The element the widget's iframe is appended to. */
    container: Element;
    /** Overrides the tenant's default runtime. */
    runtime?: Runtime;
    /**
     * Milliseconds to wait for the widget's `ready` before queued requests are rejected
     * with `widget_not_ready` (default 15000; 0 waits forever).
     */
    readyTimeout?: number;
    /** The iframe's title (default "Dialer"). */
    title?: string;
    /** CSS width of the iframe (default "320px"). */
    width?: string;
    /** CSS height of the iframe until the panel reports its own (default "480px"). */
    height?: string;
    /** The panel's colours (default "light"); "auto" follows the agent's system. */
    theme?: Theme;
    /** The accent colour as "#rrggbb" (buttons, links); pick one with 4.5:1 contrast. */
    accent?: string;
    /** The panel's language: "en", "es" or "de" (default: the browser's, else English). */
    locale?: string;
    /** The iframe's height follows the panel's content (default true). */
    autoResize?: boolean;
    /** The least height in px autoResize gives the iframe (default 320). */
    minHeight?: number;
    /** The most height in px autoResize gives the iframe (default 720); the panel scrolls inside. */
    maxHeight?: number;
    /** Shows the widget's debug footer (messages ignored from other origins). */
    debug?: boolean;
  }

  /** The panel's colour theme. */
  type Theme = "light" | "dark" | "auto";

  /** Who placed a call: the CRM page's request, or the agent in the widget's panel. */
  type CallSource = "crm" | "widget";

  /** Fields every event has. */
  interface EventBase {
    channel: "crm-bridge";
    protocol: 1;
    /** The id of the request this event answers, when it answers one. */
    request_id?: RequestId;
  }

  interface ReadyEvent extends EventBase {
    event: "ready";
    runtime: Runtime;
    widget_version: string;
  }

  interface LoggedInEvent extends EventBase {
    event: "logged_in";
    username: string;
    extension: string;
  }

  interface LoggedOutEvent extends EventBase {
    event: "logged_out";
  }

  interface CallOriginatedEvent extends EventBase {
    event: "call_originated";
    /** The dialer's call id. */
    uuid: string;
    /** The number dialled, in E.164 ("+12025550143"). */
    destination: string;
    /** The number as people read it ("+1 202-555-0143"). */
    display?: string;
    /** "crm" for the CRM's click_to_call; "widget" when the agent dialled in the panel. */
    source: CallSource;
  }

  interface RecordingReadyEvent extends EventBase {
    event: "recording_ready";
    filename: string;
    bytes: number;
  }

  /** Fields of the live call events, from the bridge's stream. */
  interface CallEventBase extends EventBase {
    call_id: string;
    /** The `uuid` of the `call_originated` event, when the call came from a click_to_call. */
    uuid?: string;
    direction: "inbound" | "outbound" | "internal" | string;
    number: string | null;
    /** The number as people read it, international ("+44 20 7946 0018"), when known. */
    display: string | null;
    caller_name: string | null;
    queue: string | null;
    /** The queue's name, when known. */
    queue_name: string | null;
    lead_id: string | null;
  }

  /** The call a call_state snapshot names. */
  interface CurrentCall {
    call_id: string;
    uuid?: string | null;
    direction: "inbound" | "outbound" | "internal" | string;
    number: string | null;
    display: string | null;
    caller_name: string | null;
    queue: string | null;
    queue_name: string | null;
    lead_id: string | null;
    /** True once connected; false while ringing. */
    answered: boolean;
  }

  /** The ended call the agent has still to wrap up. */
  interface PendingWrapup {
    call_id: string;
    display?: string | null;
    number?: string | null;
    direction?: string | null;
    caller_name?: string | null;
    ended_at?: string | null;
    /** When the bridge stops waiting (ISO 8601), if the tenant has a timeout. */
    deadline?: string | null;
  }

  interface CallRingingEvent extends CallEventBase {
    event: "call_ringing";
  }

  interface CallAnsweredEvent extends CallEventBase {
    event: "call_answered";
  }

  interface CallEndedEvent extends CallEventBase {
    event: "call_ended";
    duration_ms: number | null;
    bill_ms: number | null;
    hangup_cause: string | null;
  }

  /** From the stream on each change, and as the outcome of the agent requests. */
  interface AgentStateEvent extends EventBase {
    event: "agent_state";
    state: "checked_out" | "available" | "paused" | "in_call" | "wrap_up";
    pause_reason: string | null;
    queues: string[];
    /** When the agent entered this state (ISO 8601, UTC), when the bridge knows. */
    since?: string | null;
    /** The ended call waiting for its wrap-up, or null. */
    wrapup?: PendingWrapup | null;
    /** After check_in, when the dialer wants the agent to dial it to finish. */
    check_in_number?: string;
  }

  interface WrappedUpEvent extends EventBase {
    event: "wrapped_up";
    call_id: string;
    disposition: Disposition;
    outcome: string | null;
    notes: string | null;
    /** True when the agent skipped the wrap-up (`wrapup` with `skip: true`). */
    skipped: boolean;
  }

  /**
   * After every (re)connection of the widget's live stream - so after a reload of the
   * page or in a new tab - a snapshot: the call under way, the agent's state and the
   * pending wrap-up.
   */
  interface CallStateEvent extends EventBase {
    event: "call_state";
    call: CurrentCall | null;
    agent_state: Omit<AgentStateEvent, keyof EventBase | "event" | "check_in_number"> | null;
    wrapup: PendingWrapup | null;
  }

  /** The panel's content height in px (embed.js sizes the iframe with it: autoResize). */
  interface ResizeEvent extends EventBase {
    event: "resize";
    height: number;
  }

  /** The outcome of `run_webhook`: the bridge has started the webhook's delivery. */
  interface WebhookStartedEvent extends EventBase {
    event: "webhook_started";
    delivery_id: string | number;
    webhook: string;
    call_id: string | null;
  }

  /** From the stream: an Integration Centre webhook gives a page to open for a call. */
  interface ScreenPopEvent extends EventBase {
    event: "screen_pop";
    /** As the webhook gave it: check it before opening (the widget links http(s) only). */
    url: string;
    webhook: string;
    call_id: string | null;
  }

  /** From the stream: the records an Integration Centre lookup webhook found. */
  interface LookupResultEvent extends EventBase {
    event: "lookup_result";
    webhook: string;
    call_id: string | null;
    columns: string[];
    /** Display labels of the columns, as the admin set them ({column: label}). */
    labels?: Record<string, string>;
    /** One object per record, keyed by column; values are untrusted text or numbers. */
    records: Record<string, unknown>[];
    /** Why the lookup failed, or null. */
    error: string | null;
  }

  interface ErrorEvent extends EventBase {
    event: "error";
    code: ErrorCode;
    /** What went wrong and what to do, for people. */
    message: string;
    /** The action of the request this answers, when known. */
    action: Action | string | null;
  }

  type WidgetEvent =
    | ReadyEvent
    | LoggedInEvent
    | LoggedOutEvent
    | CallOriginatedEvent
    | RecordingReadyEvent
    | CallRingingEvent
    | CallAnsweredEvent
    | CallEndedEvent
    | AgentStateEvent
    | WrappedUpEvent
    | WebhookStartedEvent
    | ScreenPopEvent
    | LookupResultEvent
    | CallStateEvent
    | ResizeEvent
    | ErrorEvent;

  /** Event names for `on` and `off`; "*" receives every event. */
  interface EventMap {
    ready: ReadyEvent;
    logged_in: LoggedInEvent;
    logged_out: LoggedOutEvent;
    call_originated: CallOriginatedEvent;
    recording_ready: RecordingReadyEvent;
    call_ringing: CallRingingEvent;
    call_answered: CallAnsweredEvent;
    call_ended: CallEndedEvent;
    agent_state: AgentStateEvent;
    wrapped_up: WrappedUpEvent;
    webhook_started: WebhookStartedEvent;
    screen_pop: ScreenPopEvent;
    lookup_result: LookupResultEvent;
    call_state: CallStateEvent;
    resize: ResizeEvent;
    error: ErrorEvent;
    "*": WidgetEvent;
  }

  /** How a request's Promise is rejected: the `error` event that answered it. */
  interface RequestError extends Error {
    code: ErrorCode;
    event: ErrorEvent;
    request_id?: RequestId;
  }

  type Credentials = (
    | { username: string; password: string; token?: never }
    /** A single-use login token from `POST /api/v1/crm/login-tokens` (recommended). */
    | { token: string; username?: never; password?: never }
  ) & {
    /** Another extension than the agent's own, if the bridge's directory allows it. */
    extension?: string;
    /** Accepted as the spec sends it, and ignored. */
    phone_pass?: string;
  };

  type Request = { request_id?: RequestId } & (
    | ({ action: "login" } & Credentials)
    | { action: "logout" }
    | {
        action: "click_to_call";
        phone_code?: string;
        phone_number: string | number;
        /** The CRM's own label for the call (at most 100 characters), kept with it. */
        crm_tag?: string;
      }
    | { action: "play_recording"; filename: string }
    | { action: "check_in"; device_id?: string | number }
    | { action: "check_out" }
    | { action: "pause"; reason: string }
    | { action: "resume" }
    | { action: "set_queues"; queues: (string | number)[] }
    | {
        action: "wrapup";
        call_id: string;
        disposition: Disposition;
        outcome?: string;
        notes?: string;
      }
    /** Skips the call's wrap-up: the agent is available again. */
    | { action: "wrapup"; call_id: string; skip: true }
    | {
        action: "run_webhook";
        /** The Integration Centre webhook to run. */
        webhook: string;
        call_id?: string;
        dynamic_parameter?: string | number;
      }
  );

  /** The outcome event of each action. */
  interface Outcomes {
    login: LoggedInEvent;
    logout: LoggedOutEvent;
    click_to_call: CallOriginatedEvent;
    play_recording: RecordingReadyEvent;
    check_in: AgentStateEvent;
    check_out: AgentStateEvent;
    pause: AgentStateEvent;
    resume: AgentStateEvent;
    set_queues: AgentStateEvent;
    wrapup: WrappedUpEvent;
    run_webhook: WebhookStartedEvent;
  }

  interface Widget {
    readonly iframe: HTMLIFrameElement;
    /** The bridge's origin. */
    readonly server: string;
    /** True once `ready` has arrived. */
    readonly ready: boolean;
    readonly readyEvent: ReadyEvent | null;
    /** The `widget_failed` or `widget_not_ready` error, until a `ready` arrives. */
    readonly failure: ErrorEvent | null;
    on<K extends keyof EventMap>(name: K, callback: (event: EventMap[K]) => void): Widget;
    off<K extends keyof EventMap>(name: K, callback: (event: EventMap[K]) => void): Widget;
    /** Any request; resolves with its outcome event, rejects with a RequestError. */
    send<R extends Request>(request: R): Promise<Outcomes[R["action"]]>;
    login(credentials: Credentials): Promise<LoggedInEvent>;
    logout(): Promise<LoggedOutEvent>;
    /** `phoneCode` is the country calling code ("1", "44"); may be "" for a full number. */
    /** `crmTag`: the CRM's own label for the call (at most 100 characters). */
    clickToCall(
      phoneCode: string,
      phoneNumber: string | number,
      crmTag?: string,
    ): Promise<CallOriginatedEvent>;
    playRecording(filename: string): Promise<RecordingReadyEvent>;
    /** Checks the agent in on the dialer (optionally on a device of theirs). */
    checkIn(deviceId?: string | number): Promise<AgentStateEvent>;
    checkOut(): Promise<AgentStateEvent>;
    /** `reason` is one of the tenant's pause reasons (the widget lists them). */
    pause(reason: string): Promise<AgentStateEvent>;
    resume(): Promise<AgentStateEvent>;
    setQueues(queues: (string | number)[]): Promise<AgentStateEvent>;
    wrapup(
      callId: string,
      disposition: Disposition,
      outcome?: string,
      notes?: string,
    ): Promise<WrappedUpEvent>;
    /** Skips the call's wrap-up (the event's `skipped` is true). */
    skipWrapup(callId: string): Promise<WrappedUpEvent>;
    /** Runs an Integration Centre webhook, optionally for a call and with its parameter. */
    runWebhook(
      webhook: string,
      options?: { callId?: string; dynamicParameter?: string | number },
    ): Promise<WebhookStartedEvent>;
    /** Removes the iframe and stops listening. */
    destroy(): void;
  }

  interface LinkPhoneNumbersOptions {
    /** Where to look for numbers (default document.body); new content is watched too. */
    root?: Element | Document;
    /** Two-letter country for numbers written without "+" and country code, e.g. "US". */
    defaultCountry?: string;
    /** The widget that dials (default: the one mounted last). */
    widget?: Widget;
  }

  interface PhoneLinks {
    /** Stops watching and clicking, and gives the page its text back. */
    stop(): void;
  }

  /** Creates the widget's iframe in `options.container`. */
  function mount(options: MountOptions): Widget;

  /**
   * Turns tel: links and phone numbers in the page's text into click-to-call links;
   * resolves once libphonenumber-js has loaded from the bridge and the page is scanned.
   */
  function linkPhoneNumbers(options?: LinkPhoneNumbersOptions): Promise<PhoneLinks>;

  const CHANNEL: "crm-bridge";
}

interface Window {
  CrmBridge: typeof CrmBridge;
}
