// The console's service worker: keeps the page and its files so that the console opens without
// a connection (the records themselves live in IndexedDB). Network first, the cache when
// offline; only GETs of /site/ itself, never the API.
const CACHE = "vaxflow-site";
const PAGE = "/site/";

async function keepPage() {
  const cache = await caches.open(CACHE);
  const response = await fetch(PAGE, { cache: "no-cache" });
  if (!response.ok) return;
  const text = await response.clone().text();
  const assets = [...new Set([...text.matchAll(/\/site\/assets\/[^"'\s>]+/g)].map((m) => m[0]))];
  await cache.put(PAGE, response);
  await cache.addAll(assets);
  // Files of earlier builds go.
  for (const request of await cache.keys()) {
    const path = new URL(request.url).pathname;
    if (path.startsWith("/site/assets/") && !assets.includes(path)) await cache.delete(request);
  }
}

self.addEventListener("install", (event) => {
  event.waitUntil(keepPage().catch(() => {}));
  self.skipWaiting();
});

self.addEventListener("activate", (event) => event.waitUntil(self.clients.claim()));

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (request.method !== "GET" || url.origin !== self.location.origin) return;
  if (!url.pathname.startsWith(PAGE)) return;
  const key = request.mode === "navigate" || url.pathname === `${PAGE}index.html` ? PAGE : request;
  event.respondWith(
    (async () => {
      try {
        const response = await fetch(request);
        if (response.ok) {
          const cache = await caches.open(CACHE);
          await cache.put(key, response.clone());
        }
        return response;
      } catch (error) {
        const cached = await caches.match(key);
        if (cached) return cached;
        throw error;
      }
    })(),
  );
});
