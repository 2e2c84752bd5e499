// The notification centre (issue #17): the agent's own notifications, newest first, in
// keyset pages from /api/notifications, kept live by the WebSocket's notification stream
// (live.js), and a desktop notification (the Notification API) while the tab is hidden.
import { api } from "./api.js";
import { t } from "./i18n.js";

export class NotificationCentre {
  constructor(root) {
    this.root = root;
    if (!root) return;
    this.list = root.querySelector("#notification-list");
    this.badge = root.querySelector("#notification-unread");
    this.more = root.querySelector('[data-action="notifications-more"]');
    this.desktop = root.querySelector('[data-action="notifications-desktop"]');
    this.unread = Number(root.dataset.unread || 0);
    this.nextBefore = null;
    root.addEventListener("click", (event) => this.click(event));
    if (this.desktop && (!("Notification" in window) || Notification.permission !== "default")) {
      this.desktop.hidden = true;
    }
    this.reload();
  }

  async reload() {
    if (!this.root) return;
    const page = await api("notifications");
    this.list.replaceChildren(...page.results.map((n) => this.item(n)));
    this.setUnread(page.unread);
    this.setNext(page.next_before);
  }

  async older() {
    if (this.nextBefore === null) return;
    const page = await api(`notifications?before=${this.nextBefore}`);
    this.list.append(...page.results.map((n) => this.item(n)));
    this.setNext(page.next_before);
  }

  receive(items) {
    if (!this.root) return;
    for (const n of items) {
      if (this.list.querySelector(`[data-seq="${n.seq}"]`)) continue;
      this.list.prepend(this.item(n));
      if (!n.read) this.setUnread(this.unread + 1);
      this.desktopNotify(n);
    }
    document.getElementById("announcer").textContent = this.text(items[items.length - 1]);
  }

  text(n) {
    return t(`notif_${n.kind}`, { name: n.actor?.public_name || "" });
  }

  item(n) {
    const li = document.createElement("li");
    li.dataset.seq = String(n.seq);
    li.className = n.read ? "read" : "unread";
    const link = document.createElement("a");
    link.textContent = this.text(n);
    // Bold alone does not tell a screen reader which are new (WCAG 1.3.1).
    if (!n.read) link.append(this.unreadLabel());
    if (n.conversation_id) {
      link.href = `/conversations/${Number(n.conversation_id)}/`;
      link.dataset.open = String(n.conversation_id);
    }
    const time = document.createElement("time");
    time.dateTime = n.created_at;
    time.textContent = new Date(n.created_at).toLocaleString();
    li.append(link, " ", time);
    return li;
  }

  unreadLabel() {
    const label = document.createElement("span");
    label.className = "visually-hidden unread-label";
    label.textContent = ` (${t("notifUnread")})`;
    return label;
  }

  markRead(item) {
    item.classList.replace("unread", "read");
    item.querySelector(".unread-label")?.remove();
  }

  async click(event) {
    const item = event.target.closest("li[data-seq]");
    if (item && item.classList.contains("unread")) {
      this.markRead(item);
      this.setUnread(this.unread - 1);
      api("notifications/read", { seqs: [Number(item.dataset.seq)] }).catch(() => {});
    }
    const action = event.target.closest("[data-action]")?.dataset.action;
    if (action === "notifications-more") this.older();
    if (action === "notifications-read-all") {
      await api("notifications/read", {});
      this.list.querySelectorAll("li.unread").forEach((li) => this.markRead(li));
      this.setUnread(0);
    }
    if (action === "notifications-desktop") {
      await Notification.requestPermission();
      this.desktop.hidden = Notification.permission !== "default";
    }
  }

  setUnread(count) {
    this.unread = Math.max(0, count);
    this.badge.textContent = String(this.unread);
    this.badge.hidden = this.unread === 0;
  }

  setNext(before) {
    this.nextBefore = before;
    this.more.hidden = before === null;
  }

  desktopNotify(n) {
    if (!document.hidden || !("Notification" in window) || Notification.permission !== "granted") return;
    const desktop = new Notification(t("notificationsTitle"), { body: this.text(n), tag: `svar-${n.seq}` });
    desktop.onclick = () => {
      window.focus();
      if (n.conversation_id) location.assign(`/conversations/${Number(n.conversation_id)}/`);
    };
  }
}
