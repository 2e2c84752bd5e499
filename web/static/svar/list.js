// The conversation list: rows built from event snapshots (text only, never HTML), kept in
// newest-activity order, filtered as the server filters the current view; keyboard navigation.
import { duration, t, waited } from "./i18n.js";

// The row's SLA flag from its clocks (running intervals with a target, as the server laid
// them onto the team's schedule): breached once one is past due, else at risk once one is
// past its warning point, else nothing.
export function slaFlag(clocks, now = Date.now()) {
  if (clocks.some((c) => now >= Date.parse(c.due_at))) return { state: "breached", text: t("slaBreached") };
  const risky = clocks.filter((c) => now >= Date.parse(c.risk_at)).sort((a, b) => Date.parse(a.due_at) - Date.parse(b.due_at));
  if (risky.length) return { state: "at_risk", text: t("slaDue", { time: duration(Math.max(1, Math.ceil((Date.parse(risky[0].due_at) - now) / 60000)) * 60000) }) };
  return null;
}

function renderSla(cell) {
  let clocks = [];
  try { clocks = JSON.parse(cell.dataset.clocks || "[]"); } catch { /* none */ }
  const flag = slaFlag(clocks);
  cell.className = flag ? `sla sla-${flag.state}` : "sla";
  cell.textContent = flag ? flag.text : "";
  cell.hidden = !flag;
}

export class ConversationList {
  constructor({ filter, me }) {
    this.filter = filter;
    this.me = me;
    this.presence = new Map(); // conversation id → text shown in the row
    this.pendingMarks = 0; // rows waiting for their SLA clocks carry a mark
  }

  get root() { return document.getElementById("rows"); }
  rows() { return [...(this.root?.querySelectorAll(":scope > .row") || [])]; }
  row(id) { return this.root?.querySelector(`:scope > .row[data-id="${Number(id)}"]`); }

  matches(s) {
    const f = this.filter;
    if (f.statuses.length && !f.statuses.includes(s.status)) return false;
    if (f.assignee === "me" && s.assignee?.id !== this.me) return false;
    if (f.assignee === "unassigned" && s.assignee) return false;
    if (f.team && s.team_id !== f.team) return false;
    if (f.platform && s.platform !== f.platform) return false;
    if (f.tag && !s.tags.includes(f.tag.trim().toLowerCase())) return false;
    if (f.sort === "waiting" && !s.waiting_since) return false; // that order lists waits only
    return true;
  }

  // Apply a conversation snapshot; returns true when the list changed.
  apply(s) {
    const existing = this.row(s.id);
    if (existing && Number(existing.dataset.version) >= s.version) return false;
    if (!this.matches(s) || (!existing && this.filter.search)) {
      // A search cannot be evaluated here: rows join or leave a search only on reload.
      if (existing && !this.matches(s)) { existing.remove(); this.updateEmpty(); return true; }
      return false;
    }
    const row = existing || this.newRow();
    this.fill(row, s);
    this.place(row);
    if (!existing) {
      row.classList.add("is-new");
      const announcer = document.getElementById("announcer");
      if (announcer) announcer.textContent = t("newConversation", { name: s.contact.name || s.contact.handle });
    }
    this.updateEmpty();
    return true;
  }

  newRow() {
    return document.getElementById("row-template").content.firstElementChild.cloneNode(true);
  }

  fill(row, s) {
    row.dataset.id = s.id;
    row.id = `row-${s.id}`;
    row.dataset.version = s.version;
    row.dataset.last = s.last_message_at;
    row.dataset.status = s.status;
    const field = (name) => row.querySelector(`[data-field="${name}"]`);
    row.dataset.href = `/conversations/${s.id}/`;
    const platform = field("platform");
    platform.className = `badge platform platform-${s.platform}`;
    platform.textContent = t(`platform_${s.platform}`);
    const kind = field("kind");
    kind.className = `badge kind kind-${s.kind}`;
    kind.textContent = s.kind === "public" ? t("public") : t("private");
    field("customer").textContent = s.contact.name || s.contact.handle;
    field("handle").textContent = s.contact.handle ? `@${s.contact.handle}` : "";
    field("snippet").textContent = s.snippet;
    const waiting = field("waiting");
    // A wait that began live (a new conversation, a customer writing again, a reopening) has
    // clocks the snapshot does not carry: the next tick asks for them.
    const newWait = Boolean(s.waiting_since) && waiting.dataset.since !== s.waiting_since;
    waiting.dataset.since = s.waiting_since || "";
    waiting.textContent = s.waiting_since ? t("waiting", { time: waited(s.waiting_since) }) : "";
    const assignee = field("assignee");
    assignee.textContent = s.assignee ? s.assignee.public_name : t("unassigned");
    assignee.title = s.assignee ? s.assignee.public_name : "";
    field("presence").textContent = this.presence.get(s.id) || "";
    // Snapshots carry no SLA clocks: keep the row's, minus what the change ended (an agent's
    // reply ends the first-response and reply clocks; resolving ends them all).
    const sla = field("sla");
    let clocks = [];
    try { clocks = JSON.parse(sla.dataset.clocks || "[]"); } catch { /* none */ }
    if (s.status === "resolved") clocks = [];
    else if (!s.waiting_since) clocks = clocks.filter((c) => c.kind === "resolution");
    sla.dataset.clocks = clocks.length ? JSON.stringify(clocks) : "";
    if (newWait || (s.status !== "resolved" && !row.isConnected)) row.dataset.slaPending = String(++this.pendingMarks);
    renderSla(sla);
  }

  // One request for every row whose clocks are not known yet (none on most ticks).
  async fetchClocks() {
    const pending = this.rows().filter((r) => r.dataset.slaPending);
    if (!pending.length) return;
    const asked = pending.slice(0, 100).map((r) => [Number(r.dataset.id), r.dataset.slaPending]);
    const ids = asked.map(([id]) => id);
    let answer;
    try {
      const response = await fetch(`/conversations/sla?ids=${ids.join(",")}`, { credentials: "same-origin", headers: { Accept: "application/json" } });
      if (!response.ok) return;
      answer = await response.json();
    } catch { return; } // the next tick tries again
    for (const [id, mark] of asked) {
      const row = this.row(id);
      if (!row || row.dataset.slaPending !== mark) continue; // a newer wait began meanwhile
      delete row.dataset.slaPending;
      const cell = row.querySelector('[data-field="sla"]');
      const clocks = answer[String(id)] || [];
      cell.dataset.clocks = clocks.length ? JSON.stringify(clocks) : "";
      renderSla(cell);
    }
  }

  place(row) {
    // Newest activity first; or, sorted by wait, the earliest wait first (its negated time).
    const waiting = this.filter.sort === "waiting";
    const since = (r) => -Date.parse(r.querySelector('[data-field="waiting"]').dataset.since);
    const key = (r) => [waiting ? since(r) : Date.parse(r.dataset.last), Number(r.dataset.id)];
    const [last, id] = key(row);
    const before = this.rows().find((other) => {
      if (other === row) return false;
      const [otherLast, otherId] = key(other);
      return otherLast < last || (otherLast === last && otherId < id);
    });
    if (before) { if (before.previousElementSibling !== row) this.root.insertBefore(row, before); }
    else if (this.root.lastElementChild !== row) this.root.appendChild(row);
  }

  updateEmpty() {
    const empty = document.querySelector(".empty-list");
    if (empty) empty.hidden = this.rows().length > 0;
  }

  setPresence(conversationId, text) {
    if (text) this.presence.set(conversationId, text); else this.presence.delete(conversationId);
    const cell = this.row(conversationId)?.querySelector('[data-field="presence"]');
    if (cell) cell.textContent = text || "";
  }

  markOpen(id) {
    for (const row of this.rows()) {
      const open = Number(row.dataset.id) === Number(id);
      row.classList.toggle("is-open", open);
      row.setAttribute("aria-selected", open ? "true" : "false");
    }
    if (id) this.setActive(this.row(id), false);
  }

  // Keyboard: one active row (aria-activedescendant), moved with ↑↓ / j k.
  active() { return this.rows().find((r) => r.classList.contains("is-active")); }

  setActive(row, scroll = true) {
    if (!row) return;
    for (const r of this.rows()) r.classList.toggle("is-active", r === row);
    if (!row.id) row.id = `row-${row.dataset.id}`;
    this.root.setAttribute("aria-activedescendant", row.id);
    if (scroll) row.scrollIntoView({ block: "nearest" });
  }

  move(delta) {
    const rows = this.rows();
    if (!rows.length) return null;
    const index = rows.indexOf(this.active() || rows.find((r) => r.classList.contains("is-open")));
    const next = rows[Math.max(0, Math.min(rows.length - 1, index < 0 ? 0 : index + delta))];
    this.setActive(next);
    return next;
  }

  tick() {
    this.fetchClocks();
    for (const cell of document.querySelectorAll('#rows [data-field="sla"]')) renderSla(cell);
    for (const cell of document.querySelectorAll('#rows [data-field="waiting"]')) {
      const since = cell.dataset.since;
      cell.textContent = since ? t("waiting", { time: waited(since) }) : "";
    }
  }
}
