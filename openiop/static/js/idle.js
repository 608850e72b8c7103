// After the server's idle limit passes with no page load, reload: the server has ended the
// session by then, so the page with client details gives way to the sign-in page.
(function () {
  "use strict";
  var seconds = parseInt(document.body.getAttribute("data-idle-seconds"), 10);
  if (!seconds) { return; }
  window.setTimeout(function () { window.location.reload(); }, (seconds + 5) * 1000);
})();
