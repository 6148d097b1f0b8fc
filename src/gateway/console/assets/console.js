// Outpost console: a small hash-routed page over the gateway's own API. The admin token
// lives only in sessionStorage (this tab); live updates come from the event stream, which
// is opened with a one-time ticket because EventSource cannot send an Authorization header.
// Shared helpers are in console-ui.js (DOM) and console-api.js (API); the groups page is
// in groups-page.js.

import { api, checkAdminToken, onUnauthorized, TOKEN_KEY } from "./console-api.js";
import { field, fieldOf, lines } from "./form-fields.js";
import { driftNotes, groupsPage } from "./groups-page.js";
import { requestsPanel } from "./requests-panel.js";
import { $, badge, confirmAction, enc, h, percent, replaceKeepingFocus, since, table, time, toast } from "./console-ui.js";

const view = $("view");
let refresh = null;
let events = null;
// Whether this tab's token was checked to be an admin token (at sign-in, or once after a reload).
let verified = false;

/** Runs an action from a button: shows failures instead of throwing them away. */
async function act(fn) {
  try {
    await fn();
  } catch (error) {
    toast(error.message);
  }
  refresh?.();
}

function groupPage(name) {
  const title = h("h1", { tabindex: "-1" }, `Group ${name} `);
  const status = h("span", {});
  title.append(status);
  const agents = h("div", {});
  const chart = h("div", { class: "chart" });
  const deliveries = h("div", {});
  const added = h("div", { "aria-live": "polite" });
  const settingsFields = {
    cidrs: field(h("textarea", { id: "cidrs" }), "Addresses agents may connect from (CIDR, one per line)", "Empty allows every address."),
    hooks: field(h("textarea", { id: "hooks" }), "Alert webhooks (URL, one per line)", "Slack URLs (or ?format=slack) get a Slack message; others get JSON."),
  };
  const cidrs = settingsFields.cidrs.control;
  const hooks = settingsFields.hooks.control;
  const settingsError = h("p", { id: "settings-error", class: "error", role: "alert" });
  const agentName = h("input", { id: "agent-name", required: true, pattern: "[A-Za-z0-9][A-Za-z0-9._\\-]{0,62}", autocomplete: "off" });
  const path = `/v1/groups/${enc(name)}`;
  const requests = requestsPanel(path);

  const addForm = h("form", { class: "card", "aria-labelledby": "add-title", onsubmit: (e) => (e.preventDefault(), act(async () => {
    const result = await api("POST", `${path}/agents`, { name: agentName.value });
    agentName.value = "";
    added.replaceChildren(
      h("p", {}, `Agent ${result.agent.name} added. On its machine, run (the code works once, until ${time(result.expiresAt)}):`),
      h("pre", { id: "activate-command", tabindex: "0", "aria-label": "Activation command" }, result.command),
      h("p", { class: "hint" }, "Activation code: ", h("code", { id: "activation-code" }, result.activationCode)));
  })) },
    h("h2", { id: "add-title" }, "Add agent"),
    h("label", { for: "agent-name" }, "Agent name"), agentName,
    h("button", { type: "submit" }, "Add agent"), added);

  // Errors go beside the field the API names (as in the new-group form), not into a toast.
  const settingsForm = h("form", { class: "card", novalidate: true, "aria-labelledby": "settings-title", onsubmit: (e) => (e.preventDefault(), saveSettings()) },
    h("h2", { id: "settings-title" }, "Settings"),
    settingsFields.cidrs.nodes, settingsFields.hooks.nodes,
    h("button", { type: "submit" }, "Save settings"), settingsError);

  async function saveSettings() {
    for (const f of Object.values(settingsFields)) f.show("");
    settingsError.textContent = "";
    try {
      await api("PATCH", path, { settings: { allowedCidrs: lines(cidrs), alertWebhooks: lines(hooks) } });
      toast("Settings saved");
    } catch (error) {
      const target = fieldOf(error, settingsFields);
      if (!target) {
        settingsError.textContent = error.message;
        return;
      }
      target.show(error.message);
      target.control.focus();
    }
    refresh?.();
  }

  view.append(title,
    h("h2", {}, "Agents"), agents,
    h("div", { class: "grid" }, h("section", { class: "card", "aria-labelledby": "chart-title" }, h("h2", { id: "chart-title" }, "Last hour"), chart), addForm, settingsForm),
    h("h2", {}, "Alert deliveries"), deliveries, requests.element);

  let first = true;
  return async () => {
    const [detail, stats, alerts] = await Promise.all([api("GET", path), api("GET", `${path}/stats`), api("GET", `${path}/alerts`)]);
    status.replaceChildren(badge(detail.group.status));
    if (first) {
      cidrs.value = detail.group.settings.allowedCidrs.join("\n");
      hooks.value = (detail.group.settings.alertWebhooks ?? []).join("\n");
      first = false;
    }
    replaceKeepingFocus(agents, ...[agentTable(path, detail), driftNote(detail.group)].filter(Boolean));
    chart.replaceChildren(drawChart(stats));
    await requests.refresh(detail.agents.map((agent) => agent.name));
    deliveries.replaceChildren(table("Alert deliveries", ["When", "Event", "Webhook", "Status", "Attempts", "HTTP"],
      alerts.deliveries.map((d) => h("tr", {}, h("td", {}, time(d.createdAt)), h("td", { class: "wrap" }, d.summary), h("td", {}, d.target),
        h("td", {}, badge(d.status)), h("td", {}, d.attempts), h("td", {}, d.httpStatus ?? d.error ?? "—"))),
      "No alerts sent yet."));
  };
}

function driftNote(group) {
  const notes = driftNotes(group);
  return notes.length ? h("p", { class: "warn", role: "note" }, `⚠ Configuration drift: ${notes.join("; ")}. Profiles only on some agents fail over to nobody.`) : null;
}

/** A connected agent: how long ago it was last known alive; a gone one: since when. */
function seen(agent) {
  if (agent.disconnectedAt) return `disconnected since ${time(agent.disconnectedAt)}`;
  return agent.lastSeenAt ? `${since(agent.lastSeenAt)} ago` : "—";
}

/**
 * Each profile with its health as the connected agent reported it (`unknown` while it is
 * not connected): a word, not a colour only, and a failing one's reason beside it.
 */
function profileList(profiles) {
  if (!profiles?.length) return "—";
  return h("ul", { class: "profiles" }, profiles.map((profile) => {
    const status = profile.health?.status ?? "unknown";
    const reason = status === "failing" && profile.health.reason ? h("span", { class: "reason" }, profile.health.reason) : null;
    return h("li", { "data-profile": profile.name, "data-health": status }, profile.name, " ", badge(status), reason && " ", reason);
  }));
}

function agentTable(path, detail) {
  return table("Agents", ["Name", "Status", "Version", "Remote IP", "Host", "PID", "OS user", "Uptime", "Last seen", "In flight", "Profiles", "Actions"],
    detail.agents.map((agent) => {
      const info = agent.info ?? {};
      const at = `${path}/agents/${enc(agent.name)}`;
      const toggle = agent.status === "disabled"
        ? h("button", { type: "button", class: "small secondary", "data-focus": `toggle-${agent.name}`, onclick: () => act(() => api("POST", `${at}/enable`)) }, "Enable", h("span", { class: "sr-only" }, ` ${agent.name}`))
        : h("button", { type: "button", class: "small secondary", "data-focus": `toggle-${agent.name}`, onclick: () => act(async () => {
          if (await confirmAction(`Disable agent ${agent.name}? It finishes its requests in flight and takes no new ones.`, "Disable")) await api("POST", `${at}/disable`);
        }) }, "Disable", h("span", { class: "sr-only" }, ` ${agent.name}`));
      const remove = h("button", { type: "button", class: "small danger", "data-focus": `remove-${agent.name}`, onclick: () => act(async () => {
        if (await confirmAction(`Remove agent ${agent.name}? Its identity stops working; it needs a new activation code to come back.`, "Remove")) await api("DELETE", at);
      }) }, "Remove", h("span", { class: "sr-only" }, ` ${agent.name}`));
      return h("tr", { "data-agent": agent.name },
        h("th", { scope: "row" }, agent.name), h("td", {}, badge(agent.status)), h("td", {}, info.version ?? "—"),
        h("td", {}, agent.connection?.remoteIp ?? "—"), h("td", {}, info.hostname ?? "—"), h("td", {}, info.pid ?? "—"),
        h("td", {}, info.user ?? "—"), h("td", {}, since(agent.connection?.connectedSince)), h("td", {}, seen(agent)), h("td", {}, agent.connection?.inFlight ?? "—"),
        h("td", { class: "wrap" }, profileList(info.profiles)),
        h("td", {}, toggle, remove));
    }), "No agents yet: add one below.");
}

/** Requests per minute as bars (errors in red) and mean latency as a line, over the last hour. */
function drawChart(stats) {
  const perMinute = [];
  const per = Math.max(1, Math.round(60000 / stats.bucketMs));
  for (let i = 0; i < stats.series.length; i += per) {
    const slice = stats.series.slice(i, i + per);
    const requests = slice.reduce((n, p) => n + p.requests, 0);
    const errors = slice.reduce((n, p) => n + p.errors, 0);
    const latency = slice.reduce((n, p) => n + (p.meanLatencyMs ?? 0) * p.requests, 0);
    perMinute.push({ requests, errors, latency: requests ? latency / requests : null });
  }
  const W = 600, H = 160, pad = 28, bw = (W - pad) / perMinute.length;
  const maxReq = Math.max(1, ...perMinute.map((p) => p.requests));
  const maxLat = Math.max(1, ...perMinute.map((p) => p.latency ?? 0));
  const ns = "http://www.w3.org/2000/svg";
  const s = (tag, attrs, ...kids) => {
    const el = document.createElementNS(ns, tag);
    for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
    el.append(...kids);
    return el;
  };
  const y = (v, max) => H - pad + 8 - (v / max) * (H - pad - 4);
  const total = perMinute.reduce((n, p) => n + p.requests, 0);
  const svg = s("svg", { viewBox: `0 0 ${W} ${H}`, role: "img", "aria-label": `Requests per minute and mean latency over the last hour: ${total} requests, ${stats.requestsPerMinute} in the last minute, error rate ${percent(stats.errorRate)}` },
    s("line", { class: "axis", x1: pad, y1: H - pad + 8, x2: W, y2: H - pad + 8 }),
    s("text", { x: 0, y: 12 }, String(maxReq)), s("text", { x: 0, y: H - pad + 8 }, "0"),
    s("text", { x: pad, y: H - 4 }, "−60 min"), s("text", { x: W - 30, y: H - 4 }, "now"),
    s("g", { class: "bars" }, ...perMinute.map((p, i) => s("rect", { x: pad + i * bw, y: y(p.requests, maxReq), width: Math.max(1, bw - 1), height: H - pad + 8 - y(p.requests, maxReq) }))),
    s("g", { class: "errs" }, ...perMinute.map((p, i) => s("rect", { x: pad + i * bw, y: y(p.errors, maxReq), width: Math.max(1, bw - 1), height: H - pad + 8 - y(p.errors, maxReq) }))),
    s("polyline", { class: "latency", points: perMinute.map((p, i) => (p.latency === null ? null : `${pad + i * bw + bw / 2},${y(p.latency, maxLat)}`)).filter(Boolean).join(" ") }));
  return h("div", {}, svg, h("p", { class: "legend" }, h("span", { class: "k-req" }, `requests/min (${stats.requestsPerMinute} now)`),
    h("span", { class: "k-err" }, `errors (${percent(stats.errorRate)})`), h("span", { class: "k-lat" }, `mean latency (max ${Math.round(maxLat)} ms)`)));
}

function tokensPage() {
  const list = h("div", {});
  const shown = h("div", { "aria-live": "polite" });
  const name = h("input", { id: "token-name", required: true, autocomplete: "off" });
  const admin = h("input", { id: "token-admin", type: "checkbox" });
  const groups = h("input", { id: "token-groups", autocomplete: "off", "aria-describedby": "token-groups-hint" });
  const form = h("form", { class: "card", "aria-labelledby": "new-token", onsubmit: (e) => (e.preventDefault(), act(async () => {
    const scope = groups.value.split(",").map((s) => s.trim()).filter(Boolean);
    const result = await api("POST", "/v1/admin/tokens", { name: name.value, admin: admin.checked, groups: scope.length ? scope : null });
    name.value = groups.value = "";
    admin.checked = false;
    shown.replaceChildren(h("p", {}, `Token ${result.token.name} created. Copy it now: it is shown only once.`),
      h("pre", { id: "token-secret", tabindex: "0", "aria-label": "New token" }, result.secret));
  })) },
    h("h2", { id: "new-token" }, "Create a token"),
    h("label", { for: "token-name" }, "Name"), name,
    h("label", { class: "check" }, admin, "Admin (every route and group)"),
    h("label", { for: "token-groups" }, "Groups"), groups,
    h("p", { id: "token-groups-hint", class: "hint" }, "Comma-separated group names; empty means every group."),
    h("button", { type: "submit" }, "Create token"), shown);
  view.append(h("h1", { tabindex: "-1" }, "API tokens"), form, list);
  return async () => {
    const { tokens } = await api("GET", "/v1/admin/tokens");
    replaceKeepingFocus(list, table("API tokens", ["Name", "Kind", "Groups", "Created", "Last used", "State", ""],
      tokens.map((t) => h("tr", { "data-token": t.name },
        h("th", { scope: "row" }, t.name), h("td", {}, t.admin ? "admin" : "caller"), h("td", {}, t.groups?.join(", ") ?? "all"),
        h("td", {}, time(t.createdAt)), h("td", {}, time(t.lastUsedAt)), h("td", {}, t.revokedAt ? badge("revoked") : badge("active")),
        h("td", {}, t.revokedAt ? "" : h("button", { type: "button", class: "small danger", "data-focus": `revoke-${t.id}`, onclick: () => act(async () => {
          if (await confirmAction(`Revoke token ${t.name}? Callers using it are refused at once.`, "Revoke")) await api("DELETE", `/v1/admin/tokens/${enc(t.id)}`);
        }) }, "Revoke", h("span", { class: "sr-only" }, ` ${t.name}`))))),
      "No tokens."));
  };
}

// ---- shell -------------------------------------------------------------------------

async function route() {
  const token = sessionStorage.getItem(TOKEN_KEY);
  if (!token) return showLogin();
  if (!verified) {
    // A reload keeps the token but not the check made at sign-in: only admins get a page
    // (and so the forms that change things), whatever was put in sessionStorage.
    const check = await checkAdminToken(token).catch((error) => ({ admin: false, message: error.message, transient: true }));
    if (check.transient) return toast(check.message);
    if (!check.admin) return logout(check.message);
    verified = true;
  }
  $("login").hidden = true;
  $("nav").hidden = false;
  view.replaceChildren();
  const hash = decodeURIComponent(location.hash.slice(1) || "/groups");
  const group = /^\/groups\/(.+)$/.exec(hash);
  refresh = group ? groupPage(group[1]) : hash === "/tokens" ? tokensPage() : groupsPage(view);
  for (const link of document.querySelectorAll("nav a")) link.toggleAttribute("aria-current", link.getAttribute("href") === `#${hash}`);
  document.title = `${view.querySelector("h1")?.textContent ?? "Outpost"} · Outpost console`;
  await load();
  view.querySelector("h1")?.focus();
  connectEvents();
}

async function load() {
  const current = refresh;
  try {
    await current?.();
  } catch (error) {
    if (current === refresh && error.status !== 401) toast(error.message);
  }
}

let pending = null;
function refreshSoon() {
  clearTimeout(pending);
  pending = setTimeout(load, 150);
}

async function connectEvents() {
  if (events) return;
  events = "opening";
  try {
    const { ticket } = await api("POST", "/v1/admin/events/ticket");
    const source = new EventSource(`/v1/admin/events?ticket=${enc(ticket)}`);
    events = source;
    source.addEventListener("hello", () => ($("live").textContent = "Live"));
    for (const type of ["agent", "admin", "alert", "tick"]) source.addEventListener(type, refreshSoon);
    source.onerror = () => {
      // The ticket was spent; reconnecting needs a new one, so take over from EventSource.
      source.close();
      events = null;
      $("live").textContent = "Reconnecting…";
      if (sessionStorage.getItem(TOKEN_KEY)) setTimeout(connectEvents, 3000);
    };
  } catch {
    events = null;
    if (sessionStorage.getItem(TOKEN_KEY)) setTimeout(connectEvents, 3000);
  }
}

function showLogin(message = "") {
  $("nav").hidden = true;
  $("login").hidden = false;
  $("live").textContent = "";
  view.replaceChildren();
  refresh = null;
  $("login-error").textContent = message;
  $("login-token").focus();
}

function logout(message) {
  sessionStorage.removeItem(TOKEN_KEY);
  verified = false;
  if (events && events !== "opening") events.close();
  events = null;
  showLogin(message);
}

$("login-form").addEventListener("submit", async (e) => {
  e.preventDefault();
  const token = $("login-token").value.trim();
  const check = await checkAdminToken(token);
  if (!check.admin) {
    $("login-error").textContent = check.message;
    return;
  }
  verified = true;
  sessionStorage.setItem(TOKEN_KEY, token);
  $("login-token").value = "";
  route();
});
$("logout").addEventListener("click", () => logout(""));
onUnauthorized(logout);
window.addEventListener("hashchange", route);
route();
