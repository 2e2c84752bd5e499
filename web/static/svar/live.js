// The live inbox over /ws/inbox (protocol: web/ws/protocol.py, docs/realtime.md).
// Says hello with the last seq per team the page has applied, so nothing committed between
// rendering and connecting is lost; drops events it has seen; pings to detect a dead socket;
// reconnects with back-off and resumes from where it was.

export class Live {
  constructor({ lastSeq = {}, onEvent, onResync, onPresence, onState, notificationsSeq = null, onNotifications = () => {}, onNotificationsResync = () => {}, onGuest = () => {} }) {
    // Conversations read through a mention's grant: conversation id → last team seq applied.
    this.guest = {};
    this.onGuest = onGuest; // (kind: "events" | "resync" | "ended", conversationId, events)
    // The agent's own notifications: a stream of one, with the same replay (docs/realtime.md).
    this.notificationsSeq = notificationsSeq;
    this.onNotifications = onNotifications;
    this.onNotificationsResync = onNotificationsResync;
    this.lastSeq = Object.fromEntries(Object.entries(lastSeq).map(([k, v]) => [String(k), v]));
    this.onEvent = onEvent;
    this.onResync = onResync;
    this.onPresence = onPresence;
    this.onState = onState || (() => {});
    this.presence = new Map(); // conversation id → {state, mode}: repeated before it expires
    this.attempt = 0;
    this.heartbeat = { interval: 25, timeout: 10 };
    this.presenceTtl = 15;
    this.timers = [];
  }

  connect() {
    const scheme = location.protocol === "https:" ? "wss" : "ws";
    const ws = new WebSocket(`${scheme}://${location.host}/ws/inbox`);
    this.ws = ws;
    this.onState("connecting");
    ws.addEventListener("open", () => {
      const hello = { type: "hello", last_seq: this.lastSeq };
      if (this.notificationsSeq !== null) hello.notifications_seq = this.notificationsSeq;
      if (Object.keys(this.guest).length) hello.guest = { ...this.guest };
      ws.send(JSON.stringify(hello));
    });
    ws.addEventListener("message", (message) => this.receive(JSON.parse(message.data)));
    ws.addEventListener("close", () => this.closed(ws));
  }

  receive(frame) {
    switch (frame.type) {
      case "welcome":
        this.heartbeat = frame.heartbeat || this.heartbeat;
        this.presenceTtl = frame.presence_ttl || this.presenceTtl;
        break;
      case "caught_up":
        Object.assign(this.lastSeq, frame.last_seq);
        this.notificationsSeq = frame.notifications_seq ?? this.notificationsSeq;
        Object.assign(this.guest, frame.guest || {});
        this.attempt = 0;
        this.startTimers();
        this.onState("live");
        for (const [id, p] of this.presence) this.sendPresence(id, p.state, p.mode);
        break;
      case "events":
        for (const event of frame.events) {
          const team = String(event.team_id);
          if (event.seq <= (this.lastSeq[team] ?? -1)) continue; // seen already
          this.lastSeq[team] = event.seq;
          this.onEvent(event);
        }
        break;
      case "notifications": {
        const fresh = frame.notifications.filter((n) => n.seq > (this.notificationsSeq ?? 0));
        if (fresh.length) this.notificationsSeq = fresh[fresh.length - 1].seq;
        if (fresh.length) this.onNotifications(fresh);
        break;
      }
      case "notifications_resync":
        this.notificationsSeq = frame.head_seq;
        this.onNotificationsResync();
        break;
      case "guest_events": {
        const id = String(frame.conversation_id);
        if (!(id in this.guest)) break; // no longer followed
        const fresh = frame.events.filter((e) => e.seq > this.guest[id]);
        if (!fresh.length) break;
        this.guest[id] = fresh[fresh.length - 1].seq;
        this.onGuest("events", frame.conversation_id, fresh);
        break;
      }
      case "following":
        if (String(frame.conversation_id) in this.guest && frame.last_seq !== null) this.guest[String(frame.conversation_id)] = frame.last_seq;
        break;
      case "guest_resync":
        this.guest[String(frame.conversation_id)] = frame.head_seq;
        this.onGuest("resync", frame.conversation_id, []);
        break;
      case "guest_ended":
        delete this.guest[String(frame.conversation_id)];
        this.onGuest("ended", frame.conversation_id, []);
        break;
      case "resync":
        this.lastSeq[String(frame.team_id)] = frame.head_seq;
        this.onResync(frame.team_id);
        break;
      case "presence":
        this.onPresence(frame);
        break;
      case "pong":
        clearTimeout(this.pongTimer);
        break;
      case "error":
        console.warn("live inbox:", frame.code, frame.message);
        break;
      default:
        break;
    }
  }

  startTimers() {
    this.stopTimers();
    this.timers.push(setInterval(() => {
      if (this.ws?.readyState !== WebSocket.OPEN) return;
      this.ws.send(JSON.stringify({ type: "ping", id: Date.now() }));
      clearTimeout(this.pongTimer);
      this.pongTimer = setTimeout(() => this.ws?.close(), this.heartbeat.timeout * 1000);
    }, this.heartbeat.interval * 1000));
    this.timers.push(setInterval(() => {
      for (const [id, p] of this.presence) this.sendPresence(id, p.state, p.mode);
    }, (this.presenceTtl * 1000) / 3));
  }

  stopTimers() {
    this.timers.forEach(clearInterval);
    this.timers = [];
    clearTimeout(this.pongTimer);
  }

  closed(ws) {
    if (ws !== this.ws) return;
    this.stopTimers();
    this.onState("offline");
    const delay = Math.min(15000, 500 * 2 ** this.attempt) * (0.5 + Math.random() / 2);
    this.attempt += 1;
    setTimeout(() => this.connect(), delay);
  }

  // Follow a conversation read through a grant, from the team seq its page was rendered at.
  follow(conversationId, seq) {
    const id = String(conversationId);
    if (id in this.guest) return;
    this.guest[id] = seq;
    if (this.ws?.readyState === WebSocket.OPEN) {
      this.ws.send(JSON.stringify({ type: "follow", conversation_id: Number(id), last_seq: seq }));
    } // otherwise the next hello carries it
  }

  // state: "viewing" | "typing" | "left"; mode: "reply" | "note" while typing.
  setPresence(conversationId, state, mode = undefined) {
    const current = this.presence.get(conversationId);
    if (state === "left") this.presence.delete(conversationId);
    else this.presence.set(conversationId, { state, mode });
    if (current && current.state === state && current.mode === mode) return;
    this.sendPresence(conversationId, state, mode);
  }

  sendPresence(conversationId, state, mode) {
    if (this.ws?.readyState !== WebSocket.OPEN) return;
    const frame = { type: "presence", conversation_id: conversationId, state };
    if (state === "typing") frame.mode = mode || "reply";
    this.ws.send(JSON.stringify(frame));
  }
}
