// The approval queue, kept live: any approval change or new reply in the approver's teams
// reloads the queue from the server (escaped by Django's templates). What an approver is
// typing into a reply's form is kept across the reload.
import { fetchFragment } from "./api.js";
import { t } from "./i18n.js";
import { Live } from "./live.js";

const config = JSON.parse(document.getElementById("svar-live").textContent);
const queue = document.getElementById("approval-queue");
let timer = null;

function typed() {
  const kept = new Map();
  for (const field of queue.querySelectorAll("textarea, input[name=note]")) {
    kept.set(field.id, { value: field.value, revision: field.closest(".approval")?.dataset.revision });
  }
  return kept;
}

async function reload() {
  const kept = typed();
  const focused = document.activeElement?.id;
  const body = await fetchFragment("/approvals/queue");
  queue.replaceChildren(...body.childNodes);
  for (const [id, { value, revision }] of kept) {
    const field = document.getElementById(id);
    // A reply the author changed meanwhile shows the new text, not what was typed over the old.
    if (field && field.closest(".approval")?.dataset.revision === revision) field.value = value;
  }
  if (focused) document.getElementById(focused)?.focus();
}

function reloadSoon() {
  clearTimeout(timer);
  timer = setTimeout(() => reload().catch(() => {}), 100);
}

const live = new Live({
  lastSeq: config.last_seq,
  onEvent: (event) => {
    if (event.kind === "reply.approval_changed") reloadSoon();
  },
  onResync: () => reloadSoon(),
  onPresence: () => {},
  onState: (state) => {
    const el = document.getElementById("live-status");
    el.dataset.state = state;
    el.textContent = state === "live" ? t("online") : state === "offline" ? t("offline") : "";
  },
});
live.connect();
