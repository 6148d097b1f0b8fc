// The group page's "Recent requests": the last invoke requests with the fields of their
// access lines, filtered by agent and status (GET /v1/groups/{group}/requests). A request
// id here is the one the caller got in x-request-id and the one in both logs.

import { api } from "./console-api.js";
import { h, replaceKeepingFocus, table, time } from "./console-ui.js";

const STATUSES = [["", "Any status"], ["2xx", "2xx"], ["4xx", "4xx"], ["5xx", "5xx"]];

/** The panel and its refresh; `refresh(agentNames)` also offers the group's agents in the filter. */
export function requestsPanel(path) {
  const agent = h("select", { id: "requests-agent", "data-focus": "requests-agent" }, h("option", { value: "" }, "Any agent"));
  const status = h("select", { id: "requests-status", "data-focus": "requests-status" }, STATUSES.map(([value, label]) => h("option", { value }, label)));
  const list = h("div", {});
  const refresh = async (agentNames = []) => {
    const known = new Set([...agent.options].map((o) => o.value));
    for (const name of agentNames) if (!known.has(name)) agent.append(h("option", { value: name }, name));
    const query = new URLSearchParams({ limit: "50" });
    if (agent.value) query.set("agent", agent.value);
    if (status.value) query.set("status", status.value);
    const { requests } = await api("GET", `${path}/requests?${query}`);
    replaceKeepingFocus(list, table("Recent requests", ["When", "Request id", "Op", "Profile", "Caller", "Agent", "Status", "Bytes in/out", "ms"],
      requests.map((r) => h("tr", { "data-request": r.requestId },
        h("td", {}, time(r.at)), h("td", {}, h("code", {}, r.requestId)), h("td", {}, r.op), h("td", {}, r.profile ?? "—"),
        h("td", {}, r.caller ?? "—"), h("td", {}, r.agent ?? "—"),
        h("td", { class: r.status >= 500 ? "s-failed" : r.status >= 400 ? "warn" : "" }, String(r.status), r.code ? ` ${r.code}` : ""),
        h("td", {}, `${r.bytesIn} / ${r.bytesOut}`), h("td", {}, String(r.ms)))),
      "No requests match."));
  };
  const onchange = () => refresh().catch(() => {});
  agent.addEventListener("change", onchange);
  status.addEventListener("change", onchange);
  const element = h("section", { class: "card", "aria-labelledby": "requests-title" },
    h("h2", { id: "requests-title" }, "Recent requests"),
    h("div", { class: "filters" },
      h("label", { for: "requests-agent" }, "Agent"), agent,
      h("label", { for: "requests-status" }, "Status"), status),
    list);
  return { element, refresh };
}
