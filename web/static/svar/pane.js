// The open conversation: server-rendered, swapped in without a reload; actions over the API;
// refreshed in place (the composer and its text survive) when the live layer reports a change.
import { api, fetchFragment } from "./api.js";
import { Composer } from "./composer.js";
import { customerText, t } from "./i18n.js";

// What the agent typed into the re-rendered regions (a tag not yet added) and where the focus
// was survive a refresh: the server's copy of those fields is empty.
function keepTyped(old, fresh) {
  for (const input of old.querySelectorAll("input[type=text][id], input:not([type])[id]")) {
    const twin = fresh.querySelector(`#${CSS.escape(input.id)}`);
    if (twin && input.value !== input.defaultValue) twin.value = input.value;
  }
  const focused = document.activeElement;
  if (focused?.id && old.contains(focused) && !focused.closest("#composer")) {
    const twin = fresh.querySelector(`#${CSS.escape(focused.id)}`);
    if (twin) queueMicrotask(() => {
      twin.focus({ preventScroll: true });
      if (typeof focused.selectionStart === "number" && "setSelectionRange" in twin) {
        try { twin.setSelectionRange(focused.selectionStart, focused.selectionEnd); } catch { /* not a text field */ }
      }
    });
  }
}

export class ConversationPane {
  constructor(container, { onSnapshot, onPresence, presenceOf, me, onGuest = () => {} }) {
    this.onGuest = onGuest; // (conversationId, seq): follow a conversation read through a grant
    this.container = container;
    this.onSnapshot = onSnapshot; // a conversation snapshot from an API answer
    this.onPresence = onPresence; // (conversationId, state, mode)
    this.presenceOf = presenceOf; // conversationId → [{agent, state, mode}]
    this.me = me;
    this.composer = null;
    this.tickets = 0; // pane requests started
    this.shown = 0; // the ticket of the request on screen
    container.addEventListener("click", (event) => this.click(event));
    container.addEventListener("submit", (event) => this.submit(event));
    container.addEventListener("change", (event) => {
      if (event.target.dataset.input === "tell") this.fillHandoverNote(true);
      if (event.target.id === "handover-to") this.fillHandoverNote(false);
    });
    // A refresh that waited for an open dialog runs when it closes (close does not bubble).
    container.addEventListener("close", () => { if (this.stale) setTimeout(() => this.refresh(), 0); }, true);
    if (this.pane) this.attach();
  }

  get pane() { return this.container.querySelector("#pane"); }
  get id() { return this.pane ? Number(this.pane.dataset.id) : null; }
  get version() { return this.pane ? Number(this.pane.dataset.version) : null; }

  attach() {
    const pane = this.pane;
    this.repliedBy = new Set(); // colleagues who replied since this conversation was opened
    this.composer = new Composer(pane, {
      conversationId: this.id,
      onTyping: (mode) => { if (pane.dataset.guestSeq === undefined) this.onPresence(this.id, mode ? "typing" : "viewing", mode || undefined); },
      onSent: () => { this.repliedBy.clear(); this.refresh(); },
      collisions: () => this.collisions(),
      refresh: () => this.refresh(),
      version: () => this.version,
      me: this.me,
    });
    if (pane.dataset.guestSeq !== undefined) this.onGuest(this.id, Number(pane.dataset.guestSeq));
    else this.onPresence(this.id, "viewing"); // presence stays with the team
    this.renderPresence();
  }

  async open(id) {
    if (this.id === Number(id)) return;
    const ticket = ++this.tickets;
    let body;
    try {
      body = await fetchFragment(`/conversations/${Number(id)}/pane`);
    } catch {
      if (ticket < this.shown) return;
      this.shown = ticket;
      this.container.replaceChildren(Object.assign(document.createElement("p"), { className: "empty-state", textContent: t("loadFailed") }));
      return;
    }
    if (ticket < this.shown) return; // another conversation was opened meanwhile
    this.shown = ticket;
    const previous = this.id;
    if (previous) this.onPresence(previous, "left");
    this.container.replaceChildren(...body.childNodes);
    this.attach();
  }

  close() {
    if (this.id) this.onPresence(this.id, "left");
    this.composer = null;
  }

  // Re-render everything but the composer (what the agent is writing stays as it is).
  // Refreshes overlap (an action's own, the live layer's, the composer's), and their answers
  // may arrive in any order. Each request takes a ticket when it starts; an answer is shown
  // only if no later-started request has been shown already and its version is not older
  // than the one on screen. A request started after a change reads that change, so the last
  // one started always wins and a slow answer read before the change can never undo it.
  async refresh() {
    const id = this.id;
    if (!id) return;
    if (this.pane.querySelector("dialog[open]")) { this.stale = true; return; }
    const ticket = ++this.tickets;
    let body;
    try { body = await fetchFragment(`/conversations/${id}/pane`); } catch { return; }
    const fresh = body.querySelector("#pane");
    if (!fresh || this.id !== id) return;
    if (ticket < this.shown || Number(fresh.dataset.version) < this.version) return;
    const old = this.pane;
    if (old.querySelector("dialog[open]")) { this.stale = true; return; }
    this.shown = ticket;
    keepTyped(old, fresh);
    const scroller = this.container;
    const atBottom = scroller.scrollHeight - scroller.scrollTop - scroller.clientHeight < 40;
    for (const region of ["[data-region=head]", ".pane-body > .side"]) {
      old.querySelector(region)?.replaceWith(fresh.querySelector(region));
    }
    const column = old.querySelector(".thread-column");
    const freshColumn = fresh.querySelector(".thread-column");
    for (const node of [...column.children]) if (node.id !== "composer") node.remove();
    for (const node of [...freshColumn.children]) if (node.id !== "composer") column.insertBefore(node, column.querySelector("#composer"));
    Object.assign(old.dataset, fresh.dataset);
    this.stale = false;
    this.renderPresence();
    if (atBottom) scroller.scrollTop = scroller.scrollHeight;
  }

  collisions() {
    const warnings = [];
    const pane = this.pane;
    const assignee = Number(pane.dataset.assignee || 0);
    for (const p of this.presenceOf(this.id)) {
      if (p.state === "typing" && p.mode !== "note") warnings.push(t("collisionTyping", { name: p.agent.public_name }));
    }
    for (const name of this.repliedBy) warnings.push(t("collisionReplied", { name }));
    if (assignee && assignee !== this.me) warnings.push(t("collisionAssigned", { name: pane.dataset.assigneeName }));
    return warnings;
  }

  // A colleague's reply arrived while this conversation was open (docs/realtime.md, rule 2).
  colleagueReplied(name) {
    this.repliedBy?.add(name);
  }

  renderPresence() {
    const line = this.pane?.querySelector("#presence-line");
    if (!line) return;
    const parts = this.presenceOf(this.id).map((p) => {
      if (p.state === "typing") return t(p.mode === "note" ? "typingNote" : "typingReply", { name: p.agent.public_name });
      return t("viewing", { name: p.agent.public_name });
    });
    line.textContent = parts.join(" · ");
  }

  // A message's media moved on (message.media_changed: the fetch job stored the photo, or found
  // it gone). Only that item is replaced, with the server's own rendering of it (alt text
  // escaped, links checked): the rest of the thread, the composer and the scroll stay put.
  async mediaChanged(media) {
    const id = Number(media?.id);
    if (!id || !this.pane?.querySelector(`[data-media="${id}"]`)) return;
    let body;
    try { body = await fetchFragment(`/conversations/${this.id}/pane`); } catch { return; }
    const fresh = body.querySelector(`#pane [data-media="${id}"]`);
    const old = this.pane?.querySelector(`[data-media="${id}"]`);
    if (fresh && old) old.replaceWith(fresh);
  }

  // Returns whether the server took the action.
  async act(path, payload) {
    let done = true;
    try {
      const answer = await api(`conversations/${this.id}/${path}`, payload);
      const snapshot = answer?.conversation || answer;
      if (snapshot?.id) this.onSnapshot(snapshot);
    } catch (error) {
      done = false;
      this.composer?.message(error.code === "stale_version" ? t("stale") : t("error", { message: error.message }), true);
    }
    await this.refresh();
    return done;
  }

  click(event) {
    const button = event.target.closest("[data-action]");
    if (!button || !this.pane?.contains(button)) return;
    const action = button.dataset.action;
    const version = this.version;
    if (action === "claim") this.act("claim", { version });
    else if (action === "assign") {
      const value = this.pane.querySelector('[data-input="assignee"]').value;
      this.act("assign", { assignee_id: value ? Number(value) : null, version });
    } else if (action === "status") this.act("status", { status: button.dataset.status, version });
    else if (action === "snooze") {
      const seconds = Number(this.pane.querySelector("#snooze-for").value); // "" → 0: until the customer writes
      this.act("snooze", { until: seconds ? new Date(Date.now() + seconds * 1000).toISOString() : null, version });
    }
    else if (action === "untag") this.act("tags", { remove: [button.dataset.tag] });
    else if (action === "revoke-grant") this.revokeGrant(Number(button.dataset.agent), button);
    else if (action === "retry") this.retry(Number(button.dataset.message), button);
    else if (action === "revise") this.revise(button);
    else if (action === "moderate") this.moderate(Number(button.dataset.message), button.dataset.kind, button);
    else if (action === "open-handover") this.pane.querySelector("#handover-dialog").showModal();
    else if (action === "close-dialog") button.closest("dialog").close();
    else if (action === "send") this.composer?.send();
    else return;
    event.preventDefault();
  }

  async retry(messageId, button) {
    button.disabled = true;
    button.textContent = t("retrying");
    try {
      await api(`messages/${messageId}/retry`, {});
    } catch (error) {
      this.composer?.message(t("error", { message: error.message }), true);
    }
    await this.refresh();
  }

  // Withdraw a mentioned colleague's access (a manager, or who mentioned them).
  async revokeGrant(agentId, button) {
    button.disabled = true;
    try {
      await api(`conversations/${this.id}/grants/${agentId}`, undefined, { method: "DELETE" });
    } catch (error) {
      this.composer?.message(t("error", { message: error.message }), true);
    }
    await this.refresh();
  }

  // A reply sent back by an approver: its author changes it and it waits for approval again.
  async revise(button) {
    const entry = button.closest(".entry");
    const body = entry.querySelector("textarea").value;
    button.disabled = true;
    try {
      await api(`messages/${Number(button.dataset.message)}/revise`, {
        revision: Number(button.dataset.revision), body,
      });
    } catch (error) {
      this.composer?.message(error.message, true);
    }
    await this.refresh();
  }

  // Hide, unhide (undo) or delete a public comment; the worker applies it and a live event
  // refreshes the pane. Deleting cannot be undone, so it asks first.
  async moderate(messageId, kind, button) {
    if (kind === "delete" && !window.confirm(t("confirmDelete"))) return;
    button.disabled = true;
    try {
      await api(`messages/${messageId}/moderation`, { kind });
    } catch (error) {
      this.composer?.message(t("error", { message: error.message }), true);
    }
    await this.refresh();
  }

  fillHandoverNote(fromCheckbox) {
    const dialog = this.pane.querySelector("#handover-dialog");
    const note = dialog.querySelector("#handover-note");
    const tell = dialog.querySelector('[data-input="tell"]').checked;
    const name = dialog.querySelector("#handover-to").selectedOptions[0]?.dataset.name || "";
    if (tell && (fromCheckbox ? !note.value : note.dataset.filled === "1")) {
      note.value = customerText(this.pane, "handover", { name });
      note.dataset.filled = "1";
    }
  }

  async submit(event) {
    const form = event.target.closest("form[data-form]");
    if (!form) return;
    event.preventDefault();
    if (form.dataset.form === "tag") {
      const input = form.querySelector("input[name=tag]");
      const name = input.value;
      if (!name.trim()) return;
      input.value = ""; // the tag list shows it next; typing another may start at once
      if (!(await this.act("tags", { add: [name] }))) {
        const current = this.pane.querySelector("input[name=tag]");
        if (current && !current.value) current.value = name; // refused: let the agent fix it
      }
    } else if (form.dataset.form === "private-reply") {
      const text = form.querySelector("textarea[name=text]").value;
      form.querySelector("button[type=submit]").disabled = true;
      try {
        await api(`messages/${Number(form.dataset.message)}/private-reply`, { text });
      } catch (error) {
        this.composer?.message(t("error", { message: error.message }), true);
      }
      await this.refresh();
    } else if (form.dataset.form === "handover") {
      const tell = form.querySelector('[data-input="tell"]').checked;
      const payload = {
        assignee_id: Number(form.querySelector("#handover-to").value),
        note_to_customer: tell ? form.querySelector("#handover-note").value : "",
        version: this.version,
      };
      form.closest("dialog").close();
      await this.act("handover", payload);
    }
  }
}
