// The inbox page: list + open conversation, kept live over the WebSocket, driven by keyboard.
import { fetchFragment } from "./api.js";
import { t } from "./i18n.js";
import { ConversationList } from "./list.js";
import { Live } from "./live.js";
import { NotificationCentre } from "./notifications.js";
import { ConversationPane } from "./pane.js";

const config = JSON.parse(document.getElementById("svar-live").textContent);
const me = config.me;
const list = new ConversationList({ filter: config.filter, me });
const presence = new Map(); // conversation id → Map(agent id → {agent, state, mode, expires})

function presenceOf(conversationId) {
  const now = Date.now();
  const entries = presence.get(Number(conversationId));
  if (!entries) return [];
  for (const [agentId, p] of entries) if (p.expires < now) entries.delete(agentId);
  return [...entries.values()];
}

const centre = new NotificationCentre(document.getElementById("notifications"));
const live = new Live({
  lastSeq: config.last_seq,
  notificationsSeq: config.notifications_seq,
  onNotifications: (items) => centre.receive(items),
  onNotificationsResync: () => centre.reload(),
  onEvent: (event) => applyEvent(event),
  onResync: () => resync(),
  onPresence: (frame) => applyPresence(frame),
  onGuest: (kind, id) => applyGuest(kind, id),
  onState: (state) => {
    const el = document.getElementById("live-status");
    el.dataset.state = state;
    el.textContent = state === "live" ? t("online") : state === "offline" ? t("offline") : "";
  },
});

const pane = new ConversationPane(document.getElementById("conversation"), {
  me,
  onSnapshot: (snapshot) => list.apply(snapshot),
  onPresence: (id, state, mode) => live.setPresence(id, state, mode),
  presenceOf,
  onGuest: (id, seq) => live.follow(id, seq),
});

function announce(text) {
  const announcer = document.getElementById("announcer"); // aria-live: screen readers hear it
  if (announcer) announcer.textContent = text;
}

let refreshTimer = null;
function refreshPaneSoon() {
  clearTimeout(refreshTimer);
  refreshTimer = setTimeout(() => pane.refresh(), 100);
}

function applyEvent(event) {
  const snapshot = event.conversation;
  if (snapshot) {
    list.apply(snapshot);
    const author = event.message?.author_agent;
    if (event.kind === "reply.created" && snapshot.id === pane.id && author && author.id !== me) {
      pane.colleagueReplied(author.public_name);
    }
    if (event.kind === "reply.delivery_changed" && snapshot.id === pane.id && author?.id === me) {
      pane.composer?.delivered(event.message);
    }
    const woke = event.kind === "conversation.status_changed" && event.previous_status === "snoozed" && snapshot.status === "open";
    if (woke && (!snapshot.assignee || snapshot.assignee.id === me)) { // unassigned, or mine
      announce(t("snoozeEnded", { name: snapshot.contact.name || snapshot.contact.handle }));
    }
    if (event.kind === "messages.received" && snapshot.id === pane.id) {
      announce(t("newMessage", { name: snapshot.contact.name || snapshot.contact.handle }));
    }
    if (event.kind === "message.media_changed" && snapshot.id === pane.id) {
      pane.mediaChanged(event.media);
    }
    if (snapshot.id === pane.id && (snapshot.version > pane.version || event.kind === "note.created")) {
      refreshPaneSoon();
    } else if (snapshot.id === pane.id && ["reply.delivery_changed", "reply.approval_changed", "message.moderation_changed", "message.private_reply_changed", "conversation.grant_revoked"].includes(event.kind)) {
      refreshPaneSoon();
    }
  }
  if (event.kind === "account.health_changed" && event.account) {
    const item = document.querySelector(`.accounts li[data-account="${Number(event.account.id)}"]`);
    if (item) {
      item.className = `health-${event.account.health}`;
      item.querySelector(".health-label").textContent = t(`health_${event.account.health}`);
    }
    if (Number(pane.pane?.dataset.account) === event.account.id) refreshPaneSoon();
  }
}

// A conversation read through a mention's grant (docs/realtime.md, "Guests").
function applyGuest(kind, id) {
  if (Number(id) !== pane.id) return;
  if (kind !== "ended") { refreshPaneSoon(); return; }
  // As the page's own empty state: a margined <p> as the full-height box would overflow it,
  // making a scrollable region with nothing to focus (axe: scrollable-region-focusable).
  const gone = Object.assign(document.createElement("div"), { className: "empty-state" });
  gone.append(Object.assign(document.createElement("p"), { id: "access-withdrawn", textContent: t("accessWithdrawn") }));
  pane.container.replaceChildren(gone);
  announce(t("accessWithdrawn"));
}

async function resync() {
  const rows = document.getElementById("rows");
  try {
    const body = await fetchFragment(`/conversations/?${rows?.dataset.query || ""}`);
    document.getElementById("list").replaceChildren(...body.childNodes);
    list.markOpen(pane.id);
  } catch { /* the next event or reconnect tries again */ }
  refreshPaneSoon();
}

function applyPresence(frame) {
  if (frame.agent.id === me) return; // my own other tabs
  const id = Number(frame.conversation_id);
  const entries = presence.get(id) || new Map();
  presence.set(id, entries);
  if (frame.state === "left") entries.delete(frame.agent.id);
  else entries.set(frame.agent.id, { ...frame, expires: Date.now() + frame.ttl * 1000 });
  renderPresence(id);
}

function renderPresence(id) {
  const people = presenceOf(id);
  const typing = people.find((p) => p.state === "typing");
  const text = typing ? `✎ ${typing.agent.initials}` : people.map((p) => p.agent.initials).join(" ");
  list.setPresence(id, people.length ? (typing ? text : `👁 ${text}`) : "");
  if (id === pane.id) pane.renderPresence();
}

// Presence expires unless repeated: sweep what went quiet.
setInterval(() => { for (const id of presence.keys()) renderPresence(id); }, 3000);
setInterval(() => list.tick(), 30000);

// --- navigation ------------------------------------------------------------------------------

function listQuery() { return document.getElementById("rows")?.dataset.query || ""; }

async function openConversation(id, { push = true } = {}) {
  await pane.open(id);
  document.body.classList.add("has-conversation");
  list.markOpen(id);
  if (push) history.pushState({ id }, "", `/conversations/${Number(id)}/${listQuery() ? `?${listQuery()}` : ""}`);
  document.getElementById("conversation").focus({ preventScroll: true });
}

function backToList({ push = true } = {}) {
  document.body.classList.remove("has-conversation");
  if (push) history.pushState({}, "", `/${listQuery() ? `?${listQuery()}` : ""}`);
  const row = list.active() || list.rows().find((r) => r.classList.contains("is-open"));
  document.getElementById("rows")?.focus();
  if (row) list.setActive(row);
}

// A row is an option, not a link (a link inside an option is nested-interactive): a click
// with a modifier or the middle button still opens the conversation in a new tab.
function openInNewTab(event) {
  const row = event.target.closest("#rows > .row");
  if (!row || !(event.button === 1 || event.metaKey || event.ctrlKey || event.shiftKey)) return false;
  event.preventDefault();
  window.open(row.dataset.href, "_blank", "noopener");
  return true;
}
document.addEventListener("auxclick", openInNewTab);

document.addEventListener("click", (event) => {
  if (event.button !== 0 || openInNewTab(event)) return;
  const row = event.target.closest("#rows > .row");
  const other = event.target.closest("[data-open]");
  const back = event.target.closest('[data-action="back"]');
  if (row) { event.preventDefault(); list.setActive(row, false); openConversation(row.dataset.id); }
  else if (other) { event.preventDefault(); openConversation(other.dataset.open); }
  else if (back) { event.preventDefault(); backToList(); }
});

window.addEventListener("popstate", () => {
  const match = location.pathname.match(/^\/conversations\/(\d+)\//);
  if (match) openConversation(match[1], { push: false });
  else backToList({ push: false });
});

function onList(target) {
  return target === document.body || Boolean(target.closest("#rows"));
}

function typingInField(target) {
  return target.closest("input, textarea, select, [contenteditable]");
}

document.addEventListener("keydown", (event) => {
  if (event.defaultPrevented || event.altKey || event.ctrlKey || event.metaKey) return;
  if (document.querySelector("dialog[open]")) return;
  if (event.key === "Escape") {
    if (typingInField(event.target)) event.target.blur();
    else if (document.body.classList.contains("has-conversation")) backToList();
    return;
  }
  if (typingInField(event.target)) return;
  const keys = { ArrowDown: 1, j: 1, ArrowUp: -1, k: -1 };
  if (event.key in keys) {
    event.preventDefault();
    list.move(keys[event.key]);
    document.getElementById("rows")?.focus({ preventScroll: true });
  } else if ((event.key === "Enter" && onList(event.target)) || event.key === "o") {
    // Enter on a button or link is that control's: only on the list does it open the row.
    const row = list.active();
    if (row) { event.preventDefault(); openConversation(row.dataset.id); }
  } else if (event.key === "/") {
    event.preventDefault();
    document.getElementById("f-q")?.focus();
  } else if (event.key === "r" && pane.id) {
    event.preventDefault();
    document.getElementById("composer-body")?.focus();
  }
});

document.getElementById("rows")?.setAttribute("tabindex", "0");
window.addEventListener("pagehide", () => pane.close());
if (pane.id) list.markOpen(pane.id);
live.connect();
window.svar = { list, pane, live, centre }; // for the browser tests and the curious
