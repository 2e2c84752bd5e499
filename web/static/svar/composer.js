// The composer: shows exactly what the customer will see (body + signature, from the server's
// one rendering function), counts it as the platform does, and guards what is sent.
import { api, ApiError } from "./api.js";
import { customerText, customerTexts, t } from "./i18n.js";
import { MentionPicker } from "./mentions.js";
import { AttachmentTray } from "./attachments.js";

const PREVIEW_DELAY_MS = 150;

export class Composer {
  constructor(pane, { conversationId, onTyping, onSent, collisions, refresh, version, me = null }) {
    this.pane = pane;
    this.id = conversationId;
    this.onTyping = onTyping;
    this.onSent = onSent;
    this.collisions = collisions; // () => [message, …] for the collision warning
    this.refresh = refresh;
    this.version = version; // () => the version the pane shows
    this.me = me; // the agent's id: their own unsent files are listed again
    this.preview = null; // {body, result}
    this.pending = null;
    this.controller = null;
    this.bind();
    this.requestPreview();
  }

  get el() { return this.pane.querySelector("#composer"); }
  get textarea() { return this.pane.querySelector("#composer-body"); }
  get mode() { return this.pane.querySelector('#composer input[name="mode"]:checked')?.value || "reply"; }

  bind() {
    const composer = this.el;
    if (!composer || composer.dataset.bound) return;
    composer.dataset.bound = "1";
    this.textarea.addEventListener("input", () => {
      this.message("");
      this.requestPreview();
      // docs/realtime.md: "typing" while the composer holds unsent text, else "viewing".
      this.onTyping(this.textarea.value.trim() ? this.mode : null);
    });
    this.textarea.addEventListener("keydown", (event) => {
      if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
        event.preventDefault();
        this.send();
      }
    });
    composer.addEventListener("change", (event) => {
      if (event.target.name === "mode") this.applyMode();
      if (event.target.dataset.input === "canned") this.insertCanned(event.target);
      if (event.target.dataset.input === "customer-language") this.switchCustomerLanguage();
    });
    // @name in a note: suggestions of colleagues of every team (issue #17).
    this.mentions = new MentionPicker(this.textarea, this.pane.querySelector("#mention-list"), {
      conversationId: this.id,
      active: () => this.mode === "note",
    });
    this.attachments = new AttachmentTray(this.pane, {
      conversationId: this.id,
      message: (text, bad) => this.message(text, bad),
      active: () => this.mode !== "note",
      me: this.me,
    });
    if (this.mode === "note") this.applyMode(); // a colleague pulled in by a mention: notes only
  }

  applyMode() {
    const note = this.mode === "note";
    this.el.classList.toggle("note-mode", note);
    const area = this.textarea;
    area.dataset.replyPlaceholder ??= area.placeholder;
    area.placeholder = note ? t("notePlaceholder") : area.dataset.replyPlaceholder;
    this.pane.querySelector("#send").textContent = note ? t("addNote") : t("send");
    if (area.value.trim()) this.onTyping(this.mode);
    if (!note) this.requestPreview();
    this.renderCounter();
  }

  // A text Svar proposed, still untouched, follows the customer's language the agent picks.
  switchCustomerLanguage() {
    const proposed = Object.values(customerTexts(this.pane));
    const fields = [this.textarea, ...this.pane.querySelectorAll(".private-reply-offer textarea")];
    for (const field of fields) {
      for (const kind of ["private_ask", "hidden_comment"]) {
        if (proposed.some((texts) => texts[kind] === field.value.trim())) {
          field.value = customerText(this.pane, kind);
        }
      }
    }
    this.fetchPreview();
  }

  insertCanned(select) {
    const option = select.selectedOptions[0];
    if (!option?.dataset.text) return;
    const area = this.textarea;
    const start = area.selectionStart ?? area.value.length;
    area.setRangeText(option.dataset.text, start, area.selectionEnd ?? start, "end");
    select.value = "";
    area.focus();
    this.requestPreview();
  }

  requestPreview() {
    clearTimeout(this.pending);
    this.pending = setTimeout(() => this.fetchPreview(), PREVIEW_DELAY_MS);
  }

  async fetchPreview() {
    clearTimeout(this.pending);
    if (this.mode === "note") return null; // notes are not previewed (and a guest may not)
    const body = this.textarea.value;
    if (this.preview?.body === body) return this.preview.result;
    this.controller?.abort();
    this.controller = new AbortController();
    try {
      const result = await api(`conversations/${this.id}/reply/preview`, { body }, { signal: this.controller.signal });
      this.preview = { body, result };
      if (this.textarea.value === body) this.render(result);
      return result;
    } catch (error) {
      if (error.name === "AbortError") return null;
      this.message(t("error", { message: error.message }), true);
      return null;
    }
  }

  render(result) {
    const box = this.pane.querySelector("#preview");
    const bodyEl = box.querySelector(".preview-body");
    bodyEl.replaceChildren();
    let at = 0;
    for (const finding of result.personal_data) {
      bodyEl.append(document.createTextNode(result.text.slice(at, finding.start)));
      const mark = document.createElement("mark");
      mark.textContent = result.text.slice(finding.start, finding.end);
      mark.title = t(`kind_${finding.kind}`);
      bodyEl.append(mark);
      at = finding.end;
    }
    bodyEl.append(document.createTextNode(result.body.slice(at)));
    box.querySelector(".preview-signature").textContent = result.signature;
    this.renderVerdict(result.guidelines);
    this.renderCounter();
  }

  // The verdict the reply service will give (the same function decides both): each rule hit
  // with what it matched, worded by the server in the agent's language.
  renderVerdict(verdict) {
    const list = this.pane.querySelector("#verdict");
    if (!list) return;
    const hits = verdict?.hits || [];
    list.replaceChildren(...hits.map((hit) => {
      const item = document.createElement("li");
      item.className = `hit hit-${hit.action}`;
      item.textContent = `${t(`action_${hit.action}`)}: ${hit.message}`;
      return item;
    }));
    list.dataset.action = verdict?.action || "none";
  }

  renderCounter() {
    const counter = this.pane.querySelector("#counter");
    const send = this.pane.querySelector("#send");
    const result = this.preview?.result;
    if (this.mode === "note" || !result) {
      counter.textContent = "";
      counter.classList.remove("over");
      send.disabled = false;
      return;
    }
    const over = result.length - result.limit;
    counter.textContent = t("counter", { length: result.length, limit: result.limit })
      + (over > 0 ? ` · ${t("overBy", { n: over })}` : "");
    counter.classList.toggle("over", over > 0);
    const action = result.guidelines?.action;
    // Send stays enabled with no text: files alone are a reply (signed by the server), and
    // neither text nor files gets its reason said on Send rather than a silent grey button.
    send.disabled = over > 0; // a blocked reply still opens the guard, or says why below
    send.textContent = action === "approval" ? t("sendForApproval") : t("send");
  }

  // The reply this composer queued has left (or failed): the status says so, as the thread does.
  delivered(message) {
    const el = this.pane.querySelector("#composer-msg");
    if (!el || el.textContent !== t("sent")) return;
    if (message.delivery_state === "sent") this.message(t("delivered"));
    else if (message.delivery_state === "failed") this.message(t("deliveryFailed"), true);
  }

  message(text, bad = false) {
    const el = this.pane.querySelector("#composer-msg");
    if (!el) return;
    el.textContent = text;
    el.classList.toggle("bad", bad);
  }

  async send() {
    if (this.sending) return;
    this.sending = true;
    try {
      if (this.mode === "note") await this.sendNote();
      else await this.sendReply();
    } finally {
      this.sending = false;
    }
  }

  async sendNote() {
    const body = this.textarea.value;
    if (!body.trim()) { this.message(t("empty"), true); return; }
    try {
      await api(`conversations/${this.id}/notes`, { body });
    } catch (error) {
      this.message(t("error", { message: error.message }), true);
      return;
    }
    this.cleared(t("noteSaved"));
  }

  async sendReply() {
    const result = await this.fetchPreview();
    if (!result) return;
    const files = this.attachments?.ids.length || 0;
    if (result.length === 0 && !files) { this.message(t("empty"), true); return; }
    if (result.length > 0 && !result.fits) {
      this.message(t("tooLong", { length: result.length, limit: result.limit }), true);
      return;
    }
    const warnings = this.collisions();
    if (warnings.length && !(await this.confirmCollision(warnings))) return;
    // Public: a national id never goes out. E-mail (private, but kept and forwarded): the
    // agent looks again and may send; the server's verdict only warns there.
    const mail = this.pane.querySelector("#guard-dialog")?.dataset.mail === "true";
    if ((result.public || mail) && result.personal_data.length) {
      const choice = await this.guard(result);
      if (choice === "private") {
        this.textarea.value = customerText(this.pane, "private_ask");
        this.textarea.focus();
        await this.fetchPreview();
        return;
      }
      if (choice !== "send") {
        const first = result.personal_data[0];
        this.textarea.focus();
        this.textarea.setSelectionRange(first.start, first.end);
        return;
      }
    }
    if (result.guidelines?.action === "block") {
      // The service would refuse it: say which rules and what they matched, post nothing.
      const blocking = result.guidelines.hits.filter((hit) => hit.action === "block");
      this.message(blocking.map((hit) => hit.message).join(" "), true);
      return;
    }
    await this.post(this.preview.body, true);
  }

  // The server checks the version (409 stale_version when the conversation changed since the
  // agent looked): show what changed, then let the agent send anyway on the new version.
  async post(body, mayConfirm) {
    this.message(t("sending"));
    try {
      const files = this.attachments?.ids || [];
      const request = { body, version: this.version(), ...(files.length ? { attachment_ids: files } : {}) };
      const answer = await api(`conversations/${this.id}/reply`, request);
      this.attachments?.clear();
      if (answer?.message?.delivery_state === "approval") {
        this.cleared(t("awaitingApproval"));
        return;
      }
    } catch (error) {
      if (error instanceof ApiError && error.code === "stale_version") {
        await this.refresh();
        this.message(t("stale"), true);
        if (mayConfirm && (await this.confirmCollision([t("stale"), ...this.collisions()]))) {
          await this.post(body, false);
        }
        return;
      }
      if (error instanceof ApiError && error.code === "guideline_blocked") {
        this.message(error.message, true);
        return;
      }
      if (error instanceof ApiError && error.code === "reply_too_long") {
        this.message(t("tooLong", error.details), true);
        return;
      }
      this.message(t("error", { message: error.message }), true);
      return;
    }
    this.cleared(t("sent"));
  }

  cleared(text) {
    this.textarea.value = "";
    this.preview = null;
    this.requestPreview();
    this.onTyping(null);
    this.message(text);
    this.onSent();
  }

  dialogChoice(dialog, attribute) {
    return new Promise((resolve) => {
      const onClick = (event) => {
        const button = event.target.closest(`[${attribute}]`);
        if (!button) return;
        dialog.removeEventListener("click", onClick);
        dialog.close(button.getAttribute(attribute));
      };
      dialog.addEventListener("click", onClick);
      dialog.addEventListener("close", () => {
        dialog.removeEventListener("click", onClick);
        resolve(dialog.returnValue || "cancel");
      }, { once: true });
      dialog.returnValue = "";
      dialog.showModal();
    });
  }

  async confirmCollision(warnings) {
    const dialog = this.pane.querySelector("#collision-dialog");
    const text = dialog.querySelector("#collision-text");
    text.replaceChildren(...warnings.map((w) => Object.assign(document.createElement("span"), { textContent: `${w} ` })));
    return (await this.dialogChoice(dialog, "data-collision")) === "send";
  }

  async guard(result) {
    const dialog = this.pane.querySelector("#guard-dialog");
    const kinds = [...new Set(result.personal_data.map((f) => t(`kind_${f.kind}`)))];
    const mail = dialog.dataset.mail === "true";
    dialog.querySelector("#guard-found").textContent = t(mail ? "guardFoundMail" : "guardFound", { what: kinds.join(", ") });
    // National ids never go out in public; an e-mail or phone number may (e.g. our own).
    dialog.querySelector("#guard-send").hidden = !mail && result.personal_data.some((f) => f.national_id);
    return this.dialogChoice(dialog, "data-guard");
  }
}
