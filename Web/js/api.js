// The public API through the gateway, like any other client. The access token lives in memory only; the refresh
// token in Auth's HttpOnly `__Host-` cookie, where no script (this one included) can read it. The session is renewed
// a minute before the access token expires, and on load, so that a reload keeps it (only when a sign-in left the
// cookie, which a flag beside it says: the cookie itself is out of the script's reach).
let accessToken = null;
let renewal = null;

export function signedIn() {
  return accessToken !== null;
}

export async function api(method, path, body) {
  const headers = { Accept: "application/json" };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  if (accessToken) headers.Authorization = `Bearer ${accessToken}`;
  const response = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), credentials: "same-origin" });
  const data = response.status === 204 ? null : await response.json().catch(() => null);
  if (!response.ok) throw Object.assign(new Error(data?.detail ?? response.statusText), { status: response.status, problem: data });
  return data;
}

const flag = "mayago.signedIn";

function begin(session) {
  accessToken = session.accessToken;
  localStorage.setItem(flag, "1");
  clearTimeout(renewal);
  renewal = setTimeout(resume, Math.max(session.expiresIn - 60, 10) * 1000);
  return session.user;
}

export async function signIn(email, password, totpCode) {
  const credentials = { email, password, refreshTokenCookie: true };
  if (totpCode) credentials.totpCode = totpCode;
  return begin(await api("POST", "/api/v1/auth/login", credentials));
}

/// Renews the session from the cookie; `null` when there is none.
export async function resume() {
  if (!localStorage.getItem(flag)) return null;
  try {
    return begin(await api("POST", "/api/v1/auth/refresh"));
  } catch {
    accessToken = null;
    localStorage.removeItem(flag);
    return null;
  }
}

export async function signOut() {
  clearTimeout(renewal);
  if (accessToken) await api("POST", "/api/v1/auth/logout").catch(() => null);
  accessToken = null;
  localStorage.removeItem(flag);
}
