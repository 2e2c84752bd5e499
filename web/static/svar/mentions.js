// Suggestions for @name in an internal note (issue #17): typed after "@", answered by
// /api/conversations/<id>/mentionable. Keyboard: ArrowDown/ArrowUp choose, Enter or Tab
// inserts "@username ", Escape closes. The textarea is an ARIA combobox over the listbox.
import { api } from "./api.js";
import { t } from "./i18n.js";

const TYPED = /(?:^|[^\w@.])@([\w.+-]*)$/;
const DELAY_MS = 120;

export class MentionPicker {
  constructor(textarea, list, { conversationId, active }) {
    this.area = textarea;
    this.list = list;
    this.id = conversationId;
    this.active = active;
    this.items = [];
    this.index = -1;
    this.timer = null;
    if (!textarea || !list) return;
    textarea.addEventListener("input", () => this.typed());
    textarea.addEventListener("keydown", (event) => this.key(event));
    // Late, so a click on an option lands first; not if the focus came back meanwhile
    // (Shift+Tab to the modes, an arrow, Tab back and "@" within that time).
    textarea.addEventListener("blur", () => setTimeout(() => {
      if (document.activeElement !== textarea) this.close();
    }, 150));
    list.addEventListener("mousedown", (event) => {
      const option = event.target.closest("[role=option]");
      if (!option) return;
      event.preventDefault();
      this.pick(Number(option.dataset.index));
    });
  }

  query() {
    const before = this.area.value.slice(0, this.area.selectionStart ?? this.area.value.length);
    const match = before.match(TYPED);
    return match ? match[1] : null;
  }

  typed() {
    clearTimeout(this.timer);
    const query = this.active() ? this.query() : null;
    if (query === null) { this.close(); return; }
    this.timer = setTimeout(() => this.fetch(query), DELAY_MS);
  }

  async fetch(query) {
    let items;
    try {
      items = await api(`conversations/${this.id}/mentionable?q=${encodeURIComponent(query)}`);
    } catch { this.close(); return; }
    if (this.query() !== query) return; // typed on meanwhile
    this.show(items);
  }

  show(items) {
    this.items = items;
    this.index = items.length ? 0 : -1;
    this.list.replaceChildren(...items.map((item, i) => {
      const li = document.createElement("li");
      li.id = `mention-${i}`;
      li.setAttribute("role", "option");
      li.dataset.index = String(i);
      li.dataset.username = item.username;
      const where = item.in_team ? "" : ` · ${item.teams.join(", ") || t("mentionOtherTeam")}`;
      li.textContent = `${item.public_name} (@${item.username})${where}`;
      return li;
    }));
    if (!items.length) {
      // A listbox holds only options (axe aria-required-children): one that cannot be chosen.
      const li = document.createElement("li");
      li.className = "muted";
      li.setAttribute("role", "option");
      li.setAttribute("aria-disabled", "true");
      li.textContent = t("mentionNobody");
      this.list.append(li);
    }
    this.list.hidden = false;
    this.area.setAttribute("aria-expanded", "true");
    this.highlight();
  }

  highlight() {
    this.list.querySelectorAll("[role=option]").forEach((li, i) => {
      li.setAttribute("aria-selected", String(i === this.index));
    });
    if (this.index >= 0) this.area.setAttribute("aria-activedescendant", `mention-${this.index}`);
    else this.area.removeAttribute("aria-activedescendant");
  }

  key(event) {
    if (this.list.hidden) return;
    if (event.key === "Escape") { event.preventDefault(); this.close(); return; }
    if (!this.items.length) return;
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      const step = event.key === "ArrowDown" ? 1 : -1;
      this.index = (this.index + step + this.items.length) % this.items.length;
      this.highlight();
    } else if ((event.key === "Enter" || event.key === "Tab") && !event.ctrlKey && !event.metaKey) {
      event.preventDefault();
      this.pick(this.index);
    }
  }

  pick(index) {
    const item = this.items[index];
    if (!item) return;
    const end = this.area.selectionStart ?? this.area.value.length;
    const start = end - (this.query() ?? "").length;
    this.area.setRangeText(`${item.username} `, start, end, "end");
    this.close();
    this.area.focus();
    this.area.dispatchEvent(new Event("input"));
  }

  close() {
    clearTimeout(this.timer);
    this.items = [];
    this.index = -1;
    if (!this.list) return;
    this.list.hidden = true;
    this.list.replaceChildren();
    this.area.setAttribute("aria-expanded", "false");
    this.area.removeAttribute("aria-activedescendant");
  }
}
