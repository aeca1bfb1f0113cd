// Similar ideas while a person writes one: as the title (or body) changes, ask
// search:similar for the list (the same template the form renders without this
// script) and put it under the title, in an aria-live region. Without this file the
// form's "Check for similar ideas" button does the same in a round trip.
const region = document.querySelector("[data-similar]");
const form = region && region.closest("form");
const title = form && form.querySelector("[name=title]");
const body = form && form.querySelector("[name=body]");
const WAIT_MS = 350;

if (region && title) {
  const check = form.querySelector("[data-similar-check]");
  if (check) check.hidden = true;
  let timer = null;
  let asked = "";
  let controller = null;

  const ask = async () => {
    const words = title.value.trim();
    const key = `${words}\n${body ? body.value.trim().slice(0, 2000) : ""}`;
    if (key === asked) return;
    asked = key;
    if (words.length < 3) {
      region.replaceChildren();
      return;
    }
    if (controller) controller.abort();
    controller = new AbortController();
    const params = new URLSearchParams({ title: words });
    if (body) params.set("body", body.value.trim().slice(0, 2000));
    try {
      const response = await fetch(`${region.dataset.similar}?${params}`, {
        headers: { Accept: "text/html" },
        credentials: "same-origin",
        signal: controller.signal,
      });
      if (!response.ok) return;
      // Server-rendered from our own template, every text escaped there.
      region.innerHTML = await response.text();
    } catch {
      // Offline or superseded: the list stays as it was; posting still works.
    }
  };

  const later = () => {
    clearTimeout(timer);
    timer = setTimeout(ask, WAIT_MS);
  };
  title.addEventListener("input", later);
  if (body) body.addEventListener("input", later);
  if (title.value.trim()) later();
}
