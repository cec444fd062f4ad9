// The playground: send as a demo customer (or guide), show replies, poll the outbox.
(function () {
  "use strict";
  var mode = document.body.dataset.mode;
  var chat = document.getElementById("chat");
  var who = document.getElementById("who");
  var form = document.getElementById("send-form");
  var input = document.getElementById("text");
  var sendBtn = document.getElementById("send");
  var subtitle = document.getElementById("subtitle");
  var current = "";
  var cursor = null;
  var pollTimer = null;
  var seen = {};
  var generation = 0;

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined) e.textContent = text;
    return e;
  }
  function scroll() { chat.scrollTop = chat.scrollHeight; }
  function bubble(side, text, meta, extra) {
    var row = el("div", "row " + side + (extra ? " " + extra : ""));
    row.appendChild(el("div", "avatar", side === "me" ? "我" : (mode === "mp" ? "服" : "助")));
    var b = el("div", "bubble", text);
    if (meta) b.appendChild(el("span", "meta", meta));
    row.appendChild(b);
    chat.appendChild(row);
    scroll();
    return row;
  }
  function system(text, cls) {
    var d = el("div", "system" + (cls ? " " + cls : ""));
    d.appendChild(el("span", null, text));
    chat.appendChild(d);
    scroll();
  }
  function enable(on) {
    input.disabled = !on; sendBtn.disabled = !on;
    document.querySelectorAll(".menu button").forEach(function (b) { b.disabled = !on; });
  }
  function label(item) {
    var kinds = { reply: "客服消息", service: "服务消息", notice: "服务通知", lifecycle: "关怀", festival: "节日问候", solar_term: "节气关怀" };
    return (kinds[item.kind] || item.kind || "") + " · " + item.at + (item.status === "pending" || item.status === "sending" ? " · 发送中" : "");
  }
  function api(path, body) {
    return fetch(path, {
      method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-Playground": "1" },
      body: JSON.stringify(body)
    }).then(function (r) {
      return r.json().catch(function () { return { ok: false, error: "HTTP " + r.status }; })
        .then(function (data) { data.httpStatus = r.status; data.openid = r.headers.get("X-Openid"); return data; });
    });
  }
  function showReplies(data) {
    if (!data.ok) { system("发送失败：" + (data.error || data.httpStatus), "error"); return; }
    if (!data.replies.length) { system("（被动回复为空，稍后的消息会出现在这里）"); }
    data.replies.forEach(function (r) { bubble("bot", r.text); });
  }
  function poll(gen) {
    if (!current || gen !== generation) return;
    var who = current;
    fetch("/playground/api/feed?to=" + encodeURIComponent(who) + (cursor === null ? "&history=1" : "&after=" + cursor), { credentials: "same-origin" })
      .then(function (r) { return r.json(); })
      .then(function (data) {
        if (who !== current || gen !== generation) return;
        var history = cursor === null;
        data.items.forEach(function (item) {
          if (seen[item.id]) return;
          seen[item.id] = true;
          bubble("bot", item.text, label(item), history ? "history" : "outbox");
        });
        if (history && data.items.length) system("以上是之前发给 TA 的消息");
        cursor = data.cursor;
      })
      .catch(function () {})
      .then(function () {
        if (gen === generation) pollTimer = setTimeout(function () { poll(gen); }, 1500);
      });
  }
  function startPolling() {
    if (pollTimer) clearTimeout(pollTimer);
    cursor = null; seen = {};
    generation += 1;
    poll(generation);
  }
  function typing() {
    var row = el("div", "row typing");
    row.appendChild(el("div", "avatar", mode === "mp" ? "服" : "助"));
    row.appendChild(el("div", "bubble", "对方正在输入…"));
    chat.appendChild(row);
    scroll();
    return row;
  }
  function send(body, shown) {
    if (!current) return;
    if (shown) bubble("me", shown);
    enable(false);
    var dots = typing();
    var path = mode === "mp" ? "/playground/api/mp" : "/playground/api/work";
    body[mode === "mp" ? "openid" : "userid"] = current;
    return api(path, body)
      .then(function (data) { dots.remove(); showReplies(data); })
      .catch(function (e) { dots.remove(); system("发送失败：" + e, "error"); })
      .then(function () { enable(true); input.focus(); });
  }
  who.addEventListener("change", function () {
    chat.textContent = "";
    var value = who.value;
    if (!value) { current = ""; enable(false); subtitle.textContent = "请先在左侧选择身份"; return; }
    if (value === "__new__") {
      enable(false);
      system("新用户关注了公众号");
      api("/playground/api/mp", { event: "subscribe" }).then(function (data) {
        current = data.openid || "";
        subtitle.textContent = "新关注用户 · " + current;
        showReplies(data);
        enable(!!current);
        startPolling();
      });
      return;
    }
    current = value;
    subtitle.textContent = who.options[who.selectedIndex].textContent;
    enable(true);
    input.focus();
    startPolling();
  });
  form.addEventListener("submit", function (ev) {
    ev.preventDefault();
    var text = input.value.trim();
    if (!text || !current) return;
    input.value = "";
    send({ text: text }, text);
  });
  document.querySelectorAll(".menu-top[data-toggle]").forEach(function (b) {
    b.addEventListener("click", function () {
      var sub = document.getElementById(b.dataset.toggle);
      var open = sub.hidden;
      document.querySelectorAll(".submenu").forEach(function (s) { s.hidden = true; });
      sub.hidden = !open;
    });
  });
  document.querySelectorAll(".menu-btn[data-key]").forEach(function (b) {
    b.addEventListener("click", function () {
      document.querySelectorAll(".submenu").forEach(function (s) { s.hidden = true; });
      system("点击了菜单「" + b.dataset.name + "」");
      send({ event: "CLICK", key: b.dataset.key });
    });
  });
  enable(false);
})();
