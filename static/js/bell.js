// The bell in the header: its unread count follows the person's notifications live,
// over /ws/me/, and a new one is announced politely to screen readers. Without
// JavaScript (or a socket) the count is simply right on the next page.
import { retries } from "./reconnect.js";

const link = document.querySelector("[data-bell]");
const badge = document.querySelector("[data-unread]");
const number = document.querySelector("[data-unread-count]");
const announcer = document.querySelector("[data-bell-announce]");
// Access has ended (signed out, account switched off, not allowed): never reconnect.
const FINAL = [4401, 4403];
let retry = null;
const backoff = retries(); // within 2 s; wider after "try again later" (1013)
let ended = false;
let socket = null;

function show(count) {
  const previous = Number(number.textContent) || 0;
  number.textContent = String(count);
  badge.hidden = count === 0;
  if (count > previous && announcer) {
    const text = count === 1 ? announcer.dataset.one : announcer.dataset.many;
    announcer.textContent = text.replace("%(n)s", String(count));
  }
}

function connect() {
  retry = null;
  const scheme = location.protocol === "https:" ? "wss://" : "ws://";
  socket = new WebSocket(scheme + location.host + link.dataset.bell);
  socket.addEventListener("open", () => {
    link.dataset.bellState = "live";
  });
  socket.addEventListener("message", (event) => {
    let data;
    try { data = JSON.parse(event.data); } catch { return; }
    if (data.type === "unread" && Number.isInteger(data.count)) show(data.count);
  });
  socket.addEventListener("close", (event) => {
    link.dataset.bellState = "closed";
    if (FINAL.includes(event.code)) {
      ended = true;
      return;
    }
    // Within 2 s, at a random moment (as the campaign page's socket).
    retry = setTimeout(connect, backoff.delay(event.code));
  });
}

if (link && badge && number && "WebSocket" in window) {
  connect();
  window.addEventListener("online", () => {
    if (ended || (socket && socket.readyState <= WebSocket.OPEN)) return;
    clearTimeout(retry);
    connect();
  });
}
