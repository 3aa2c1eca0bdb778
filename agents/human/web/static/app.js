// The people's page of `hch serve-humans`. Every text from the tree is untrusted: it is
// only ever put into the page with textContent, never parsed as HTML.
"use strict";

const $ = (id) => document.getElementById(id);
const POLL_MS = 1000;
let token = null;
let lease = null;
let shown = "";

function el(tag, text, cls) {
  const node = document.createElement(tag);
  if (text !== undefined && text !== null) node.textContent = String(text);
  if (cls) node.className = cls;
  return node;
}

function say(text) { $("status").textContent = text; }

function readToken() {
  const match = /(?:^|[#&])token=([^&]+)/.exec(location.hash);
  if (match) {
    sessionStorage.setItem("hch-token", decodeURIComponent(match[1]));
    history.replaceState(null, "", location.pathname);  // keep it out of the address bar
  }
  return sessionStorage.getItem("hch-token");
}

async function api(path, body, keepalive) {
  const init = { headers: { Authorization: "Bearer " + token }, keepalive: !!keepalive };
  if (body !== undefined) {
    init.method = "POST";
    init.headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(body);
  }
  const response = await fetch(path, init);
  const data = await response.json().catch(() => ({ error: "the server sent no JSON" }));
  if (!response.ok) {
    const error = new Error(data.error || response.statusText);
    error.status = response.status;
    throw error;
  }
  return data;
}

function person() { return $("person").value.trim(); }

// -- the queue ----------------------------------------------------------------------
function renderState(state) {
  const queue = $("queue");
  queue.replaceChildren();
  for (const item of state.queue) {
    const li = el("li");
    li.dataset.key = item.key;
    li.append(el("span", item.path + " · depth " + item.depth + " · waiting " + item.waiting + "s", "meta"),
      el("div", item.question, "text"));
    const take = el("button", "Take");
    take.type = "button";
    take.className = "take";
    take.addEventListener("click", () => takeWorkspace(item.key));
    li.append(take);
    queue.append(li);
  }
  if (!state.queue.length) queue.append(el("li", "nobody is waiting for a person", "meta"));
  const taken = $("taken");
  taken.replaceChildren();
  for (const item of state.taken) taken.append(el("li", item.path + " — " + item.person));
  const trees = $("trees");
  trees.replaceChildren();
  for (const t of state.trees) {
    const li = el("li", (t.label ? t.label + ": " : "") + t.question, "text");
    li.append(el("div", t.done ? "finished — answer: " + t.answer : t.nodes + " nodes so far", "meta"));
    trees.append(li);
  }
  if (state.finished && !lease) say("The tree is finished.");
}

async function takeWorkspace(key) {
  if (!person()) { say("Type your name first."); $("person").focus(); return; }
  try {
    if (lease) await release();
    const got = await api("/api/take", { person: person(), workspace: key === undefined ? null : key });
    lease = got.lease;
    sessionStorage.setItem("hch-lease", lease);
    showWorkspace(got.workspace);
    say("You have " + got.workspace.view.path + ".");
  } catch (error) {
    say(error.message);
    poll();  // the list was older than the queue: draw it again
  }
}

async function release() {
  const held = lease;
  lease = null;
  sessionStorage.removeItem("hch-lease");
  $("workspace").hidden = true;
  shown = "";
  if (held) await api("/api/release", { lease: held }).catch(() => {});
}

// -- one workspace ------------------------------------------------------------------
function answerText(answer, failure) {
  return answer !== null ? answer : "(no answer: " + (failure || "failed") + ")";
}

function logItem(entry) {
  const li = el("li");
  if (entry.kind === "ask") {
    for (const c of entry.asked) {
      li.append(el("div", "[" + c.child + "] Q: " + c.question, "text"),
        el("div", "A: " + answerText(c.answer, c.failure), "text answer"));
    }
  } else if (entry.kind === "follow_up") {
    li.append(el("div", "[" + entry.child + "] follow-up to [" + entry.follows + "] Q: " + entry.question, "text"),
      el("div", "A: " + answerText(entry.answer, entry.failure), "text answer"));
  } else if (entry.kind === "tool") {
    const outcome = "error" in entry ? "error " + entry.error : JSON.stringify(entry.result);
    li.append(el("div", "tool " + entry.name + " " + JSON.stringify(entry.args) + " → " + outcome, "text"));
  } else if (entry.kind === "unlock") {
    li.append(el("div", "unlocked $" + entry.pointer + ("cost" in entry ? " (cost " + entry.cost + ")" : ""), "text"));
  } else if (entry.kind === "hold") {
    li.append(el("div", "held $" + entry.pointer + ": " + entry.text, "text"));
  } else if (entry.kind === "note") {
    li.append(el("div", "note: " + entry.text, "text"));
  } else {
    li.append(el("div", "refused " + JSON.stringify(entry.action) + ": " + entry.reason, "text error"));
  }
  return li;
}

function pointerItem(p) {
  const li = el("li");
  li.dataset.n = p.n;
  if (p.locked) {
    li.append(el("span", "$" + p.n + " locked ", "meta"));
    const open = el("button", "Unlock $" + p.n);
    open.type = "button";
    open.className = "unlock";
    open.addEventListener("click", () => act({ action: "unlock", pointer: p.n }));
    li.append(open);
  } else {
    li.append(el("div", "$" + p.n + ": " + p.text, "text pointer"));
    if ("data" in p) li.append(el("div", "data: " + JSON.stringify(p.data), "text meta"));
  }
  return li;
}

function followable(log) {
  const found = [];
  for (const e of log) {
    if (e.kind === "ask" && e.asked.length === 1) found.push(e.asked[0].child);
    if (e.kind === "follow_up") found.push(e.child);
  }
  return found;
}

function showWorkspace(ws) {
  $("workspace").hidden = false;
  const key = JSON.stringify([ws.view, ws.ready, ws.nodes]);
  if (document.activeElement !== $("scratchpad") && $("scratchpad").value !== ws.scratchpad) {
    $("scratchpad").value = ws.scratchpad;
  }
  $("ws-waiting").hidden = ws.ready;
  renderTree(ws.tree_question, ws.nodes);
  if (key !== shown) drawView(ws.view);
  shown = key;
  for (const b of document.querySelectorAll("#actions button, #ws-pointers button")) b.disabled = !ws.ready;
}

function drawView(v) {
  const left = v.children_left === null ? "may ask any number" : "may ask " + v.children_left + " more";
  const budget = v.budget === null ? "budget unlimited" : "budget left " + v.budget;
  $("ws-where").textContent = "node " + v.path + " · depth " + v.depth + " · " + budget + " · " + left;
  $("ws-question").textContent = v.question;
  const history = $("ws-history");
  history.replaceChildren();
  for (const turn of v.history) {
    const li = el("li");
    li.append(el("div", "Q: " + turn.question, "text"), el("div", "A: " + turn.answer, "text"));
    history.append(li);
  }
  $("ws-history-box").hidden = !v.history.length;
  const pointers = v.pointers || [];
  $("ws-pointers").replaceChildren(...pointers.map(pointerItem));
  $("ws-pointers-box").hidden = !pointers.length;
  const log = $("ws-log");
  log.replaceChildren(...v.log.map(logItem));
  if (!v.log.length) log.append(el("li", "nothing yet", "meta"));
  $("ws-tools").textContent = "tools" in v ? "Tools: " + (v.tools.join(", ") || "none") : "";
  const select = $("follow-child");
  select.replaceChildren(...followable(v.log).map((c) => { const o = el("option", "[" + c + "]"); o.value = c; return o; }));
  $("follow-form").hidden = !select.options.length;
}

function renderTree(question, nodes) {
  $("tree-question").textContent = question;
  const tree = $("tree");
  tree.replaceChildren();
  for (const n of nodes) {
    const li = el("li", null, n.human ? "human" : "");
    li.style.marginLeft = n.depth * 1.1 + "em";
    li.append(el("span", n.path + " "), el("span", n.status, "status " + n.status.split(" ")[0]),
      el("span", " " + n.agent + ": ", "meta"), el("span", n.question, "text"));
    if (n.answer !== null) li.append(el("div", "→ " + n.answer, "text"));
    tree.append(li);
  }
}

async function act(action) {
  $("ws-error").hidden = true;
  try {
    const done = await api("/api/act", { lease: lease, action: action });
    if (!done.lease_goes_on) {
      const path = JSON.parse(shown || "[{}]")[0].path;
      lease = null;
      sessionStorage.removeItem("hch-lease");
      $("workspace").hidden = true;
      shown = "";
      say(action.action === "answer" ? "Answered " + path + ". Take another workspace."
        : "Asked from " + path + "; it comes back to the queue when its answers arrive.");
    }
    return true;
  } catch (error) {
    $("ws-error").textContent = error.message;
    $("ws-error").hidden = false;
    if (error.status === 410) await release();
    return false;
  }
}

function onSubmit(form, makeAction, clear) {
  $(form).addEventListener("submit", async (event) => {
    event.preventDefault();
    let action;
    try { action = makeAction(); } catch (error) {
      $("ws-error").textContent = error.message;
      $("ws-error").hidden = false;
      return;
    }
    if (await act(action)) for (const id of clear) $(id).value = id === "tool-args" ? "{}" : "";
  });
}

// -- polling (which also renews the lease) ------------------------------------------
async function poll() {
  try {
    renderState(await api("/api/state"));
    if (lease) {
      try { showWorkspace(await api("/api/workspace", { lease: lease })); } catch (error) {
        if (error.status === 410) { await release(); say("Your lease ended; the workspace went back to the queue."); }
        else throw error;
      }
    }
  } catch (error) {
    if (error.status === 401) {
      say("This page needs the access token: open the address hch serve-humans printed.");
      return;
    }
    say("The server does not answer (" + error.message + "); trying again.");
    $("queue").replaceChildren(el("li", "(unknown while the server does not answer)", "meta"));
  }
}

let padTimer = null;
function setup() {
  token = readToken();
  $("person").value = localStorage.getItem("hch-person") || "";
  $("person").addEventListener("change", () => localStorage.setItem("hch-person", person()));
  $("take-next").addEventListener("click", () => takeWorkspace());
  $("leave-btn").addEventListener("click", async () => { await release(); say("You left the workspace."); });
  onSubmit("ask-form", () => ({ action: "ask", questions: $("ask-text").value.split("\n").map((q) => q.trim()).filter((q) => q) }), ["ask-text"]);
  onSubmit("follow-form", () => ({ action: "follow_up", child: Number($("follow-child").value), question: $("follow-text").value }), ["follow-text"]);
  onSubmit("tool-form", () => {
    let args;
    try { args = JSON.parse($("tool-args").value || "{}"); } catch (e) { throw new Error("the tool's arguments are not JSON"); }
    return { action: "tool", name: $("tool-name").value.trim(), args: args };
  }, ["tool-name", "tool-args"]);
  onSubmit("note-form", () => ({ action: "note", text: $("note-text").value }), ["note-text"]);
  onSubmit("hold-form", () => ({ action: "hold", text: $("hold-text").value }), ["hold-text"]);
  onSubmit("answer-form", () => ({ action: "answer", text: $("answer-text").value }), ["answer-text"]);
  $("scratchpad").addEventListener("input", () => {
    clearTimeout(padTimer);
    padTimer = setTimeout(() => {
      if (lease) api("/api/scratchpad", { lease: lease, text: $("scratchpad").value }).catch(() => {});
    }, 300);
  });
  // Leaving the page gives the workspace back at once (the lease would lapse anyway).
  window.addEventListener("pagehide", () => {
    if (lease) api("/api/release", { lease: lease }, true).catch(() => {});
  });
  lease = sessionStorage.getItem("hch-lease");
  if (!token) say("This page needs the access token: open the address hch serve-humans printed.");
  poll();
  setInterval(poll, POLL_MS);
}

document.addEventListener("DOMContentLoaded", setup);
