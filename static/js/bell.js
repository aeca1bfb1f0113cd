// The bell in the header: its unread count follows the person's notifications live,
// over /ws/me/, and a new one is announced politely to screen readers. Without
// JavaScript (or a socket) the count is simply right on the next page.
import { keepOpen } from "./reconnect.js";

const link = document.querySelector("[data-bell]");
const badge = document.querySelector("[data-unread]");
const number = document.querySelector("[data-unread-count]");
const announcer = document.querySelector("[data-bell-announce]");

function show(count) {
  const previous = Number(number.textContent) || 0;
  number.textContent = String(count);
  badge.hidden = count === 0;
  if (count > previous && announcer) {
    const text = count === 1 ? announcer.dataset.one : announcer.dataset.many;
    announcer.textContent = text.replace("%(n)s", String(count));
  }
}

if (link && badge && number && "WebSocket" in window) {
  keepOpen(link.dataset.bell, {
    onMessage(message) {
      if (message.type === "unread" && Number.isInteger(message.count)) show(message.count);
    },
    onOpen() {
      link.dataset.bellState = "live";
    },
    onClose() {
      link.dataset.bellState = "closed";
    },
  });
}
