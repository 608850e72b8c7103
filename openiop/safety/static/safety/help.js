// Registers the Help now service worker so the page opens offline after one visit.
if ("serviceWorker" in navigator) {
  navigator.serviceWorker.register("/help/sw.js", { scope: "/help/" }).catch(() => undefined);
}
