// Live campaign updates over one websocket. Progressive: without it, pages work by reloads.
// Server-rendered partials arrive in events, so there is no second copy of any template here.
import { keepOpen } from "./reconnect.js";

const root = document.getElementById("sv-live");
if (root && "WebSocket" in window) start(root);

function start(root) {
  const text = root.dataset;
  const view = text.view;
  const csrf = document.querySelector('meta[name="csrf-token"]')?.content || "";
  const stateEl = root.querySelector("[data-live-state]");
  const viewersEl = root.querySelector("[data-viewers]");
  const announcer = root.querySelector("[data-announcer]");
  const reloadLink = root.querySelector("[data-live-reload]");
  // What the page says after a close code that ends access (it does not reconnect).
  const ENDED = { 4401: "signedout", 4403: "noaccess" };
  let lastSeq = Number(text.seq) || 0;
  let catchingUp = false;
  const pending = new Map(); // events that arrived ahead of a gap, by seq
  const unseenIdeas = []; // html of new ideas held back behind the "show" bar

  root.hidden = false;
  setState("reconnecting");
  // Back within 2 s of its server (at a random moment: a worker's thousands of pages do
  // not return at once), at once on coming back online, never after access has ended.
  const connection = keepOpen(text.ws, {
    onOpen() {
      setState("live");
      requestCatchUp();
    },
    onMessage: handle,
    onClose(code, final) {
      catchingUp = false;
      setState(final ? ENDED[code] : "reconnecting");
    },
  });

  function send(message) {
    connection.send(message);
  }

  function requestCatchUp() {
    // What was posted meanwhile, by number, then the current tallies of what is shown
    // (votes are not numbered events).
    if (catchingUp) return;
    catchingUp = true;
    send({ type: "catch_up", after: lastSeq, targets: shownTargets() });
  }

  function handle(message) {
    switch (message.type) {
      case "hello":
        if (message.live === false) setState("paused");
        showViewers(message.viewers);
        return;
      case "viewers":
        showViewers(message.count);
        return;
      case "live":
        // The server's channel layer (Redis) paused or came back: on return, catch up.
        if (message.state === "paused") {
          setState("paused");
        } else {
          setState("live");
          catchingUp = false;
          requestCatchUp();
        }
        return;
      case "tallies":
        applyTallies(message);
        return;
      case "caught_up":
        catchingUp = false;
        drainPending();
        return;
      case "reload":
        catchingUp = false;
        reloadLists();
        return;
      case "error":
        console.warn("Live updates:", message.reason);
        return;
      default:
        if (typeof message.seq === "number") sequenced(message);
    }
  }

  function sequenced(message) {
    if (message.seq <= lastSeq) return; // already applied (duplicate or replay)
    if (message.seq > lastSeq + 1) {
      pending.set(message.seq, message); // a gap: fetch what we missed first
      requestCatchUp();
      return;
    }
    apply(message);
    lastSeq = message.seq;
    drainPending();
  }

  function drainPending() {
    while (pending.has(lastSeq + 1)) {
      const next = pending.get(lastSeq + 1);
      pending.delete(lastSeq + 1);
      apply(next);
      lastSeq = next.seq;
    }
    for (const seq of pending.keys()) if (seq <= lastSeq) pending.delete(seq);
  }

  function apply(event) {
    if (event.type === "idea.posted") ideaPosted(event);
    else if (event.type === "comment.posted") commentPosted(event);
    else if (event.type === "comment.removed") commentRemoved(event);
    else if (event.type === "idea.hidden") ideaHidden(event);
    else if (event.type === "idea.restored") ideaRestored(event);
    else if (event.type === "idea.status") ideaStatus(event);
    else if (event.type === "comment.hidden") commentHidden(event);
    else if (event.type === "comment.restored") commentPosted(event);
    else if (event.type === "idea.edited") ideaEdited(event);
    else if (event.type === "comment.edited") commentEdited(event);
    else if (event.type === "idea.merged") ideaMerged(event);
    else if (event.type === "idea.comments_locked") commentsLocked(event);
  }

  function fragment(html) {
    const template = document.createElement("template");
    template.innerHTML = html.trim();
    template.content.querySelectorAll('input[name="csrfmiddlewaretoken"]').forEach((input) => {
      input.value = csrf;
    });
    template.content.querySelectorAll('input[name="next"]').forEach((input) => {
      input.value = location.pathname + location.search;
    });
    return template.content.firstElementChild;
  }

  // -- ideas on the campaign page ---------------------------------------------
  function ideaPosted(event) {
    if (view !== "campaign") return;
    if (text.theme && Number(text.theme) !== event.theme_id) return;
    if (document.getElementById(`idea-${event.idea_id}`)) return;
    const list = document.querySelector(".sv-idea-list");
    const title = fragment(event.html).querySelector("h3")?.textContent.trim() || "";
    if (canInsertInPlace(list)) {
      list.prepend(fragment(event.html));
      document.querySelector(".sv-empty")?.remove();
    } else {
      unseenIdeas.push(event.html);
      showNewIdeasBar();
    }
    announce(`${text.textNewIdea} ${title}`);
  }

  function canInsertInPlace(list) {
    // Only where a new idea belongs at the top, and only if that does not move what the
    // reader is reading: otherwise a "new ideas" bar lets them choose.
    const newestFirst = (text.sort || "newest") === "newest" && Number(text.page || 1) === 1;
    return newestFirst && list && list.getBoundingClientRect().top >= 0;
  }

  function showNewIdeasBar() {
    const bar = document.querySelector(".sv-new-ideas");
    if (!bar) return;
    const button = bar.querySelector("[data-show-new]");
    const n = unseenIdeas.length;
    button.textContent =
      n === 1 ? text.textNewOne : text.textNewMany.replace("%(n)s", String(n));
    bar.hidden = false;
    button.onclick = () => {
      const list = document.querySelector(".sv-idea-list");
      let first = null;
      while (unseenIdeas.length) {
        const card = fragment(unseenIdeas.pop());
        if (!document.getElementById(card.id)) list.prepend(card);
        first = list.firstElementChild;
      }
      bar.hidden = true;
      document.querySelector(".sv-empty")?.remove();
      first?.querySelector("a")?.focus();
    };
  }

  function ideaHidden(event) {
    const card = document.getElementById(`idea-${event.idea_id}`);
    if (view === "campaign" && card) card.remove();
    if (view === "idea" && Number(text.idea) === event.idea_id) reloadLists();
  }

  function ideaRestored(event) {
    if (view === "campaign" && event.html && !document.getElementById(`idea-${event.idea_id}`)) {
      unseenIdeas.push(event.html);
      showNewIdeasBar();
    }
  }

  function ideaStatus(event) {
    const scope = document.getElementById(`idea-${event.idea_id}`);
    const slot = scope?.querySelector("[data-status]");
    if (!slot) return;
    slot.textContent = "";
    if (event.status !== "new") {
      const tag = document.createElement("strong");
      tag.className = "nhsuk-tag nhsuk-tag--purple";
      tag.textContent = event.label;
      slot.append(tag);
    }
    announce(event.label);
  }

  // -- comments ------------------------------------------------------------
  function commentPosted(event) {
    const card = document.getElementById(`idea-${event.idea_id}`);
    const count = card?.querySelector("[data-comment-count]");
    if (count && view === "campaign") count.textContent = commentsLabel(count, event.comment_count);
    if (view !== "idea" || Number(text.idea) !== event.idea_id) return;
    if (document.getElementById(`comment-${event.comment_id}`)) return;
    const heading = document.getElementById("comments-heading");
    if (heading) heading.textContent = commentsLabel(heading, event.comment_count);
    const list = event.parent_id
      ? document.querySelector(`#comment-${event.parent_id} .sv-reply-list`)
      : document.querySelector(".sv-comment-list");
    if (!list) return;
    list.querySelector(".sv-empty")?.remove();
    list.append(fragment(event.html));
    announce(text.textNewComment);
  }

  function commentHidden(event) {
    // A moderator hid it: it (and, for a top-level comment, its replies) goes at once.
    showCommentCount(event);
    if (view === "idea" && Number(text.idea) === event.idea_id) {
      document.getElementById(`comment-${event.comment_id}`)?.remove();
    }
  }

  function showCommentCount(event) {
    const selector = view === "idea" ? "#comments-heading" : `#idea-${event.idea_id} [data-comment-count]`;
    const element = document.querySelector(selector);
    if (element && (view !== "idea" || Number(text.idea) === event.idea_id)) {
      element.textContent = commentsLabel(element, event.comment_count);
    }
  }

  // -- edits (by authors and moderators), merges and locks ----------------------
  function swapParts(current, fresh, selectors) {
    // Replace the edited text in place, keeping replies and the reader's own vote.
    for (const selector of selectors) {
      const before = current.querySelector(selector);
      const after = fresh.querySelector(selector);
      if (before && after) before.replaceWith(after);
    }
  }

  function ideaEdited(event) {
    if (view === "idea" && Number(text.idea) === event.idea_id) {
      refreshParts([".sv-idea-full"]);
      return;
    }
    const card = document.getElementById(`idea-${event.idea_id}`);
    if (card && view === "campaign") {
      swapParts(card, fragment(event.html), [".sv-meta", "h3", ".sv-body", "[data-edited-by-author]"]);
    }
  }

  function commentEdited(event) {
    const comment = document.getElementById(`comment-${event.comment_id}`);
    if (!comment || view !== "idea") return;
    swapParts(comment, fragment(event.html), [":scope > .sv-meta", ":scope > .sv-body"]);
  }

  function ideaMerged(event) {
    if (view === "campaign") {
      document.getElementById(`idea-${event.idea_id}`)?.remove();
      const into = document.querySelector(`#idea-${event.into_id} [data-comment-count]`);
      if (into) into.textContent = commentsLabel(into, event.comment_count);
    } else if (Number(text.idea) === event.idea_id) {
      refreshParts([".sv-idea-full", "#comments"]);
    } else if (Number(text.idea) === event.into_id) {
      refreshParts(["#comments"]);
    }
  }

  function commentsLocked(event) {
    if (view === "idea" && Number(text.idea) === event.idea_id) refreshParts(["#comments"]);
  }

  async function refreshParts(selectors) {
    // Fetch the page again and swap just these parts (nothing typed elsewhere is lost).
    try {
      const response = await fetch(location.href, { credentials: "same-origin" });
      const doc = new DOMParser().parseFromString(await response.text(), "text/html");
      for (const selector of selectors) {
        const fresh = doc.querySelector(selector);
        const current = document.querySelector(selector);
        if (fresh && current) current.replaceWith(document.adoptNode(fresh));
      }
    } catch {
      /* keep what is shown; a reload shows the change */
    }
  }

  function commentRemoved(event) {
    const card = document.getElementById(`idea-${event.idea_id}`);
    const count = card?.querySelector("[data-comment-count]");
    if (count && view === "campaign") count.textContent = commentsLabel(count, event.comment_count);
    if (view !== "idea" || Number(text.idea) !== event.idea_id) return;
    document.getElementById(`comment-${event.comment_id}`)?.remove();
    const heading = document.getElementById("comments-heading");
    if (heading) heading.textContent = commentsLabel(heading, event.comment_count);
  }

  function commentsLabel(element, n) {
    // The page carries its own (translated) singular and plural wording.
    return n === 1 ? element.dataset.one : element.dataset.many.replace("%(n)s", String(n));
  }

  // -- tallies and figures ----------------------------------------------------
  function applyTallies(message) {
    for (const item of message.items || []) {
      const box = document.querySelector(`[data-vote-target="${item.kind}-${item.id}"]`);
      if (!box) continue;
      box.querySelector('[data-count="support"]').textContent = item.support;
      box.querySelector('[data-count="dont_support"]').textContent = item.dont_support;
    }
    if (message.counts) {
      for (const [key, value] of Object.entries(message.counts)) {
        const figure = document.querySelector(`[data-stat="${key}"]`);
        if (figure) figure.textContent = value;
      }
    }
  }

  function shownTargets() {
    return [...document.querySelectorAll("[data-vote-target]")].slice(0, 100).map((el) => {
      const [kind, id] = el.dataset.voteTarget.split("-");
      return [kind, Number(id)];
    });
  }

  async function reloadLists() {
    // Missed too much to replay: fetch the page again and swap the live parts quietly.
    try {
      const response = await fetch(location.href, { credentials: "same-origin" });
      const doc = new DOMParser().parseFromString(await response.text(), "text/html");
      for (const selector of [".sv-idea-list", ".sv-comment-list", ".sv-stats", "#comments-heading"]) {
        const fresh = doc.querySelector(selector);
        const current = document.querySelector(selector);
        if (fresh && current) current.replaceWith(document.adoptNode(fresh));
      }
      const freshRoot = doc.getElementById("sv-live");
      if (freshRoot) lastSeq = Number(freshRoot.dataset.seq) || lastSeq;
      pending.clear();
    } catch {
      /* stay as we are; the next reconnect tries again */
    }
  }

  // -- status line ------------------------------------------------------------
  function setState(state) {
    root.dataset.state = state;
    const words = {
      live: text.textLive,
      paused: text.textPaused,
      signedout: text.textSignedOut,
      noaccess: text.textNoAccess,
      offline: text.textOffline,
    };
    stateEl.textContent = words[state] || text.textReconnecting;
    // Anything but live or reconnecting: offer a reload, which shows what is true now.
    if (reloadLink) reloadLink.hidden = !(state in words) || state === "live";
  }

  function showViewers(n) {
    if (typeof n !== "number") return;
    viewersEl.textContent =
      n === 1 ? text.textViewingOne : text.textViewingMany.replace("%(n)s", String(n));
  }

  function announce(message) {
    announcer.textContent = "";
    setTimeout(() => (announcer.textContent = message), 50);
  }
}
