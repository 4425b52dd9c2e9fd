// Tripwire room: one page for every role (team, white cell, projector). The server decides
// what this page may see; this script only draws it. Text is always set with textContent.
"use strict";

const base = location.pathname.replace(/\/+$/, "");
let view = null;
let clockAt = 0; // when the clock state arrived (ms)
let selected = []; // the team's chosen cards: [{action, target}]

function $(id) { return document.getElementById(id); }

function el(tag, text, cls) {
  const node = document.createElement(tag);
  if (text !== undefined && text !== null) node.textContent = String(text);
  if (cls) node.className = cls;
  return node;
}

function clear(node) { while (node.firstChild) node.removeChild(node.firstChild); }

function say(text, kind) {
  const box = $("message");
  box.textContent = text;
  box.className = "message " + (kind || "info");
  box.hidden = !text;
}

async function post(path, body) {
  let answer;
  try {
    answer = await fetch(base + path, {
      method: "POST",
      headers: {"content-type": "application/json"},
      body: JSON.stringify(body),
    });
  } catch (err) {
    say("The server cannot be reached: your input was not sent. Try again in a moment.", "error");
    return false;
  }
  let data = {};
  try { data = await answer.json(); } catch (err) { data = {}; }
  if (!answer.ok) {
    say(data.error || ("The server refused this (" + answer.status + ")."), "error");
    return false;
  }
  return true;
}

function moveKey(m) { return m.action + "->" + (m.target || ""); }

function drawClock() {
  const c = view && view.clock;
  const box = $("clock");
  if (!c || (!c.running && !c.elapsed && !c.limit)) { box.textContent = ""; return; }
  const passed = c.elapsed + (c.running ? (Date.now() - clockAt) / 1000 : 0);
  const left = c.limit ? Math.max(c.limit - passed, 0) : passed;
  const m = Math.floor(left / 60), s = Math.floor(left % 60);
  box.textContent = (c.limit ? "" : "+") + m + ":" + String(s).padStart(2, "0") + (c.running ? "" : " (paused)");
  box.className = "clock" + (c.limit && left <= 60 ? " late" : "");
}

function drawHeader(v) {
  const role = v.role === "white" ? "White cell" : v.role === "team" ? v.team.name + " team" : "Projector";
  $("who").textContent = role;
  $("title").textContent = v.scenario.title;
  const phase = {briefing: "between turns", deciding: "teams deciding", review: "white cell review", over: "game over"}[v.phase];
  $("when").textContent = (v.turn ? "Turn " + v.turn + " of " + v.turns + " · " : "Before turn 1 · ") + v.date + " · " + phase +
    (v.waiting.length ? " · waiting for " + v.waiting.join(", ") : "");
  document.body.dataset.role = v.role;
  document.body.dataset.phase = v.phase;
}

function drawAlerts(v) {
  const box = $("alerts");
  clear(box);
  for (const a of v.alerts) box.appendChild(el("div", "Turn " + a.turn + " · " + a.text, "alert " + a.kind));
}

function drawBriefing(v) {
  const show = v.turn === 0 && v.phase === "briefing";
  $("briefing").hidden = !show && v.role !== "team";
  $("read-aloud").textContent = v.scenario.description;
  const briefs = $("briefs");
  clear(briefs);
  const list = v.role === "team" ? [v.team] : v.role === "white" ? v.white.briefs : [];
  for (const b of list) {
    const box = el("div", null, "brief");
    box.appendChild(el("h3", b.name + " team"));
    box.appendChild(el("p", "Up to " + b.points + " action(s) a month. What " + b.name + " wants:"));
    const ul = el("ul");
    for (const o of b.objectives) ul.appendChild(el("li", o));
    box.appendChild(ul);
    briefs.appendChild(box);
  }
}

function drawBoard(v) {
  const ind = $("indicators");
  clear(ind);
  for (const i of v.indicators) {
    const box = el("div", null, "indicator");
    box.appendChild(el("span", i.label, "label"));
    box.appendChild(el("span", i.shown, "value"));
    ind.appendChild(box);
  }
  const sit = $("situation");
  clear(sit);
  if (v.situation.turn) {
    sit.appendChild(el("h3", "Situation update: turn " + v.situation.turn + " (" + v.situation.date + ")"));
    const ul = el("ul");
    for (const c of v.situation.changes) ul.appendChild(el("li", c));
    sit.appendChild(ul);
  }
  const feed = $("feed");
  clear(feed);
  for (const f of v.feed) {
    const li = el("li", null, "kind-" + f.kind + (f.private ? " private" : ""));
    li.appendChild(el("span", "T" + f.turn, "turn"));
    li.appendChild(el("span", f.text));
    if (f.private) li.appendChild(el("span", "private", "tag"));
    feed.appendChild(li);
  }
}

function drawTeam(v) {
  const t = v.team;
  $("team").hidden = false;
  $("team-title").textContent = t.name + ": your decision";
  const status = $("team-status");
  const cards = $("cards");
  clear(cards);
  if (t.decided) {
    const said = t.decided.map((m) => m.name + (m.target ? " → " + m.target : "")).join(", ") || "hold";
    status.textContent = "Submitted: " + said + ". It stays hidden from the others until the turn resolves.";
  } else if (!t.deciding) {
    status.textContent = v.phase === "over" ? "The game is over." : "Wait for the white cell to begin the turn.";
  } else {
    status.textContent = "Choose up to " + t.points + " card(s), then submit. " + selected.length + " chosen.";
  }
  const res = $("results");
  clear(res);
  if (t.results.length && v.situation.turn) {
    res.appendChild(el("h3", "Your moves in turn " + v.situation.turn));
    const ul = el("ul");
    for (const r of t.results) ul.appendChild(el("li", r));
    res.appendChild(ul);
  }
  const open = t.deciding && !t.decided;
  $("submit").disabled = !open;
  $("hold").disabled = !open;
  const keys = new Set(selected.map(moveKey));
  for (const c of t.cards) {
    const card = el("button", null, "card" + (c.available ? "" : " unavailable") + (keys.has(moveKey(c)) ? " chosen" : ""));
    card.type = "button";
    card.dataset.number = c.number;
    card.appendChild(el("strong", c.title));
    card.appendChild(el("span", c.domain + " · " + c.cost + " · chance " + Math.round(c.chance * 100) + "%", "muted"));
    card.appendChild(el("span", c.effects));
    if (c.partners) card.appendChild(el("span", c.partners, "muted"));
    if (!c.available) card.appendChild(el("span", "Not available: " + c.reason, "why"));
    card.disabled = !open || !c.available;
    card.addEventListener("click", () => {
      const k = moveKey(c);
      if (keys.has(k)) selected = selected.filter((m) => moveKey(m) !== k);
      else if (selected.length < t.points) selected.push({action: c.action, target: c.target});
      else { say("Your team has " + t.points + " action point(s): unselect a card first.", "error"); return; }
      say("");
      drawTeam(view);
    });
    cards.appendChild(card);
  }
}

function drawWhite(v) {
  const w = v.white;
  $("white").hidden = false;
  $("begin").disabled = v.phase !== "briefing";
  $("resolve").disabled = v.phase !== "review";
  const body = $("pending").tBodies[0];
  clear(body);
  const review = $("review-move");
  const keep = review.value;
  clear(review);
  for (const p of w.pending) {
    const tr = el("tr");
    tr.appendChild(el("td", p.name + (p.human ? " (team)" : " (bot)")));
    const mark = (m) => (m.mark && m.mark !== "dice" ? " [" + m.mark + "]" : "");
    const moves = p.moves === null ? "deciding…" : (p.moves.map((m) => m.name + (m.target ? " → " + m.target : "") + mark(m)).join(", ") || "hold");
    tr.appendChild(el("td", moves));
    body.appendChild(tr);
    for (const m of p.moves || []) {
      const o = el("option", p.actor + " " + m.name + (m.target ? " → " + m.target : ""));
      o.value = JSON.stringify({actor: p.actor, action: m.action, target: m.target});
      review.appendChild(o);
    }
  }
  if (keep) review.value = keep;
  const inj = $("inject-id");
  if (inj.options.length <= 1) {
    for (const i of w.library) { const o = el("option", i.id + ": " + i.text); o.value = i.id; inj.appendChild(o); }
  }
  const vars = $("set-variable");
  const chosen = vars.value;
  clear(vars);
  for (const x of w.variables) {
    const o = el("option", x.label + " (now " + x.shown + ")");
    o.value = x.name;
    o.dataset.lo = x.lo; o.dataset.hi = x.hi;
    vars.appendChild(o);
  }
  if (chosen) vars.value = chosen;
  showRange();
  const up = $("upcoming");
  clear(up);
  for (const i of w.upcoming) up.appendChild(el("li", "Turn " + i.turn + " (" + i.date + "): " + i.id + " — " + i.text + (i.conditional ? " (if its condition holds)" : "")));
  if (!w.upcoming.length) up.appendChild(el("li", "none"));
  const fk = $("fork");
  fk.hidden = !w.fork;
  if (w.fork) {
    fk.caption.textContent = w.fork.runs + " bot continuations from turn " + w.fork.turn + " (the game is unchanged)";
    const rows = fk.tBodies[0];
    clear(rows);
    const pc = (x) => Math.round(x * 100) + "%";
    for (const o of w.fork.outcomes) {
      const tr = el("tr");
      tr.appendChild(el("td", o.title));
      tr.appendChild(el("td", pc(o.probability)));
      tr.appendChild(el("td", pc(o.ci95[0]) + "–" + pc(o.ci95[1])));
      rows.appendChild(tr);
    }
  }
}

function showRange() {
  const o = $("set-variable").selectedOptions[0];
  if (!o) return;
  const lo = Number(o.dataset.lo), hi = Number(o.dataset.hi);
  $("set-range").textContent = hi <= 1 ? "enter a percentage, 0–100 (" + lo + "–" + hi + " share)" : "range " + lo + "–" + hi;
}

function draw(v) {
  const firstTurn = !view || view.turn !== v.turn || view.phase !== v.phase;
  view = v;
  clockAt = Date.now();
  if (firstTurn) selected = [];
  drawHeader(v);
  drawAlerts(v);
  drawBriefing(v);
  drawBoard(v);
  $("team").hidden = v.role !== "team";
  $("white").hidden = v.role !== "white";
  if (v.role === "team") drawTeam(v);
  if (v.role === "white") drawWhite(v);
  for (const what of ["briefing", "cards", "turns"]) $("p-" + what).href = base + "/print/" + what;
  $("w-cards").hidden = v.role === "public";
  $("w-review").hidden = v.role !== "white" || !v.situation.turn;
  $("p-review").href = base + "/review";
  drawClock();
}

function connect() {
  const source = new EventSource(base + "/events");
  source.addEventListener("view", (e) => {
    $("link").textContent = "live";
    $("link").className = "link online";
    draw(JSON.parse(e.data));
  });
  source.onerror = () => {
    $("link").textContent = "reconnecting…";
    $("link").className = "link offline";
  };
}

function wire() {
  $("submit").addEventListener("click", async () => {
    if (!selected.length) { say("Choose at least one card, or press Hold.", "error"); return; }
    if (await post("/decide", {moves: selected})) say("Decision submitted.", "ok");
  });
  $("hold").addEventListener("click", async () => {
    selected = [];
    if (await post("/decide", {moves: []})) say("Your team holds this turn.", "ok");
  });
  $("begin").addEventListener("click", async () => { if (await post("/act", {do: "begin"})) say("Turn begun.", "ok"); });
  $("resolve").addEventListener("click", async () => { if (await post("/act", {do: "resolve"})) say("Turn resolved.", "ok"); });
  $("clock-reset").addEventListener("click", () => post("/clock", {do: "reset", minutes: Number($("clock-minutes").value)}));
  $("clock-start").addEventListener("click", () => post("/clock", {do: "start"}));
  $("clock-pause").addEventListener("click", () => post("/clock", {do: "pause"}));
  $("set-variable").addEventListener("change", showRange);
  $("f-review").addEventListener("submit", async (e) => {
    e.preventDefault();
    if (!$("review-move").value) { say("No chosen move to review yet.", "error"); return; }
    const m = JSON.parse($("review-move").value);
    const what = $("review-what").value;
    const body = {do: what.startsWith("force") ? "force" : what, actor: m.actor, action: m.action, target: m.target,
      rationale: $("review-why").value, publish: $("review-publish").checked};
    if (what.startsWith("force")) body.success = what === "force-success";
    if (await post("/act", body)) { say("Recorded.", "ok"); $("review-why").value = ""; }
  });
  $("f-fork").addEventListener("submit", async (e) => {
    e.preventDefault();
    say("Playing the continuations…", "ok");
    if (await post("/fork", {runs: Number($("fork-runs").value)})) say("Fork done: see where the game is heading below.", "ok");
  });
  $("f-inject").addEventListener("submit", async (e) => {
    e.preventDefault();
    const id = $("inject-id").value;
    const body = {do: "inject", rationale: $("inject-why").value, publish: $("inject-publish").checked};
    if (id) body.id = id; else body.text = $("inject-text").value;
    if (!id && !body.text.trim()) { say("Choose an inject, or write an ad-hoc one.", "error"); return; }
    if (await post("/act", body)) { say("Inject fired: the board shows its effects now.", "ok"); $("inject-text").value = ""; $("inject-why").value = ""; }
  });
  $("f-set").addEventListener("submit", async (e) => {
    e.preventDefault();
    const o = $("set-variable").selectedOptions[0];
    const typed = $("set-value").value;
    if (!o || typed === "") { say("Choose a variable and type its new value.", "error"); return; }
    let value = Number(typed);
    if (Number(o.dataset.hi) <= 1) value = value / 100; // a share is typed as a percentage
    if (await post("/act", {do: "set", variable: o.value, value: value, rationale: $("set-why").value, publish: $("set-publish").checked})) {
      say("Value set: the board shows it now.", "ok");
    }
  });
  $("f-note").addEventListener("submit", async (e) => {
    e.preventDefault();
    const text = $("note-text").value;
    if (!text.trim()) { say("Write the note first.", "error"); return; }
    if (await post("/act", {do: "note", text: text, publish: $("note-publish").checked})) { say("Note recorded.", "ok"); $("note-text").value = ""; }
  });
  $("f-undo").addEventListener("submit", async (e) => {
    e.preventDefault();
    if (!confirm("Undo the last turn? Its decisions are taken back.")) return;
    if (await post("/act", {do: "undo", rationale: $("undo-why").value})) say("Turn undone.", "ok");
  });
  setInterval(drawClock, 500);
}

wire();
connect();
