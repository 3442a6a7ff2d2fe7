// The public API through the gateway, like any other client. The access token lives in memory only; the refresh
// token in Auth's HttpOnly `__Host-` cookie, where no script (this one included) can read it. The session is renewed
// a minute before the access token expires, and on load, so that a reload keeps it (only when a sign-in left the
// cookie, which a flag beside it says: the cookie itself is out of the script's reach).
let accessToken = null;
let currentUser = null;
let renewal = null;
const flag = "mayago.signedIn";
const listeners = new Set();

/// The signed-in user (`id`, `name`, `email`, `role`), or `null`.
export function user() {
  return currentUser;
}

export function signedIn() {
  return accessToken !== null;
}

/// Whether a session was left on this browser: offline, the app still shows what it kept of it.
export function hadSession() {
  return localStorage.getItem(flag) !== null;
}

export function onSessionChange(listener) {
  listeners.add(listener);
}

export function token() {
  return accessToken;
}

/// Calls the API; a problem answer becomes an error carrying its `status` and `problem` (RFC 9457).
export async function api(method, path, body, headers = {}) {
  const sent = { Accept: "application/json", ...headers };
  const isJSON = body !== undefined && !(body instanceof Blob);
  if (isJSON) sent["Content-Type"] = "application/json";
  if (accessToken) sent.Authorization = `Bearer ${accessToken}`;
  const response = await fetch(path, {
    method, headers: sent, body: body === undefined ? undefined : isJSON ? JSON.stringify(body) : body, credentials: "same-origin",
  });
  if (!response.ok) throw await failure(response);
  return response.status === 204 ? null : await response.json().catch(() => null);
}

/// A failed answer as an error carrying its `status` and `problem` (RFC 9457, when it is one).
async function failure(response) {
  const problem = await response.json().catch(() => null);
  return Object.assign(new Error(problem?.detail ?? response.statusText), { status: response.status, problem });
}

/// A file the API serves as a download (an attachment): its bytes and the name it was given.
export async function download(path) {
  const response = await fetch(path, { headers: accessToken ? { Authorization: `Bearer ${accessToken}` } : {}, credentials: "same-origin" });
  if (!response.ok) throw await failure(response);
  const name = /filename="([^"]*)"/.exec(response.headers.get("Content-Disposition") ?? "")?.[1];
  return { blob: await response.blob(), name };
}

/// A key for a POST that must happen once however often it is sent (bookings, payments).
export function idempotencyKey() {
  return crypto.randomUUID();
}

function begin(session) {
  accessToken = session.accessToken;
  currentUser = session.user;
  localStorage.setItem(flag, currentUser.id);
  clearTimeout(renewal);
  renewal = setTimeout(resume, Math.max(session.expiresIn - 60, 10) * 1000);
  for (const listener of listeners) listener(currentUser);
  return currentUser;
}

function end() {
  clearTimeout(renewal);
  accessToken = null;
  currentUser = null;
  localStorage.removeItem(flag);
  // What the service worker kept of this person's bookings goes with the session.
  caches.delete("mayago-data").catch(() => null);
  for (const listener of listeners) listener(null);
}

export async function signIn(email, password, totpCode) {
  const credentials = { email, password, refreshTokenCookie: true };
  if (totpCode) credentials.totpCode = totpCode;
  return begin(await api("POST", "/api/v1/auth/login", credentials));
}

/// Renews the session from the cookie; `null` when there is none. Offline, the session is kept for later.
export async function resume() {
  if (!hadSession()) return null;
  try {
    return begin(await api("POST", "/api/v1/auth/refresh"));
  } catch (failure) {
    if (failure.status === 401) end();
    return null;
  }
}

export async function signOut() {
  if (accessToken) await api("POST", "/api/v1/auth/logout").catch(() => null);
  end();
}
