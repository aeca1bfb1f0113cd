// A prioritisation round: a running "points left" count while spreading points, and the
// results kept live over the campaign's websocket. Without JavaScript the form is plain
// number inputs and the results are as of the page load.
import { keepOpen } from "./reconnect.js";

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

// The results' socket: back within 2 s of its server, at once when the browser comes
// back online, never after access has ended (static/js/reconnect.js).
function keepLive(root) {
  keepOpen(root.dataset.ws, {
    onMessage(message) {
      if (message.type === "priorities.results" && String(message.round) === root.dataset.round) show(root, message);
    },
    onOpen() {
      root.dataset.state = "live";
    },
    onClose() {
      root.dataset.state = "offline";
    },
  });
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
