// JSON calls to Svar's REST API with the session cookie and the CSRF token.

export class ApiError extends Error {
  constructor(status, code, message, details) {
    super(message);
    this.status = status;
    this.code = code;
    this.details = details || {};
  }
}

function csrfToken() {
  const match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
  return match ? decodeURIComponent(match[1]) : "";
}

export async function api(path, body = undefined, { method = body === undefined ? "GET" : "POST", signal } = {}) {
  const response = await fetch(`/api/${path}`, {
    method,
    signal,
    credentials: "same-origin",
    headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken(), Accept: "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  let data = null;
  try { data = await response.json(); } catch { /* an empty or non-JSON body */ }
  if (!response.ok) {
    const error = (data && data.error) || {};
    throw new ApiError(response.status, error.code || "error", error.message || response.statusText, error.details);
  }
  return data;
}

// Server-rendered HTML (escaped by Django's templates) parsed into nodes; scripts never run.
export async function fetchFragment(url, { signal } = {}) {
  const response = await fetch(url, { credentials: "same-origin", signal, headers: { Accept: "text/html" } });
  if (!response.ok) throw new ApiError(response.status, "http", response.statusText);
  const doc = new DOMParser().parseFromString(await response.text(), "text/html");
  return doc.body;
}
