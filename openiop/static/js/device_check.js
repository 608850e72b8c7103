// Onboarding device check: ask for the camera and microphone, show a preview, stop on request.
// Nothing is recorded or sent. Without this script (or without getUserMedia) the page still
// explains what will happen, and the client can finish the step.
(function () {
  "use strict";
  var box = document.getElementById("device-check");
  var fallback = document.getElementById("device-no-script");
  var button = document.getElementById("device-test");
  var preview = document.getElementById("device-preview");
  var result = document.getElementById("device-result");
  if (!box || !button || !preview || !result) return;
  box.hidden = false;
  if (fallback) fallback.hidden = true;
  var stream = null;

  function say(text) { result.textContent = text; }

  function stop() {
    if (stream) stream.getTracks().forEach(function (track) { track.stop(); });
    stream = null;
    preview.srcObject = null;
    preview.hidden = true;
    button.textContent = "Test my camera and microphone";
  }

  function explain(error) {
    var name = error && error.name;
    if (name === "NotAllowedError" || name === "SecurityError") {
      return "Your browser did not allow the camera and microphone. Open your browser's " +
        "site settings, allow both for this site, and try again.";
    }
    if (name === "NotFoundError" || name === "OverconstrainedError") {
      return "We couldn't find a camera or microphone on this device. You can still join " +
        "sessions by phone.";
    }
    if (name === "NotReadableError") {
      return "Another app is using your camera or microphone. Close it and try again.";
    }
    return "The test didn't work on this device. Your care team will help before your " +
      "first session.";
  }

  function started(media) {
    stream = media;
    var camera = media.getVideoTracks().length > 0;
    var microphone = media.getAudioTracks().length > 0;
    if (camera) {
      preview.srcObject = media;
      preview.hidden = false;
      var playing = preview.play();
      if (playing && playing.catch) playing.catch(function () {});
    }
    button.textContent = "Stop the test";
    if (camera && microphone) say("Your camera and microphone are working.");
    else if (microphone) say("Your microphone is working, but we found no camera. " +
      "You can join sessions with audio only.");
    else say("Your camera is working, but we found no microphone.");
  }

  button.addEventListener("click", function () {
    if (stream) { stop(); say("Test stopped."); return; }
    var devices = navigator.mediaDevices;
    if (!devices || typeof devices.getUserMedia !== "function") {
      say("This browser can't test your camera here. You can still finish; your care team " +
        "will help before your first session.");
      return;
    }
    say("Checking…");
    devices.getUserMedia({ video: true, audio: true }).then(started, function (error) {
      if (error && (error.name === "NotFoundError" || error.name === "OverconstrainedError")) {
        // No camera is not the end: many clients join by audio only.
        return devices.getUserMedia({ audio: true }).then(started, function (again) {
          say(explain(again));
        });
      }
      say(explain(error));
    });
  });
  window.addEventListener("pagehide", stop);
})();
