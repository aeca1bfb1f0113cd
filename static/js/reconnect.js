// When a page's socket (the campaign's live updates, the bell) drops: try again at a
// random moment within the next 2 s, every time. A page is back within 2 s of its
// server; and when a worker goes (a deploy, a crash) and its thousands of sockets drop
// at once, their pages come back spread evenly over those 2 s. A short first wait
// (250 ms, as before) sent them all to the remaining workers within a quarter second.
export const RETRY_WITHIN_MS = 2000;
// A worker with too many handshakes in progress says "try again later" (close code
// 1013) before doing any work: such a page comes back within a wider window (4 s), twice
// as wide each time it is told so in a row (up to a minute), so that a worker taking
// back thousands of pages spends its time on handshakes it can finish, not on refusing
// the same pages over and over (bench/README.md, reconnect_stampede.py).
export const TRY_LATER = 1013;
export const BUSY_RETRY_WITHIN_MS = 4000;
export const BUSY_RETRY_MAX_MS = 60000;

// How long to wait before the next attempt, given the close code of the last one and
// how many "try again later" answers came before it in a row.
export function retryDelay(closeCode, triedLaterBefore = 0) {
  if (closeCode !== TRY_LATER) return Math.random() * RETRY_WITHIN_MS;
  const within = Math.min(BUSY_RETRY_MAX_MS, BUSY_RETRY_WITHIN_MS * 2 ** triedLaterBefore);
  return Math.random() * within;
}

// One socket's retries: remembers the "try again later" answers in a row.
export function retries() {
  let triedLater = 0;
  return {
    delay(closeCode) {
      const wait = retryDelay(closeCode, triedLater);
      triedLater = closeCode === TRY_LATER ? triedLater + 1 : 0;
      return wait;
    },
  };
}

// Close codes after which a page must not reconnect: access has ended (signed out;
// not allowed, or no longer).
export const FINAL = [4401, 4403];

// Keeps a socket to `path` open for as long as the page is: each message parsed and
// handed to `onMessage`; `onOpen()` when it opens and `onClose(code, final)` when it
// closes; a retry within 2 s after it drops (wider after "try again later"), at once
// when the browser comes back online, and never again after a final close code.
// Returns `{ send(message) }`, which sends while the socket is open.
export function keepOpen(path, { onMessage, onOpen = () => {}, onClose = () => {} }) {
  const backoff = retries();
  let socket = null;
  let retry = null;
  let ended = false;

  function connect() {
    retry = null;
    const scheme = location.protocol === "https:" ? "wss://" : "ws://";
    socket = new WebSocket(scheme + location.host + path);
    socket.addEventListener("open", () => onOpen());
    socket.addEventListener("message", (event) => {
      let message;
      try {
        message = JSON.parse(event.data);
      } catch {
        return;
      }
      onMessage(message);
    });
    socket.addEventListener("close", (event) => {
      ended = FINAL.includes(event.code);
      onClose(event.code, ended);
      if (!ended) retry = setTimeout(connect, backoff.delay(event.code));
    });
  }

  window.addEventListener("online", () => {
    if (ended || (socket && socket.readyState <= WebSocket.OPEN)) return;
    clearTimeout(retry);
    connect();
  });
  connect();
  return {
    send(message) {
      if (socket && socket.readyState === WebSocket.OPEN) socket.send(JSON.stringify(message));
    },
  };
}
