// The admin page "Wallboard": the board stays live from the bridge's server-sent events
// (a new board after each change, none while nothing changes), and the times in state
// count up each second on this screen. Without JavaScript the page is a snapshot.
const wallboard = document.querySelector(".wallboard");
const holder = document.querySelector("[data-wallboard]");
const status = document.querySelector('[data-testid="wallboard-status"]');
let offset = 0; // the bridge's clock minus this screen's, in seconds

function elapsed(seconds) {
  const whole = Math.max(Math.floor(seconds), 0);
  const hours = Math.floor(whole / 3600);
  const minutes = Math.floor((whole % 3600) / 60);
  const secs = String(whole % 60).padStart(2, "0");
  return hours ? `${hours}:${String(minutes).padStart(2, "0")}:${secs}` : `${minutes}:${secs}`;
}

function tick() {
  const now = Date.now() / 1000 + offset;
  for (const cell of holder.querySelectorAll("[data-since]")) {
    cell.textContent = elapsed(now - Number(cell.dataset.since));
  }
}

function show(html) {
  holder.innerHTML = html; // the bridge's own markup (its template, escaped)
  offset = Number(holder.querySelector("[data-at]").dataset.at) - Date.now() / 1000;
  tick();
}

const source = new EventSource(holder.dataset.events);
source.addEventListener("board", (event) => {
  show(JSON.parse(event.data).html);
  status.textContent = "Live";
  wallboard.dataset.live = "true";
});
source.addEventListener("error", () => {
  status.textContent = "Connection lost: reconnecting…";
  wallboard.dataset.live = "false";
});
setInterval(tick, 1000);

const fullScreen = document.querySelector("[data-full-screen]");
fullScreen.hidden = !document.fullscreenEnabled;
fullScreen.addEventListener("click", () => wallboard.requestFullscreen());
