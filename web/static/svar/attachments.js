// Files attached to a reply (issue #13): picked, dropped on the composer or pasted into the
// text. Each is uploaded at once to /api/conversations/<id>/attachments, where the server judges
// its type by its bytes and checks the channel's limits (an error names the rule broken); the
// composer then lists it, with a button to remove it (DELETE: the file leaves the server too).
// The reply names the files by id. The agent's own files not sent yet are listed again when
// the conversation is opened (a reload loses none, and each can still be removed).
import { api } from "./api.js";
import { t } from "./i18n.js";

function csrfToken() {
  const match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
  return match ? decodeURIComponent(match[1]) : "";
}

function hasFiles(event) {
  return [...(event.dataTransfer?.types || [])].includes("Files");
}

function size(bytes) {
  if (bytes < 1024 * 1024) return `${Math.max(1, Math.round(bytes / 1024))} KB`;
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}

export class AttachmentTray {
  constructor(pane, { conversationId, message, active, me = null }) {
    this.pane = pane;
    this.id = conversationId;
    this.message = message; // (text, bad) => shown in the composer's status line
    this.active = active; // () => whether the composer writes a reply (notes carry no files)
    this.items = []; // the server's answers: {id, kind, filename, content_type, size}
    this.bind();
    if (me !== null && this.list) this.load(me);
  }

  async load(me) {
    let data;
    try { data = await api(`conversations/${this.id}/attachments`); } catch { return; }
    const known = new Set(this.ids);
    const mine = (data?.results || []).filter((item) => item.uploaded_by_id === me && !known.has(item.id));
    if (!mine.length) return;
    this.items.push(...mine);
    this.render();
  }

  get input() { return this.pane.querySelector("#attach-input"); }
  get list() { return this.pane.querySelector("#attachment-list"); }
  get ids() { return this.items.map((item) => item.id); }

  bind() {
    const composer = this.pane.querySelector("#composer");
    if (!this.input || !composer) return;
    this.input.addEventListener("change", () => {
      const files = [...this.input.files];
      this.input.value = "";
      this.add(files);
    });
    composer.addEventListener("dragover", (event) => {
      if (!hasFiles(event)) return;
      event.preventDefault();
      composer.classList.add("dropping");
    });
    composer.addEventListener("dragleave", () => composer.classList.remove("dropping"));
    composer.addEventListener("drop", (event) => {
      if (!hasFiles(event)) return;
      event.preventDefault();
      composer.classList.remove("dropping");
      this.add([...event.dataTransfer.files]);
    });
    this.pane.querySelector("#composer-body")?.addEventListener("paste", (event) => {
      const files = [...(event.clipboardData?.files || [])];
      if (!files.length) return;
      event.preventDefault();
      this.add(files);
    });
    this.list.addEventListener("click", (event) => {
      const button = event.target.closest("[data-remove]");
      if (button) this.remove(Number(button.dataset.remove));
    });
  }

  async add(files) {
    if (!this.active()) { this.message(t("attachNotes"), true); return; }
    for (const file of files) await this.upload(file);
  }

  async upload(file) {
    this.message(t("attachUploading", { name: file.name }));
    const form = new FormData();
    form.append("file", file, file.name);
    let response;
    let data = null;
    try {
      response = await fetch(`/api/conversations/${this.id}/attachments`, {
        method: "POST",
        credentials: "same-origin",
        headers: { "X-CSRFToken": csrfToken(), Accept: "application/json" },
        body: form,
      });
      data = await response.json();
    } catch (error) {
      data = data || { error: { message: error.message } };
    }
    if (!response?.ok) {
      const reason = data?.error?.message || response?.statusText || "";
      this.message(t("attachRefused", { name: file.name, reason }), true);
      return;
    }
    this.items.push(data);
    this.message("");
    this.render();
  }

  async remove(id) {
    const item = this.items.find((entry) => entry.id === id);
    if (!item) return;
    try {
      await api(`conversations/${this.id}/attachments/${id}`, undefined, { method: "DELETE" });
    } catch (error) {
      if (error.status !== 404) { // 404: already gone; anything else keeps it listed
        this.message(t("attachRemoveFailed", { name: item.filename, reason: error.message }), true);
        return;
      }
    }
    this.items = this.items.filter((entry) => entry.id !== id);
    this.render();
    this.message(t("attachRemoved", { name: item.filename }));
    this.input.focus();
  }

  clear() {
    this.items = [];
    this.render();
  }

  render() {
    this.list.replaceChildren(...this.items.map((item) => {
      const li = document.createElement("li");
      li.dataset.attachment = String(item.id);
      const name = Object.assign(document.createElement("span"), { textContent: item.filename });
      const info = Object.assign(document.createElement("span"), {
        className: "muted", textContent: `${t(`attachKind_${item.kind}`)} · ${size(item.size)}`,
      });
      const button = Object.assign(document.createElement("button"), {
        type: "button", textContent: "×", title: t("attachRemove", { name: item.filename }),
      });
      button.dataset.remove = String(item.id);
      button.setAttribute("aria-label", t("attachRemove", { name: item.filename }));
      li.append(name, info, button);
      return li;
    }));
  }
}
