// Help now, offline. Keeps the last copy of /help/ (and the CSS it uses) for when the network
// is gone; the network always wins when it answers. Served from /help/sw.js, scope /help/.
const CACHE = "openiop-help-v1";
const PAGE = "/help/";

function keepPage(response) {
  if (response.ok && !response.redirected && response.type === "basic") {
    return caches.open(CACHE).then((cache) => cache.put(PAGE, response));
  }
  // Signed out (sent to the sign-in page): forget the copy instead of showing it to whoever
  // holds the phone next.
  if (response.type === "opaqueredirect" || response.redirected) return caches.delete(CACHE);
  return Promise.resolve();
}

self.addEventListener("install", (event) => {
  event.waitUntil(
    fetch(PAGE, { credentials: "same-origin", redirect: "manual" })
      .then(keepPage)
      .catch(() => undefined)
      .then(() => self.skipWaiting()),
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(self.clients.claim());
});

self.addEventListener("message", (event) => {
  if (event.data === "forget") event.waitUntil(caches.delete(CACHE));
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  const isPage = url.pathname === PAGE && url.search === "";
  const isAsset = url.pathname.startsWith("/static/");
  if (!isPage && !isAsset) return;
  const key = isPage ? PAGE : request;
  event.respondWith(
    fetch(request)
      .then((response) => {
        const copy = response.clone();
        if (isPage) event.waitUntil(keepPage(copy));
        else if (response.ok) event.waitUntil(caches.open(CACHE).then((c) => c.put(key, copy)));
        return response;
      })
      .catch(() =>
        caches
          .open(CACHE)
          .then((cache) => cache.match(key))
          .then((hit) => hit || Response.error()),
      ),
  );
});
