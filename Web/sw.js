// Keeps the app's shell and the signed-in traveler's bookings for offline use: both come from the network while
// there is one, else from the last copy. Everything else of the API always goes to the network. Signing out deletes
// the bookings' copy.
const shell = "mayago-shell-v2";
const data = "mayago-data";
const files = [
  "/", "/index.html", "/css/app.css", "/manifest.webmanifest", "/icons/icon.svg",
  "/js/app.js", "/js/api.js", "/js/dom.js", "/js/i18n.js", "/js/navigation.js", "/js/socket.js",
  "/js/pages/account.js", "/js/pages/admin.js", "/js/pages/bookings.js", "/js/pages/experience.js", "/js/pages/explore.js",
  "/js/pages/inbox.js", "/js/pages/messages.js", "/js/pages/photos.js", "/js/pages/provider.js",
];

self.addEventListener("install", (event) => event.waitUntil(caches.open(shell).then((cache) => cache.addAll(files)).then(() => self.skipWaiting())));
self.addEventListener("activate", (event) => event.waitUntil(
  caches.keys().then((names) => Promise.all(names.filter((name) => name !== shell && name !== data).map((name) => caches.delete(name))))
    .then(() => self.clients.claim())));

/// The traveler's bookings and the experiences they are of: what the bookings page reads.
function kept(url) {
  return /^\/api\/v1\/bookings(\/[0-9a-f-]{36})?$/i.test(url.pathname) || /^\/api\/v1\/experiences\/[0-9a-f-]{36}$/i.test(url.pathname);
}

self.addEventListener("fetch", (event) => {
  const url = new URL(event.request.url);
  if (event.request.method !== "GET" || url.origin !== location.origin) return;
  if (url.pathname.startsWith("/api/")) {
    if (!kept(url)) return;
    event.respondWith(fetch(event.request).then(async (response) => {
      if (response.ok) await (await caches.open(data)).put(event.request, response.clone());
      return response;
    }).catch(async (failure) => (await caches.match(event.request, { cacheName: data, ignoreVary: true })) ?? Promise.reject(failure)));
    return;
  }
  // The shell too comes from the network first (revalidated by its ETag), so that a new version shows at once.
  const page = event.request.mode === "navigate" ? "/index.html" : event.request;
  event.respondWith(fetch(event.request).then(async (response) => {
    if (response.ok) await (await caches.open(shell)).put(page, response.clone());
    return response;
  }).catch(async (failure) => (await caches.match(page, { cacheName: shell })) ?? Promise.reject(failure)));
});
