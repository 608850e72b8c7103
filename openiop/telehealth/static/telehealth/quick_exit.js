// Quick exit: leave at once and land on a neutral page, with this page gone from history.
(function () {
  "use strict";
  function csrf() {
    var input = document.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }
  window.openiopQuickExit = function () {
    var button = document.querySelector(".quick-exit");
    if (!button) { return; }
    var gone = false;
    function go() {
      if (gone) { return; }
      gone = true;
      try { history.replaceState(null, "", button.dataset.exit); } catch (e) { /* ignore */ }
      window.location.replace(button.dataset.exit);
    }
    try {
      if (window.openiopHangUp) { window.openiopHangUp(); }
      document.body.hidden = true; // nothing left on screen while the server is told
      var body = new FormData();
      body.append("do", "leave");
      body.append("csrfmiddlewaretoken", csrf());
      // Tell the server first (at most 400 ms), then leave: one request at a time.
      fetch(button.dataset.leave, { method: "POST", body: body, credentials: "same-origin", keepalive: true })
        .then(go, go);
      setTimeout(go, 400);
    } catch (e) { go(); }
  };
  document.addEventListener("click", function (event) {
    if (event.target.closest && event.target.closest(".quick-exit")) {
      event.preventDefault();
      window.openiopQuickExit();
    }
  });
})();
