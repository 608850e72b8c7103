// Homework autosave: the answers go to the server a few seconds after the client stops
// typing, and whenever a field loses focus. Without this script, "Save draft" does the same.
(function () {
  "use strict";
  var form = document.getElementById("homework-form");
  var status = document.getElementById("autosave-status");
  if (!form || !status || !window.fetch || !window.FormData) return;
  var url = form.getAttribute("data-autosave");
  var timer = null;
  var dirty = false;
  var busy = false;

  function save() {
    timer = null;
    if (!dirty || busy) return;
    dirty = false;
    busy = true;
    status.textContent = "Saving…";
    fetch(url, {
      method: "POST",
      body: new FormData(form),
      headers: { "X-Autosave": "1" },
      credentials: "same-origin"
    }).then(function (response) {
      return response.json().then(function (data) {
        status.textContent = response.ok ? data.saved : (data.detail || "Not saved.");
      });
    }).catch(function () {
      dirty = true;
      status.textContent = "Not saved yet: no connection. Your answers are still here.";
    }).then(function () {
      busy = false;
      if (dirty && !timer) timer = setTimeout(save, 3000);
    });
  }

  function changed() {
    dirty = true;
    if (timer) clearTimeout(timer);
    timer = setTimeout(save, 3000);
  }

  form.addEventListener("input", changed);
  form.addEventListener("change", changed);
  form.addEventListener("focusout", function () {
    if (dirty) { if (timer) clearTimeout(timer); save(); }
  });
  // "Save draft" or "Hand it in" sends the answers itself: no autosave after that.
  form.addEventListener("submit", function () {
    if (timer) clearTimeout(timer);
    timer = null;
    dirty = false;
    busy = true;
  });
})();
