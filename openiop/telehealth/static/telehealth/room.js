// The waiting room and the video room (janus.js 1.x, videoroom plugin, multistream).
// Flow: poll our server until admitted → ticket → redeem (PIN) → Janus: join as publisher,
// publish camera/mic per the chosen mode, one subscriber handle per remote feed.
(function () {
  "use strict";
  var cfg = JSON.parse(document.getElementById("room-config").textContent);
  var csrf = document.querySelector("#csrf-form input[name=csrfmiddlewaretoken]").value;
  var el = function (id) { return document.getElementById(id); };
  var st = {
    phase: "waiting", // waiting → connecting → room → ended
    janus: null, pub: null, screen: null, screenStream: null, info: null,
    feeds: {}, local: null, conn: "ok", stopping: false, retry: null,
    muted: false, cameraOff: cfg.mode === "audio", audioOnly: cfg.mode === "audio",
    low: cfg.mode === "low", hand: false, chatAfter: 0, peopleKey: "", initDone: false
  };
  // Subscriber peer connections by feed id, for tests and diagnostics (getStats).
  window.openiopPeers = {};
  window.openiopInbound = async function (kind) {
    var total = 0;
    for (var id in window.openiopPeers) {
      var pc = window.openiopPeers[id];
      if (!pc) { continue; }
      var stats = await pc.getStats();
      stats.forEach(function (r) {
        if (r.type === "inbound-rtp" && (!kind || r.kind === kind)) { total += r.bytesReceived || 0; }
      });
    }
    return total;
  };

  function say(text) { el("room-status").textContent = text; }
  function show(id, on) { var n = el(id); if (n) { n.hidden = !on; } }

  async function post(url, data) {
    var body = new URLSearchParams(data || {});
    try {
      var r = await fetch(url, {
        method: "POST", body: body, credentials: "same-origin",
        headers: { "X-CSRFToken": csrf, "Accept": "application/json" }
      });
      var json = {};
      try { json = await r.json(); } catch (e) { /* empty */ }
      return { status: r.status, body: json };
    } catch (e) {
      return { status: 0, body: { detail: "We can't reach OpenIOP. Check your connection." } };
    }
  }
  function act(data) { return post(cfg.action, data); }

  // --- polling: state, heartbeat, chat, the staff's people list -----------------------------
  async function poll() {
    if (st.phase === "ended") { return; }
    try {
      var r = await fetch(cfg.state + "?after=" + st.chatAfter + "&conn=" + st.conn,
        { credentials: "same-origin", headers: { "Accept": "application/json" } });
      if (r.ok) { handle(await r.json()); }
      else if (r.status === 404 || r.redirected) { end("You are no longer in this session."); }
    } catch (e) { /* offline for a moment: the next poll tries again */ }
    if (st.phase !== "ended") { setTimeout(poll, 3000); }
  }

  // Janus says "kicked" both when staff removed the person and when their access ended (a
  // family member whose consent was just revoked): the server knows which.
  async function whyKicked() {
    try {
      var r = await fetch(cfg.state, { credentials: "same-origin", headers: { "Accept": "application/json" } });
      if (r.status === 404 || r.redirected) { el("left-detail").textContent = "You are no longer in this session."; }
    } catch (e) { /* keep the first message */ }
  }

  function handle(s) {
    if (s.state === "removed") { end("Staff removed you from this session."); return; }
    if (s.state === "left") { end("You left the session."); return; }
    if (!s.open && st.phase !== "waiting") { end("The session has ended."); return; }
    if (s.state === "waiting") {
      show("waiting", true);
      say(s.locked ? "The room is locked for now. Please keep waiting." : "Waiting for staff to let you in…");
    }
    if (s.state === "admitted" && st.phase === "waiting") { start(); }
    if (s.mute && !st.muted) { setMuted(true); say("Staff muted your microphone. Press Mute again to speak."); }
    (s.chat || []).forEach(addChat);
    if (cfg.staff) {
      var lock = el("btn-lock");
      lock.setAttribute("aria-pressed", s.locked ? "true" : "false");
      lock.textContent = s.locked ? "Unlock room" : "Lock room";
      renderPeople(s.people || []);
    }
  }

  // --- tickets and Janus ---------------------------------------------------------------------
  function fallback(detail) {
    el("fallback-detail").textContent = detail || "We can't reach the video service.";
    show("fallback", true);
    say("Video is not working right now. You can join by phone.");
  }

  async function start() {
    st.phase = "connecting";
    show("fallback", false);
    say("Connecting to the video room…");
    if (!window.Janus) { st.phase = "waiting"; fallback("The video software did not load."); return; }
    var t = await post(cfg.ticket);
    if (t.status !== 200) {
      st.phase = "waiting";
      if (t.status === 503 || t.status === 0) { fallback(t.body.detail); scheduleRetry(10000); }
      else { say(t.body.detail || "You can't join right now."); }
      return;
    }
    var r = await post(cfg.redeem, { token: t.body.token, room: t.body.room });
    if (r.status !== 200) {
      st.phase = "waiting";
      if (r.status === 503 || r.status === 0) { fallback(r.body.detail); scheduleRetry(10000); }
      else if (r.status !== 409) { say(r.body.detail || "You can't join right now."); }
      return;
    }
    st.info = r.body;
    connect();
  }

  function scheduleRetry(ms) {
    if (st.retry || st.stopping) { return; }
    st.retry = setTimeout(function () { st.retry = null; if (st.phase === "waiting" && !st.stopping) { st.phase = "waiting"; poll(); } }, ms);
  }

  function connect() {
    var go = function () {
      st.janus = new Janus({
        server: st.info.janus_url,
        iceServers: st.info.ice_servers || [],
        success: attachPublisher,
        error: function (e) { lost("Janus: " + e); },
        destroyed: function () { }
      });
    };
    if (st.initDone) { go(); return; }
    Janus.init({
      debug: false,
      dependencies: Janus.useDefaultDependencies({ adapter: window.adapter }),
      callback: function () { st.initDone = true; go(); }
    });
  }

  // Connection to Janus lost: reconnect with a fresh ticket, no second pre-join.
  function lost(why) {
    if (st.stopping || st.phase === "ended") { return; }
    var wasIn = st.phase === "room";
    teardown();
    st.phase = "waiting";
    if (!wasIn) { fallback("We can't reach the video service."); scheduleRetry(10000); return; }
    st.conn = "reconnecting";
    say("Connection lost. Reconnecting…");
    setTimeout(function () { if (!st.stopping && st.phase === "waiting") { start(); } }, 2000);
  }

  function teardown() {
    for (var id in st.feeds) { dropFeed(id); }
    if (st.local) { st.local.getTracks().forEach(function (t) { t.stop(); }); st.local = null; }
    if (st.screenStream) { st.screenStream.getTracks().forEach(function (t) { t.stop(); }); st.screenStream = null; }
    if (st.janus) { try { st.janus.destroy({ cleanupHandles: true, notifyDestroyed: false }); } catch (e) { } }
    st.janus = null; st.pub = null; st.screen = null;
  }

  function attachPublisher() {
    var info = st.info;
    st.janus.attach({
      plugin: "janus.plugin.videoroom",
      opaqueId: "openiop-" + info.feed_id,
      success: function (h) {
        st.pub = h;
        h.send({ message: { request: "join", ptype: "publisher", room: info.room, pin: info.pin, token: info.janus_token, id: info.feed_id, display: info.display } });
      },
      error: function (e) { lost(e); },
      iceState: function (s) { if (s === "failed") { lost("ice " + s); } },
      onmessage: function (msg, jsep) {
        var ev = msg.videoroom;
        if (ev === "joined") {
          st.phase = "room"; st.conn = "ok";
          show("waiting", false); show("fallback", false); show("in-room", true);
          say("You're in the room.");
          publish();
          (msg.publishers || []).forEach(subscribe);
        } else if (ev === "event") {
          (msg.publishers || []).forEach(subscribe);
          if (msg.leaving === "ok") {
            if (msg.reason === "kicked") { end("Staff removed you from this session."); whyKicked(); }
            else { end("You left the session."); }
            return;
          }
          if (msg.leaving) { dropFeed(msg.leaving); }
          if (msg.unpublished && msg.unpublished !== "ok") { dropFeed(msg.unpublished); }
          if (msg.error) { say(msg.error); }
        } else if (ev === "destroyed") {
          end("The session has ended.");
        }
        if (jsep) { st.pub.handleRemoteJsep({ jsep: jsep }); }
      },
      onlocaltrack: function () { },
      onremotetrack: function () { }
    });
  }

  async function capture() {
    var md = navigator.mediaDevices;
    if (!md || !md.getUserMedia) { return null; }
    var wantVideo = !st.audioOnly;
    try {
      return await md.getUserMedia({ audio: true, video: wantVideo ? { width: 640, height: 360 } : false });
    } catch (e) {
      try { return await md.getUserMedia({ audio: true }); } catch (e2) { return null; }
    }
  }

  async function publish() {
    st.local = await capture();
    var tracks = [];
    if (st.local) {
      el("local-video").srcObject = st.local;
      st.local.getAudioTracks().forEach(function (t) { t.enabled = !st.muted; tracks.push({ type: "audio", capture: t, recv: false }); });
      st.local.getVideoTracks().forEach(function (t) { t.enabled = !st.cameraOff; tracks.push({ type: "video", capture: t, recv: false, simulcast: true }); });
    }
    syncButtons();
    if (!tracks.length) { say("You're in the room, listening only: we couldn't use your camera or microphone."); return; }
    st.pub.createOffer({
      tracks: tracks,
      success: function (jsep) {
        st.pub.send({ message: { request: "configure", audio: true, video: st.local.getVideoTracks().length > 0, bitrate: st.low ? 256000 : 0 }, jsep: jsep });
      },
      error: function () { say("We couldn't send your camera or microphone; others can't see or hear you."); }
    });
  }

  function subscribe(pub) {
    var info = st.info;
    if (!pub || pub.id === info.feed_id || pub.id === info.screen_feed_id || st.feeds[pub.id]) { return; }
    var feed = { display: pub.display || "Participant", stream: new MediaStream(), videoMids: [], handle: null };
    st.feeds[pub.id] = feed;
    var tile = document.createElement("figure");
    tile.className = "tile";
    tile.id = "feed-" + pub.id;
    var video = document.createElement("video");
    video.autoplay = true; video.playsInline = true;
    video.setAttribute("aria-label", feed.display);
    var cap = document.createElement("figcaption");
    cap.textContent = feed.display;
    tile.appendChild(video); tile.appendChild(cap);
    el("videos").appendChild(tile);
    feed.video = video;
    st.janus.attach({
      plugin: "janus.plugin.videoroom",
      opaqueId: "openiop-sub-" + info.feed_id,
      success: function (h) {
        feed.handle = h;
        h.send({ message: { request: "join", ptype: "subscriber", room: info.room, pin: info.pin, token: info.janus_token, streams: [{ feed: pub.id }] } });
      },
      error: function () { dropFeed(pub.id); },
      onmessage: function (msg, jsep) {
        if (msg.streams) {
          feed.videoMids = msg.streams.filter(function (s) { return s.type === "video"; }).map(function (s) { return s.mid; });
        }
        if (jsep) {
          feed.handle.createAnswer({
            jsep: jsep, tracks: [{ type: "data" }],
            success: function (answer) {
              feed.handle.send({ message: { request: "start", room: info.room }, jsep: answer });
              window.openiopPeers[pub.id] = feed.handle.webrtcStuff.pc;
              applyReceive(feed);
            },
            error: function () { say("We couldn't receive " + feed.display + "'s video."); }
          });
        }
      },
      onremotetrack: function (track, mid, on) {
        feed.stream.getTracks().filter(function (t) { return t.id === track.id; }).forEach(function (t) { feed.stream.removeTrack(t); });
        if (on) { feed.stream.addTrack(track); }
        if (feed.video.srcObject !== feed.stream) { feed.video.srcObject = feed.stream; }
        var p = feed.video.play(); if (p && p.catch) { p.catch(function () { }); }
      },
      onlocaltrack: function () { }
    });
  }

  function dropFeed(id) {
    var feed = st.feeds[id];
    if (!feed) { return; }
    delete st.feeds[id];
    delete window.openiopPeers[id];
    if (feed.handle) { try { feed.handle.detach(); } catch (e) { } }
    var tile = el("feed-" + id);
    if (tile) { tile.remove(); }
  }

  // What we receive: low bandwidth asks for the lowest simulcast layer; audio only pauses video.
  function applyReceive(feed) {
    if (!feed.handle || !feed.videoMids.length) { return; }
    var streams = feed.videoMids.map(function (mid) {
      return { mid: mid, send: !st.audioOnly, substream: st.low ? 0 : 2, temporal: st.low ? 0 : 2 };
    });
    feed.handle.send({ message: { request: "configure", streams: streams } });
  }

  // --- controls ------------------------------------------------------------------------------
  function setMuted(on) {
    st.muted = on;
    if (st.local) { st.local.getAudioTracks().forEach(function (t) { t.enabled = !on; }); }
    syncButtons();
  }
  function setCamera(off) {
    st.cameraOff = off;
    if (st.local) { st.local.getVideoTracks().forEach(function (t) { t.enabled = !off; }); }
    syncButtons();
  }
  function press(id, on) { var b = el(id); if (b) { b.setAttribute("aria-pressed", on ? "true" : "false"); } }
  function syncButtons() {
    press("btn-mute", st.muted); press("btn-camera", st.cameraOff); press("btn-audio", st.audioOnly);
    press("btn-low", st.low); press("btn-hand", st.hand); press("btn-share", !!st.screen);
  }

  el("btn-mute").addEventListener("click", function () { setMuted(!st.muted); });
  el("btn-camera").addEventListener("click", function () { setCamera(!st.cameraOff); });
  el("btn-audio").addEventListener("click", function () {
    st.audioOnly = !st.audioOnly;
    setCamera(st.audioOnly);
    for (var id in st.feeds) { applyReceive(st.feeds[id]); }
    say(st.audioOnly ? "Audio only: your camera is off and other people's video is paused." : "Video is back on.");
  });
  el("btn-low").addEventListener("click", function () {
    st.low = !st.low;
    if (st.pub) { st.pub.send({ message: { request: "configure", bitrate: st.low ? 256000 : 0 } }); }
    for (var id in st.feeds) { applyReceive(st.feeds[id]); }
    syncButtons();
    say(st.low ? "Low bandwidth: smaller video to save data." : "Normal video quality.");
  });
  el("btn-hand").addEventListener("click", function () {
    st.hand = !st.hand; syncButtons();
    act({ do: "hand", up: st.hand ? "1" : "0" });
    say(st.hand ? "Your hand is raised." : "Hand lowered.");
  });
  el("btn-leave").addEventListener("click", async function () {
    await act({ do: "leave" });
    end("You left the session.");
  });
  var share = el("btn-share");
  if (share) {
    share.addEventListener("click", async function () {
      if (st.screen) { stopShare(); return; }
      if (!navigator.mediaDevices || !navigator.mediaDevices.getDisplayMedia || !st.janus) { say("Screen sharing is not available in this browser."); return; }
      try { st.screenStream = await navigator.mediaDevices.getDisplayMedia({ video: true, audio: false }); } catch (e) { return; }
      var track = st.screenStream.getVideoTracks()[0];
      track.addEventListener("ended", stopShare);
      st.janus.attach({
        plugin: "janus.plugin.videoroom",
        opaqueId: "openiop-screen-" + st.info.feed_id,
        success: function (h) {
          st.screen = h; syncButtons();
          h.send({ message: { request: "join", ptype: "publisher", room: st.info.room, pin: st.info.pin, token: st.info.janus_token, id: st.info.screen_feed_id, display: st.info.display + " (screen)" } });
        },
        onmessage: function (msg, jsep) {
          if (msg.videoroom === "joined") {
            st.screen.createOffer({
              tracks: [{ type: "video", capture: track, recv: false }],
              success: function (offer) { st.screen.send({ message: { request: "configure", audio: false, video: true }, jsep: offer }); }
            });
          }
          if (jsep) { st.screen.handleRemoteJsep({ jsep: jsep }); }
        },
        error: function () { stopShare(); }
      });
    });
  }
  function stopShare() {
    if (st.screen) { try { st.screen.detach(); } catch (e) { } }
    if (st.screenStream) { st.screenStream.getTracks().forEach(function (t) { t.stop(); }); }
    st.screen = null; st.screenStream = null; syncButtons();
  }

  // --- chat ----------------------------------------------------------------------------------
  function addChat(m) {
    if (m.n <= st.chatAfter) { return; }
    st.chatAfter = m.n;
    var li = document.createElement("li");
    var who = document.createElement("strong");
    who.textContent = m.name + ": ";
    li.appendChild(who);
    li.appendChild(document.createTextNode(m.text));
    el("chat-log").appendChild(li);
  }
  el("chat-form").addEventListener("submit", async function (event) {
    event.preventDefault();
    var input = el("chat-text");
    if (!input.value.trim()) { return; }
    var r = await act({ do: "chat", text: input.value });
    if (r.status === 200) { input.value = ""; }
  });

  // --- staff: waiting list, people in the room, controls --------------------------------------
  function checkText(p) {
    var bits = [];
    if (p.rtt_ms !== null) { bits.push("round trip " + p.rtt_ms + " ms"); }
    if (p.throughput_kbps !== null) { bits.push((p.throughput_kbps / 1000).toFixed(1) + " Mbit/s"); }
    if (p.camera_ok === false) { bits.push("no camera"); }
    bits.push({ video: "video", low: "low-bandwidth video", audio: "audio only" }[p.mode] || p.mode);
    if (p.private === true) { bits.push("private"); }
    if (p.private === false) { bits.push(p.wants_message ? "not private: asks you to message them" : "not private: audio only"); }
    return bits.join(" · ");
  }
  function button(label, aria, data) {
    var b = document.createElement("button");
    b.type = "button"; b.textContent = label; b.setAttribute("aria-label", aria);
    b.addEventListener("click", async function () {
      var r = await act(data);
      if (r.status !== 200) { say(r.body.detail || "That didn't work."); }
    });
    return b;
  }
  function renderPeople(people) {
    var key = JSON.stringify(people);
    if (key === st.peopleKey) { return; }
    st.peopleKey = key;
    var waiting = el("waiting-list"), inRoom = el("room-list");
    waiting.textContent = ""; inRoom.textContent = "";
    people.forEach(function (p) {
      var li = document.createElement("li");
      var name = document.createElement("strong");
      name.textContent = p.name + (p.is_staff ? " (staff)" : "");
      li.appendChild(name);
      var tags = [];
      if (p.hand_raised) { tags.push("hand raised"); }
      if (p.reconnecting) { tags.push("reconnecting"); }
      if (tags.length) { var t = document.createElement("span"); t.className = "tag"; t.textContent = " " + tags.join(", "); li.appendChild(t); }
      if (!p.is_staff) {
        var d = document.createElement("p"); d.className = "hint"; d.textContent = checkText(p); li.appendChild(d);
        if (p.location) { var l = document.createElement("p"); l.className = "location"; l.textContent = "Location: " + p.location; li.appendChild(l); }
        if (p.crisis_url) {
          // A new tab, so the video keeps going while the clinician works the crisis steps.
          var c = document.createElement("a");
          c.href = p.crisis_url; c.target = "_blank"; c.rel = "noopener";
          c.textContent = "Crisis panel";
          c.setAttribute("aria-label", "Crisis panel for " + p.name + " (opens in a new tab)");
          var cp = document.createElement("p"); cp.appendChild(c); li.appendChild(cp);
        }
      }
      if (p.state === "waiting") {
        li.appendChild(button("Let in", "Let " + p.name + " in", { do: "admit", user: p.user_id }));
        waiting.appendChild(li);
      } else {
        if (!p.is_staff) {
          li.appendChild(button("Mute", "Mute " + p.name, { do: "mute", user: p.user_id }));
          li.appendChild(document.createTextNode(" "));
          li.appendChild(button("Remove", "Remove " + p.name, { do: "remove", user: p.user_id }));
        }
        inRoom.appendChild(li);
      }
    });
    if (!waiting.children.length) { waiting.innerHTML = '<li class="hint">Nobody is waiting.</li>'; }
    if (!inRoom.children.length) { inRoom.innerHTML = '<li class="hint">Nobody yet.</li>'; }
  }
  if (cfg.staff) {
    el("btn-admit-all").addEventListener("click", function () { act({ do: "admit_all" }); });
    el("btn-lock").addEventListener("click", function () {
      act({ do: el("btn-lock").getAttribute("aria-pressed") === "true" ? "unlock" : "lock" });
    });
  }

  // --- leaving -------------------------------------------------------------------------------
  function end(text) {
    if (st.phase === "ended") { return; }
    st.phase = "ended"; st.stopping = true;
    teardown();
    show("in-room", false); show("waiting", false); show("fallback", false);
    el("left-detail").textContent = text;
    show("left", true);
    say(text);
  }
  window.openiopHangUp = function () { st.stopping = true; teardown(); };
  el("retry").addEventListener("click", function () { if (st.phase === "waiting") { start(); } });

  // Bytes received so far by kind, refreshed every second while in the room (tests poll it).
  window.openiopReceived = { audio: 0, video: 0 };
  setInterval(async function () {
    if (st.phase !== "room") { return; }
    window.openiopReceived = { audio: await window.openiopInbound("audio"), video: await window.openiopInbound("video") };
  }, 1000);

  syncButtons();
  if (cfg.staff) { show("waiting", false); }
  poll();
})();
