// Staff Voice: progressive enhancement only. Every page works without this file.
import { initAll } from "../vendor/nhsuk/nhsuk-frontend.min.js";

document.body.classList.add("js-enabled", "nhsuk-frontend-supported");
initAll();

// Votes: submit in place so a tap does not reload the page; fall back to the form post.
document.addEventListener("submit", async (event) => {
  const form = event.target;
  if (!form.classList.contains("sv-vote-form")) return;
  const button = event.submitter;
  if (!button) return;
  event.preventDefault();
  const body = new FormData(form);
  body.set("value", button.value);
  let response;
  try {
    response = await fetch(form.action, {
      method: "POST",
      body,
      headers: { Accept: "application/json" },
      credentials: "same-origin",
    });
  } catch {
    form.submit();
    return;
  }
  const data = await response.json().catch(() => ({}));
  if (!response.ok) {
    announce(data.error || document.body.dataset.textVoteError);
    return;
  }
  updateVoteForm(form, data);
});

function updateVoteForm(form, data) {
  const support = form.querySelector(".sv-vote-button--support");
  const oppose = form.querySelector(".sv-vote-button--oppose");
  support.querySelector('[data-count="support"]').textContent = data.support;
  oppose.querySelector('[data-count="dont_support"]').textContent = data.dont_support;
  support.setAttribute("aria-pressed", String(data.value === 1));
  oppose.setAttribute("aria-pressed", String(data.value === -1));
  support.value = data.value === 1 ? "clear" : "support";
  oppose.value = data.value === -1 ? "clear" : "dont_support";
}

// A polite live region, in the page from the start: screen readers only announce changes
// to a region they already know about.
const announcer = document.createElement("div");
announcer.id = "sv-announcer";
announcer.className = "nhsuk-u-visually-hidden";
announcer.setAttribute("aria-live", "polite");
document.body.append(announcer);

function announce(text) {
  announcer.textContent = "";
  setTimeout(() => (announcer.textContent = text), 50);
}

// Filters are applied with their "Show ideas" button, never on change: choosing an option
// (with arrow keys, one step at a time) must not reload the page under the reader
// (WCAG 3.2.2 On Input).
