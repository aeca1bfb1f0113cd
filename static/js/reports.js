// Reports pages. Progressive: without this script the pages work by reloading.
// - Synthesis: while groups are being suggested, poll the run's progress and reload when done.
// - Participation ("campaign pulse"): listen on the campaign's websocket and re-fetch the
//   server-rendered figures (the same partial the page renders) at most every few seconds.
import { keepOpen } from "./reconnect.js";

const REFRESH_EVERY_MS = 4000;
const QUIET_FRAMES = new Set(["hello", "viewers", "caught_up", "error"]);

const run = document.getElementById("sv-synthesis-run");
if (run) pollProgress(run);

const pulse = document.getElementById("sv-pulse");
if (pulse && "WebSocket" in window) startPulse(pulse);

function pollProgress(root) {
  const url = root.dataset.progressUrl;
  const tick = async () => {
    try {
      const response = await fetch(url, { headers: { Accept: "application/json" } });
      const state = await response.json();
      if (state.state === "done" || state.state === "failed" || state.state === "none") {
        location.reload();
        return;
      }
      const text = root.querySelector("p");
      const bar = root.querySelectorAll("rect")[1];
      if (bar) bar.setAttribute("width", String(state.progress));
      if (text) text.textContent = text.textContent.replace(/\d+%/, `${state.progress}%`);
    } catch {
      // a failed poll is tried again on the next tick
    }
    setTimeout(tick, 1500);
  };
  setTimeout(tick, 1000);
}

function startPulse(root) {
  const target = document.querySelector("[data-pulse-target]");
  const stateEl = root.querySelector("[data-pulse-state]");
  const announcer = root.querySelector("[data-pulse-announcer]");
  let lastFetch = 0;
  let timer = null;

  function refreshSoon() {
    if (timer) return;
    const wait = Math.max(0, lastFetch + REFRESH_EVERY_MS - Date.now());
    timer = setTimeout(refresh, wait);
  }

  async function refresh() {
    timer = null;
    lastFetch = Date.now();
    try {
      const response = await fetch(root.dataset.fragment, { credentials: "same-origin" });
      if (!response.ok) return;
      target.innerHTML = await response.text();
      target.dataset.refreshed = String(lastFetch);
      if (announcer) announcer.textContent = root.dataset.textUpdated;
    } catch {
      // the next event tries again
    }
  }

  // Back within 2 s of its server, at once when the browser comes back online, never
  // after access has ended (static/js/reconnect.js).
  keepOpen(root.dataset.ws, {
    onMessage(message) {
      if (!QUIET_FRAMES.has(message.type)) refreshSoon();
    },
    onOpen() {
      if (stateEl) stateEl.textContent = root.dataset.textLive;
      root.dataset.state = "live";
    },
    onClose() {
      root.dataset.state = "closed";
    },
  });
}
