// The console's page: signs in with the operator credential (kept for this tab only), polls
// /api/state every second, and sends pause/resume/open/reset after a confirmation that names
// the pool and the window. No framework, nothing loaded from elsewhere.
"use strict";
let credential = sessionStorage.getItem("claimgate-credential") || "";
let previous = {};      // granted per pool at the last poll, for grants/s
let previousAt = 0;
let timer = null;

async function api(method, path, body) {
  const response = await fetch(path, {
    method,
    headers: { "Authorization": "Bearer " + credential, "Content-Type": "application/json" },
    body: body ? JSON.stringify(body) : undefined,
  });
  const data = await response.json();
  if (!response.ok) { throw new Error(data.message || response.status); }
  return data;
}

// One row per pool, made once and updated in place each second: a button never vanishes
// under the operator's pointer between a poll and a click.
function rowFor(p) {
  let row = document.getElementById("pool-" + p.pool);
  if (row) { return row; }
  row = document.createElement("tr");
  row.id = "pool-" + p.pool;
  for (const name of ["name", "window", "state", "released", "granted", "left", "rate", "refusals", "sold-out-at"]) {
    const td = document.createElement("td");
    td.className = name + (["released", "granted", "left", "rate"].includes(name) ? " n" : "");
    row.appendChild(td);
  }
  const actions = document.createElement("td");
  actions.className = "actions";
  for (const label of ["Pause", "Resume", "Open", "Reset"]) {
    const b = document.createElement("button");
    b.textContent = label;
    b.dataset.action = label.toLowerCase();
    b.addEventListener("click", () => act(p.pool, row.dataset.window || null, label.toLowerCase()));
    actions.appendChild(b);
  }
  row.appendChild(actions);
  document.querySelector("#pools tbody").appendChild(row);
  return row;
}

function set(row, name, text) { row.querySelector("td." + name).textContent = text; }

async function act(pool, windowId, action) {
  let reason;
  if (action === "pause") {
    reason = prompt("Why, as residents will be told (" + pool + ")", "paused by the programme's operators");
    if (reason === null) { return; }
  }
  const where = pool + (windowId ? ", window " + windowId : "");
  if (!confirm(action.toUpperCase() + " " + where + "?")) { return; }
  try {
    const result = await api("POST", "/api/pools/" + encodeURIComponent(pool) + "/" + action, reason ? { reason } : null);
    document.getElementById("done").textContent = result.done;
  } catch (e) {
    document.getElementById("done").textContent = action + " " + where + " failed: " + e.message;
  }
  refresh();
}

function render(state) {
  document.getElementById("programme").textContent =
    state.name + " (" + state.programme + (state.version ? ", version " + state.version : "") + ") — gateway clock " +
    state.server_time;
  const now = Date.now();
  const seconds = previousAt ? (now - previousAt) / 1000 : 0;
  for (const p of state.pools) {
    const row = rowFor(p);
    row.dataset.window = p.window ? p.window.id : "";
    row.classList.toggle("paused", p.state === "paused");
    row.classList.toggle("sold-out", Boolean(p.sold_out));
    set(row, "name", p.pool + " — " + p.name);
    set(row, "window", p.window ? p.window.id : "-");
    set(row, "state", p.state + (p.paused_reason ? " (" + p.paused_reason + ")" : ""));
    row.querySelector("td.state").className = "state state-" + p.state;
    set(row, "released", p.stock_released ? p.released : "not yet (" + p.stock_per_release + ")");
    set(row, "granted", p.granted);
    set(row, "left", p.stock_released ? p.left : "-");
    const rate = seconds > 0 && previous[p.pool] !== undefined ? (p.granted - previous[p.pool]) / seconds : 0;
    set(row, "rate", rate.toFixed(0));
    const refusals = Object.entries(p.claims).filter(([k]) => k !== "granted" && k !== "replayed")
      .map(([k, v]) => k + " " + v).join(", ");
    set(row, "refusals", refusals || "-");
    set(row, "sold-out-at", p.sold_out_at ? p.sold_out_at.slice(11, 23) : p.sold_out ? "before this page" : "-");
    row.querySelector("button[data-action=pause]").hidden = p.state === "paused";
    row.querySelector("button[data-action=resume]").hidden = p.state !== "paused";
    previous[p.pool] = p.granted;
  }
  previousAt = now;
  const audit = document.getElementById("audit");
  if (state.audit) {
    audit.textContent = "last audit " + state.audit.ran_at + ": " + (state.audit.clean ? "clean" : "PROBLEMS: " +
      state.audit.problems.join("; ")) + " (" + state.audit.windows + " windows, " + state.audit.vouchers + " vouchers)";
    audit.className = state.audit.clean ? "" : "error";
  }
  document.getElementById("status").textContent = "live: updated " + new Date().toLocaleTimeString();
}

async function refresh() {
  try {
    render(await api("GET", "/api/state"));
  } catch (e) {
    document.getElementById("status").textContent = "cannot read the state: " + e.message;
    if (e.message.includes("credential")) { signOut(e.message); }
  }
}

function signOut(message) {
  sessionStorage.removeItem("claimgate-credential");
  credential = "";
  clearInterval(timer);
  document.getElementById("console").hidden = true;
  document.getElementById("login").hidden = false;
  document.getElementById("login-error").textContent = message || "";
}

function start() {
  document.getElementById("login").hidden = true;
  document.getElementById("console").hidden = false;
  refresh();
  timer = setInterval(refresh, 1000);
}

document.getElementById("login").addEventListener("submit", (event) => {
  event.preventDefault();
  credential = document.getElementById("credential").value;
  sessionStorage.setItem("claimgate-credential", credential);
  start();
});
document.getElementById("run-audit").addEventListener("click", async () => {
  try { render(await api("POST", "/api/audit")); } catch (e) {
    document.getElementById("audit").textContent = "audit failed: " + e.message;
  }
});
if (credential) { start(); }
