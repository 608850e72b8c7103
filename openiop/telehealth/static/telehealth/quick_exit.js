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
    try {
      if (window.openiopHangUp) { window.openiopHangUp(); }
      var body = new FormData();
      body.append("do", "leave");
      body.append("csrfmiddlewaretoken", csrf());
      if (navigator.sendBeacon) { navigator.sendBeacon(button.dataset.leave, body); }
    } catch (e) { /* leaving matters more than telling the server */ }
    try { history.replaceState(null, "", button.dataset.exit); } catch (e) { /* ignore */ }
    window.location.replace(button.dataset.exit);
  };
  document.addEventListener("click", function (event) {
    if (event.target.closest && event.target.closest(".quick-exit")) {
      event.preventDefault();
      window.openiopQuickExit();
    }
  });
})();
