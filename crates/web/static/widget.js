// Hubbub's web chat. A website embeds it with one tag:
//   <script src="https://HUB/widget.js" data-key="INBOX_KEY" async></script>
// It draws a chat bubble in a shadow root (the page's styles cannot reach
// it, nor its styles the page), talks to the hub the script came from,
// and keeps the conversation across reloads, reconnects and network drops:
// the visitor's secret and unsent messages live in localStorage, and the
// live stream (Server-Sent Events) resumes from the last event it saw.
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script || !script.dataset.key) return;
  var key = script.dataset.key;
  var hub = new URL(script.src).origin;
  var base = hub + "/widget/v1/" + encodeURIComponent(key);
  var store = "hubbub." + key + ".";

  function remember(name, value) {
    try { localStorage.setItem(store + name, JSON.stringify(value)); } catch (e) { /* private mode */ }
  }
  function recall(name, fallback) {
    try {
      var v = localStorage.getItem(store + name);
      return v === null ? fallback : JSON.parse(v);
    } catch (e) { return fallback; }
  }
  function randomHex(bytes) {
    var a = new Uint8Array(bytes);
    crypto.getRandomValues(a);
    return Array.prototype.map.call(a, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }

  var visitor = recall("visitor", null);
  if (!visitor) { visitor = randomHex(32); remember("visitor", visitor); }
  var profile = recall("profile", null); // {name, email} once the pre-chat form was sent
  var outbox = recall("outbox", []); // messages not yet stored by the hub
  var conversationId = recall("conversation", null);

  // ---- the view -------------------------------------------------------
  var host = document.createElement("div");
  host.setAttribute("data-hubbub-chat", "");
  var root = host.attachShadow({ mode: "open" });
  root.innerHTML =
    "<style>" +
    ":host{all:initial}*{box-sizing:border-box;font-family:system-ui,sans-serif}" +
    ".bubble{position:fixed;right:20px;bottom:20px;width:56px;height:56px;border-radius:50%;border:0;background:#2d5be3;color:#fff;font-size:26px;cursor:pointer;box-shadow:0 2px 8px rgba(0,0,0,.3);z-index:2147483646}" +
    ".panel{position:fixed;right:20px;bottom:88px;width:340px;max-width:calc(100vw - 40px);height:460px;max-height:calc(100vh - 120px);background:#fff;border-radius:10px;box-shadow:0 4px 24px rgba(0,0,0,.25);display:flex;flex-direction:column;overflow:hidden;z-index:2147483647}" +
    ".panel[hidden]{display:none}" +
    "header{background:#2d5be3;color:#fff;padding:12px 14px;font-weight:600}" +
    "header small{display:block;font-weight:400;opacity:.85}" +
    ".log{flex:1;overflow-y:auto;padding:12px;background:#f6f7fb}" +
    ".msg{max-width:80%;margin:6px 0;padding:8px 10px;border-radius:10px;white-space:pre-wrap;word-wrap:break-word;font-size:14px;line-height:1.35}" +
    ".visitor{margin-left:auto;background:#2d5be3;color:#fff}" +
    ".agent{margin-right:auto;background:#fff;border:1px solid #dde}" +
    ".who{font-size:11px;color:#667;margin:8px 0 0}" +
    ".state{font-size:11px;color:#889;text-align:right}" +
    ".note{font-size:12px;color:#667;text-align:center;margin:8px 0}" +
    ".typing{font-size:12px;color:#667;padding:0 12px 6px;min-height:18px;background:#f6f7fb}" +
    "form{display:flex;gap:6px;padding:8px;border-top:1px solid #e4e6ee}" +
    "form.pre{flex-direction:column}form[hidden]{display:none}" +
    ".bubble svg{width:28px;height:28px;fill:#fff;vertical-align:middle}" +
    "input,textarea{flex:1;font-size:14px;padding:8px;border:1px solid #ccd;border-radius:6px;resize:none}" +
    "button.send{background:#2d5be3;color:#fff;border:0;border-radius:6px;padding:0 14px;cursor:pointer}" +
    ".error{color:#b00020;font-size:12px;padding:0 10px 6px}" +
    "</style>" +
    "<button class=bubble type=button aria-label='Chat with us'>" +
    "<svg viewBox='0 0 24 24' aria-hidden=true><path d='M4 3h16a2 2 0 0 1 2 2v11a2 2 0 0 1-2 2H9l-5 4v-4H4a2 2 0 0 1-2-2V5a2 2 0 0 1 2-2z'/></svg></button>" +
    "<section class=panel hidden role=dialog aria-label='Chat'>" +
    "<header>Chat with us<small>Answers appear here, or reach your email if you leave one and go.</small></header>" +
    "<div class=log aria-live=polite></div>" +
    "<div class=typing></div>" +
    "<div class=error role=alert></div>" +
    "<form class=pre hidden><input name=name placeholder='Your name (optional)' autocomplete=name>" +
    "<input name=email type=email placeholder='Your email (optional), for answers if you leave' autocomplete=email></form>" +
    "<form class=compose><textarea name=text rows=2 placeholder='Write a message…' aria-label='Message'></textarea>" +
    "<button class=send type=submit>Send</button></form>" +
    "</section>";
  var $ = function (sel) { return root.querySelector(sel); };
  var bubble = $(".bubble"), panel = $(".panel"), log = $(".log"), typing = $(".typing"),
      errorLine = $(".error"), pre = $("form.pre"), compose = $("form.compose"), box = compose.text;

  var shown = {}; // message id -> element
  var lastAgentMessage = 0, lastVisitorMessage = 0, seenUpTo = 0;
  var typingTimer = null;

  function isOpen() { return !panel.hidden; }
  function scrollDown() { log.scrollTop = log.scrollHeight; }

  function draw(m, pending) {
    var id = pending ? "ref-" + m.client_ref : m.id;
    if (shown[id]) return;
    if (!pending && m.client_ref && shown["ref-" + m.client_ref]) {
      // The hub stored what was shown as pending: keep the element.
      var el = shown["ref-" + m.client_ref];
      delete shown["ref-" + m.client_ref];
      shown[id] = el;
      el.dataset.id = m.id;
      el.querySelector(".state").textContent = "";
      return;
    }
    var wrap = document.createElement("div");
    wrap.dataset.id = pending ? "" : m.id;
    if (m.author === "agent") {
      var who = document.createElement("p");
      who.className = "who";
      who.textContent = m.name || "Team";
      wrap.appendChild(who);
    }
    var body = document.createElement("div");
    body.className = "msg " + (m.author === "agent" ? "agent" : "visitor");
    body.textContent = m.text; // never HTML
    wrap.appendChild(body);
    var state = document.createElement("div");
    state.className = "state";
    state.textContent = pending ? "Sending…" : "";
    if (m.author === "visitor") wrap.appendChild(state);
    log.appendChild(wrap);
    shown[id] = wrap;
    scrollDown();
  }

  function markSeen() {
    Object.keys(shown).forEach(function (id) {
      var el = shown[id];
      var s = el.querySelector(".state");
      if (s && el.dataset.id && Number(el.dataset.id) <= seenUpTo) s.textContent = "";
    });
    var last = shown[lastVisitorMessage];
    if (last && lastVisitorMessage <= seenUpTo) last.querySelector(".state").textContent = "Seen";
  }

  function note(text) {
    var p = document.createElement("p");
    p.className = "note";
    p.textContent = text;
    log.appendChild(p);
    scrollDown();
  }

  // ---- talking to the hub --------------------------------------------
  function post(path, body) {
    return fetch(base + path, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
      mode: "cors",
      credentials: "omit",
    });
  }

  var acking = null;
  function acknowledge() {
    if (!conversationId || !lastAgentMessage) return;
    var body = { visitor: visitor, delivered: lastAgentMessage };
    if (isOpen() && document.visibilityState === "visible") body.seen = lastAgentMessage;
    var sent = JSON.stringify(body);
    if (acking === sent) return;
    acking = sent;
    post("/conversations/" + conversationId + "/ack", body).catch(function () { acking = null; });
  }

  var flushing = false;
  function flush() {
    if (flushing || !outbox.length) return;
    flushing = true;
    var m = outbox[0];
    var body = { visitor: visitor, client_ref: m.client_ref, text: m.text, page_url: location.href };
    if (profile) { body.name = profile.name; body.email = profile.email; }
    post("/messages", body).then(function (r) {
      return r.json().then(function (answer) { return { r: r, answer: answer }; });
    }).then(function (x) {
      flushing = false;
      if (x.r.ok) {
        outbox.shift();
        remember("outbox", outbox);
        errorLine.textContent = "";
        x.answer.message.client_ref = m.client_ref;
        draw(x.answer.message, false);
        if (conversationId !== x.answer.conversation_id) {
          conversationId = x.answer.conversation_id;
          remember("conversation", conversationId);
          listen();
        }
        flush();
      } else if (x.r.status === 429 || x.r.status >= 500) {
        errorLine.textContent = x.answer.message || "Could not send yet; trying again.";
        setTimeout(flush, 5000);
      } else {
        // The hub refused this message (too long, say): it will never
        // go, so it is dropped with the reason shown.
        outbox.shift();
        remember("outbox", outbox);
        var el = shown["ref-" + m.client_ref];
        if (el) el.querySelector(".state").textContent = "Not sent: " + (x.answer.message || "refused");
        errorLine.textContent = x.answer.message || "";
        flush();
      }
    }).catch(function () {
      // Offline: the message waits in the outbox (and survives a reload).
      flushing = false;
      errorLine.textContent = "You are offline; your message will be sent when the connection is back.";
      setTimeout(flush, 3000);
    });
  }

  var source = null;
  function listen() {
    if (!conversationId || source) return;
    // A fresh page starts from the beginning (it shows nothing yet); the
    // browser resumes a dropped stream itself with Last-Event-ID.
    source = new EventSource(base + "/conversations/" + conversationId +
      "/events?visitor=" + encodeURIComponent(visitor) + "&after=0");
    source.addEventListener("message", function (e) {
      var m = JSON.parse(e.data);
      draw(m, false);
      if (m.author === "agent") {
        lastAgentMessage = Math.max(lastAgentMessage, m.id);
        typing.textContent = "";
        acknowledge();
      } else {
        lastVisitorMessage = Math.max(lastVisitorMessage, m.id);
        markSeen();
      }
    });
    source.addEventListener("seen", function (e) {
      seenUpTo = Math.max(seenUpTo, JSON.parse(e.data).up_to);
      markSeen();
    });
    source.addEventListener("status", function (e) {
      var s = JSON.parse(e.data);
      if (s.status === "closed") note("This conversation was closed. Write again to reopen it.");
      else if (s.agent) note(s.agent + " joined the conversation.");
    });
    source.addEventListener("typing", function (e) {
      var t = JSON.parse(e.data);
      typing.textContent = t.name + " is typing…";
      clearTimeout(typingTimer);
      typingTimer = setTimeout(function () { typing.textContent = ""; }, 6000);
    });
    source.addEventListener("open", function () { errorLine.textContent = ""; flush(); });
    source.addEventListener("error", function () {
      if (source.readyState === EventSource.CLOSED) {
        // Refused for good (the conversation is not this visitor's).
        source = null;
      }
    });
  }

  // ---- what the visitor does -----------------------------------------
  function open() {
    panel.hidden = false;
    remember("open", true);
    pre.hidden = !!profile || !!conversationId;
    box.focus();
    acknowledge();
  }
  bubble.addEventListener("click", function () {
    if (isOpen()) { panel.hidden = true; remember("open", false); } else open();
  });
  document.addEventListener("visibilitychange", acknowledge);

  compose.addEventListener("submit", function (e) {
    e.preventDefault();
    var text = box.value.trim();
    if (!text) return;
    if (!profile && !pre.hidden) {
      profile = { name: pre.name.value.trim(), email: pre.email.value.trim() };
      remember("profile", profile);
      pre.hidden = true;
    }
    var m = { client_ref: randomHex(8), text: text, author: "visitor" };
    outbox.push(m);
    remember("outbox", outbox);
    draw(m, true);
    box.value = "";
    flush();
  });
  box.addEventListener("keydown", function (e) {
    if (e.key === "Enter" && !e.shiftKey) { e.preventDefault(); compose.requestSubmit(); }
  });
  window.addEventListener("online", flush);

  function start() {
    document.body.appendChild(host);
    outbox.forEach(function (m) { draw(m, true); });
    if (recall("open", false)) open();
    if (conversationId) listen();
    else {
      fetch(base + "/conversation?visitor=" + encodeURIComponent(visitor), { mode: "cors", credentials: "omit" })
        .then(function (r) { return r.json(); })
        .then(function (c) {
          if (c.conversation_id) { conversationId = c.conversation_id; remember("conversation", conversationId); listen(); }
        })
        .catch(function () { /* offline: the outbox waits */ });
    }
    flush();
  }
  if (document.body) start(); else document.addEventListener("DOMContentLoaded", start);
})();
