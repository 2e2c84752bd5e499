// The page's translated strings (rendered by the server into #svar-strings).

const strings = JSON.parse(document.getElementById("svar-strings")?.textContent || "{}");

export function t(key, params = {}) {
  const text = strings[key] ?? key;
  return text.replace(/%\((\w+)\)s/g, (_, name) => String(params[name] ?? ""));
}

export function waited(since, now = Date.now()) {
  if (!since) return "";
  return duration(now - new Date(since).getTime());
}

// A compact span of time ("12 min", "3 h", "2 d"), as the server's templates write it.
export function duration(ms) {
  const minutes = Math.floor(ms / 60000);
  if (minutes < 1) return t("justNow");
  if (minutes < 60) return t("minutes", { n: minutes });
  if (minutes < 48 * 60) return t("hours", { n: Math.floor(minutes / 60) });
  return t("days", { n: Math.floor(minutes / 1440) });
}

// What Svar writes to the customer ("handover", "private_ask", "hidden_comment"), in the
// language chosen in the composer: the customer's, proposed by the server.
export function customerTexts(root) {
  return JSON.parse(root.querySelector("#customer-texts")?.textContent || "{}");
}

export function customerText(root, kind, params = {}) {
  const language = root.querySelector("#customer-language")?.value;
  const text = customerTexts(root)[language]?.[kind] ?? "";
  return text.replace(/%\((\w+)\)s/g, (_, name) => String(params[name] ?? ""));
}
