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
    announce(data.error || "Your vote could not be saved. Please try again.");
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

function announce(text) {
  let region = document.getElementById("sv-announcer");
  if (!region) {
    region = document.createElement("div");
    region.id = "sv-announcer";
    region.className = "nhsuk-u-visually-hidden";
    region.setAttribute("aria-live", "polite");
    document.body.append(region);
  }
  region.textContent = text;
}

// Filters: apply on change when JavaScript runs; the "Show ideas" button remains for others.
document.querySelectorAll(".sv-filters select").forEach((select) => {
  select.addEventListener("change", () => select.form.requestSubmit());
});
