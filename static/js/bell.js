// The bell in the header: its unread count follows the person's notifications live,
// over /ws/me/, and a new one is announced politely to screen readers. Without
// JavaScript (or a socket) the count is simply right on the next page.
const link = document.querySelector("[data-bell]");
const badge = document.querySelector("[data-unread]");
const number = document.querySelector("[data-unread-count]");
const announcer = document.querySelector("[data-bell-announce]");
const FORBIDDEN = 4403;

function show(count) {
  const previous = Number(number.textContent) || 0;
  number.textContent = String(count);
  badge.hidden = count === 0;
  if (count > previous && announcer) {
    const text = count === 1 ? announcer.dataset.one : announcer.dataset.many;
    announcer.textContent = text.replace("%(n)s", String(count));
  }
}

function connect(delay) {
  const scheme = location.protocol === "https:" ? "wss://" : "ws://";
  const socket = new WebSocket(scheme + location.host + link.dataset.bell);
  socket.addEventListener("open", () => {
    delay = 1000;
    link.dataset.bellState = "live";
  });
  socket.addEventListener("message", (event) => {
    let data;
    try { data = JSON.parse(event.data); } catch { return; }
    if (data.type === "unread" && Number.isInteger(data.count)) show(data.count);
  });
  socket.addEventListener("close", (event) => {
    link.dataset.bellState = "closed";
    if (event.code === FORBIDDEN) return;
    const next = Math.min(delay * 2, 60000);
    setTimeout(() => connect(next), delay + Math.random() * 500);
  });
}

if (link && badge && number && "WebSocket" in window) connect(1000);
