// Staff Voice drafts: nothing typed into a posting form is lost.
//
// What a person types into a form marked data-draft="<key>" is kept in this
// browser's localStorage, for them only (the signed-in person's id is stored with
// it), until the server says it received the post (a message marked
// data-draft-posted on the next page). So if the session ended while they typed
// (they sign in again and come back to the form) or the connection dropped, the text
// is put back. Progressive enhancement: the forms work without this file.

const PREFIX = "sv-draft:";
const MAX_AGE_MS = 7 * 24 * 60 * 60 * 1000; // a week-old draft is forgotten
const SKIP_TYPES = new Set(["hidden", "submit", "button", "password", "file", "reset"]);

const config = document.getElementById("sv-drafts");
const store = openStorage();

if (config && store) {
  const owner = config.dataset.owner || "";
  forgetStale();
  if (document.querySelector("[data-draft-posted]")) forgetSent(owner);
  if (owner) {
    for (const form of document.querySelectorAll("form[data-draft]")) restore(form, owner);
    document.addEventListener("input", (event) => keep(event.target.form, owner));
    document.addEventListener("change", (event) => keep(event.target.form, owner));
    // Reply forms arrive with live updates: restore one when it is first used.
    document.addEventListener("focusin", (event) => {
      const form = event.target.form;
      if (form && form.dataset.draft && !form.dataset.draftRestored) restore(form, owner);
    });
    document.addEventListener("submit", (event) => submitting(event, owner));
    window.addEventListener("online", backOnline);
  }
}

function openStorage() {
  try {
    const storage = window.localStorage;
    storage.setItem(`${PREFIX}test`, "1");
    storage.removeItem(`${PREFIX}test`);
    return storage;
  } catch {
    return null; // private mode or storage switched off: forms still work
  }
}

function read(name) {
  try {
    return JSON.parse(store.getItem(name));
  } catch {
    return null;
  }
}

function draftNames() {
  const names = [];
  for (let i = 0; i < store.length; i += 1) {
    const name = store.key(i);
    if (name && name.startsWith(PREFIX)) names.push(name);
  }
  return names;
}

function forgetStale() {
  const now = Date.now();
  for (const name of draftNames()) {
    const draft = read(name);
    if (!draft || !(now - draft.at < MAX_AGE_MS)) store.removeItem(name);
  }
}

function forgetSent(owner) {
  // The server received the post that was just sent: its draft can go.
  for (const name of draftNames()) {
    const draft = read(name);
    if (draft && draft.sent && draft.owner === owner) store.removeItem(name);
  }
}

function fieldsOf(form) {
  return Array.from(form.elements).filter(
    (field) =>
      field.name &&
      field.name !== "csrfmiddlewaretoken" &&
      !SKIP_TYPES.has(field.type) &&
      !field.disabled,
  );
}

function valueOf(field) {
  return field.type === "checkbox" || field.type === "radio" ? field.checked : field.value;
}

function keep(form, owner, sent = false) {
  if (!form || !form.dataset.draft) return;
  const values = {};
  let typed = false;
  for (const field of fieldsOf(form)) {
    values[field.name] = valueOf(field);
    if (field.tagName !== "SELECT" && typeof values[field.name] === "string") {
      typed ||= values[field.name].trim() !== "";
    }
  }
  const name = PREFIX + form.dataset.draft;
  if (!typed) {
    store.removeItem(name);
    return;
  }
  try {
    store.setItem(name, JSON.stringify({ owner, at: Date.now(), sent, values }));
  } catch {
    // Storage full: nothing more can be kept, and posting still works.
  }
}

function untouched(field) {
  if (field.tagName === "SELECT") {
    return Array.from(field.options).every((option) => option.selected === option.defaultSelected);
  }
  if (field.type === "checkbox" || field.type === "radio") {
    return field.checked === field.defaultChecked;
  }
  return field.value === field.defaultValue;
}

function restore(form, owner) {
  form.dataset.draftRestored = "1";
  const name = PREFIX + form.dataset.draft;
  const draft = read(name);
  if (!draft || draft.owner !== owner || !draft.values) return;
  if (draft.sent) {
    // Back at the form without the post having been received: keep it until it is.
    draft.sent = false;
    store.setItem(name, JSON.stringify(draft));
  }
  let changed = false;
  for (const field of fieldsOf(form)) {
    if (!(field.name in draft.values) || !untouched(field)) continue;
    const value = draft.values[field.name];
    if (field.type === "checkbox" || field.type === "radio") {
      if (field.checked !== Boolean(value)) {
        field.checked = Boolean(value);
        changed = true;
      }
    } else if (typeof value === "string" && field.value !== value) {
      field.value = value;
      changed = true;
    }
  }
  if (changed) {
    const details = form.closest("details");
    if (details) details.open = true;
    notice(form, config.dataset.restored, "status");
  }
}

function submitting(event, owner) {
  const form = event.target;
  if (!form.dataset || !form.dataset.draft) return;
  if (navigator.onLine === false) {
    // Offline: stay on the page with the text, rather than an error page.
    event.preventDefault();
    keep(form, owner);
    notice(form, config.dataset.offline, "alert");
    return;
  }
  keep(form, owner, true); // kept until the next page says it was received
}

function backOnline() {
  for (const element of document.querySelectorAll("[data-draft-notice='alert']")) {
    element.setAttribute("role", "status");
    element.dataset.draftNotice = "status";
    element.querySelector("p").textContent = config.dataset.online;
  }
}

function notice(form, text, role) {
  if (!text) return;
  let element = form.previousElementSibling;
  if (!element || !element.dataset.draftNotice) {
    element = document.createElement("div");
    element.className = "nhsuk-inset-text sv-draft-notice";
    element.append(document.createElement("p"));
    form.before(element);
  }
  element.dataset.draftNotice = role;
  element.setAttribute("role", role);
  element.querySelector("p").textContent = text;
}
