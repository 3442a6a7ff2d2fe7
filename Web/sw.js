// Keeps the app's shell for offline use: the shell is served from the cache while a fresh copy is fetched; the API
// always goes to the network.
const shell = "mayago-shell-v1";
const files = ["/", "/index.html", "/css/app.css", "/js/app.js", "/js/api.js", "/js/i18n.js", "/manifest.webmanifest", "/icons/icon.svg"];

self.addEventListener("install", (event) => event.waitUntil(caches.open(shell).then((cache) => cache.addAll(files))));
self.addEventListener("activate", (event) => event.waitUntil(
  caches.keys().then((names) => Promise.all(names.filter((name) => name !== shell).map((name) => caches.delete(name))))));
self.addEventListener("fetch", (event) => {
  const url = new URL(event.request.url);
  if (event.request.method !== "GET" || url.origin !== location.origin || url.pathname.startsWith("/api/")) return;
  const page = event.request.mode === "navigate" ? "/index.html" : event.request;
  event.respondWith(caches.open(shell).then(async (cache) => {
    const cached = await cache.match(page);
    const fresh = fetch(event.request).then((response) => {
      if (response.ok) cache.put(page, response.clone());
      return response;
    });
    return cached ?? fresh;
  }));
});
