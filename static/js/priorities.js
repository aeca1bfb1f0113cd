// A prioritisation round: a running "points left" count while spreading points, and the
// results kept live over the campaign's websocket. Without JavaScript the form is plain
// number inputs and the results are as of the page load.
import { retries } from "./reconnect.js";

const form = document.querySelector("[data-priorities-form]");
if (form) pointsLeft(form);
const live = document.getElementById("sv-priorities-live");
if (live && !("closed" in live.dataset) && "WebSocket" in window) keepLive(live);

function pointsLeft(form) {
  const budget = Number(form.dataset.budget);
  const inputs = [...form.querySelectorAll("input[data-points]")];
  const out = form.querySelector("[data-points-left]");
  const show = () => {
    const spent = inputs.reduce((sum, input) => sum + (Math.max(0, Math.floor(Number(input.value))) || 0), 0);
    const left = budget - spent;
    const template = left >= 0 ? out.dataset.textLeft : out.dataset.textOver;
    out.textContent = template.replace("__N__", String(Math.abs(left)));
    out.classList.toggle("sv-points-left--over", left < 0);
  };
  out.hidden = false;
  inputs.forEach((input) => input.addEventListener("input", show));
  show();
}

// The results' socket: back within 2 s of its server (static/js/reconnect.js), and at
// once when the browser comes back online; never after access has ended.
function keepLive(root) {
  const backoff = retries();
  let socket = null;
  let retry = null;
  let ended = false;

  function connect() {
    retry = null;
    const scheme = location.protocol === "https:" ? "wss://" : "ws://";
    socket = new WebSocket(scheme + location.host + root.dataset.ws);
    socket.addEventListener("open", () => {
      root.dataset.state = "live";
    });
    socket.addEventListener("message", (event) => {
      let message;
      try {
        message = JSON.parse(event.data);
      } catch {
        return;
      }
      if (message.type === "priorities.results" && String(message.round) === root.dataset.round) show(root, message);
    });
    socket.addEventListener("close", (event) => {
      root.dataset.state = "offline";
      if (event.code === 4401 || event.code === 4403) {
        ended = true;
        return;
      }
      retry = setTimeout(connect, backoff.delay(event.code));
    });
  }

  window.addEventListener("online", () => {
    if (ended || (socket && socket.readyState <= WebSocket.OPEN)) return;
    clearTimeout(retry);
    connect();
  });
  connect();
}

function show(root, message) {
  const list = root.querySelector(".sv-priorities__list");
  const people = root.querySelector("[data-priorities-people]");
  for (const item of message.items) {
    const row = list.querySelector(`[data-priorities-item="${item.id}"]`);
    if (!row) continue;
    row.querySelector("[data-priorities-points]").textContent = item.points;
    row.querySelector("[data-priorities-share]").textContent = item.share;
    row.querySelector("[data-priorities-meter]").value = item.share;
    list.appendChild(row); // the message's order: most points first
  }
  if (people) people.textContent = message.people === null ? people.dataset.fewer : String(message.people);
}
