// Pre-join: camera/mic preview, round trip and throughput to our server, a recommendation.
(function () {
  "use strict";
  var form = document.getElementById("prejoin");
  if (!form) { return; }
  var statusEl = document.getElementById("check-status");
  var preview = document.getElementById("preview");
  var stream = null;

  function field(name) { return form.querySelector("[name=" + name + "]"); }
  function say(text) { statusEl.textContent = text; }

  function recommend(rtt, kbps, cameraOk) {
    if (cameraOk === false || kbps === null) { return "audio"; }
    if (kbps >= 1200 && rtt < 300) { return "video"; }
    if (kbps >= 300 && rtt < 800) { return "low"; }
    return "audio";
  }
  var labels = { video: "video", low: "low-bandwidth video", audio: "audio only" };

  function now() { return performance.now(); }
  function bust(url) { return url + "?t=" + Math.random().toString(36).slice(2); }

  async function roundTrip() {
    var times = [];
    for (var i = 0; i < 5; i++) {
      var t0 = now();
      await fetch(bust(form.dataset.ping), { cache: "no-store", credentials: "same-origin" });
      times.push(now() - t0);
    }
    times.shift(); // the first opens the connection
    times.sort(function (a, b) { return a - b; });
    return Math.round(times[Math.floor(times.length / 2)]);
  }

  async function throughput() {
    var t0 = now();
    var response = await fetch(bust(form.dataset.payload), { cache: "no-store", credentials: "same-origin" });
    var bytes = (await response.arrayBuffer()).byteLength;
    var ms = Math.max(now() - t0, 1);
    return Math.round((bytes * 8) / ms); // bits per millisecond = kbit/s
  }

  async function camera() {
    if (stream) { stream.getTracks().forEach(function (t) { t.stop(); }); stream = null; }
    if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) { return false; }
    try {
      stream = await navigator.mediaDevices.getUserMedia({ audio: true, video: { width: 320, height: 240 } });
      preview.srcObject = stream;
      return true;
    } catch (e) {
      try { // a microphone alone still lets you join by audio
        stream = await navigator.mediaDevices.getUserMedia({ audio: true });
        return false;
      } catch (e2) { return false; }
    }
  }

  async function check() {
    say("Checking your camera, microphone and connection…");
    var cameraOk = await camera();
    var rtt = null, kbps = null;
    try { rtt = await roundTrip(); kbps = await throughput(); } catch (e) { /* offline: audio */ }
    field("camera_ok").value = cameraOk ? "true" : "false";
    field("rtt_ms").value = rtt === null ? "" : String(rtt);
    field("throughput_kbps").value = kbps === null ? "" : String(kbps);
    var mode = recommend(rtt, kbps, cameraOk);
    var radio = form.querySelector("input[name=mode][value=" + mode + "]");
    if (radio) { radio.checked = true; }
    var parts = [];
    parts.push(cameraOk ? "Camera and microphone work." : "We couldn't use your camera (you can still join with audio, or by phone).");
    if (rtt !== null) { parts.push("Round trip " + rtt + " ms, speed about " + (kbps / 1000).toFixed(1) + " Mbit/s."); }
    else { parts.push("We couldn't measure your connection."); }
    parts.push("We recommend " + labels[mode] + ". You can change this below.");
    say(parts.join(" "));
  }

  document.getElementById("check-again").addEventListener("click", check);
  form.addEventListener("submit", function () {
    if (stream) { stream.getTracks().forEach(function (t) { t.stop(); }); }
  });
  var addressBox = document.getElementById("address-fields");
  function syncAddress() {
    var declined = form.querySelector("input[name=location_choice][value=decline]");
    if (addressBox && declined) { addressBox.hidden = declined.checked; }
  }
  form.addEventListener("change", syncAddress);
  syncAddress();
  var problems = document.getElementById("problems");
  if (problems) { problems.focus(); }
  check();
})();
