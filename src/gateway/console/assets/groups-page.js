// The groups page: every group with its status and rates, a form that creates a group,
// and deleting an empty group after a confirmation. Only admins reach any page (the
// shell checks the token), so the form needs no check of its own; the API checks again.
// The API is the one judge of names and settings: the form sends what was typed and shows
// the API's message beside the field it is about.

import { api } from "./console-api.js";
import { badge, confirmAction, enc, h, percent, replaceKeepingFocus, table } from "./console-ui.js";
import { field, fieldOf, lines } from "./form-fields.js";

/** What is uneven between a group's agents, in a few words: settings that differ, profiles only some offer. */
export function driftNotes(group) {
  const differ = Object.keys(group.drift);
  const partial = Object.entries(group.onlyOn ?? {});
  return [
    differ.length ? `settings differ: ${differ.join(", ")}` : null,
    partial.length ? `only on some agents: ${partial.map(([name, agents]) => `${name} (${agents.join(", ")})`).join(", ")}` : null,
  ].filter(Boolean);
}

export function groupsPage(view) {
  const list = h("div", {});
  // Outcomes of deleting (and why a group cannot be deleted); focused after a delete so
  // the keyboard does not fall back to the top of the page when the row disappears.
  const message = h("p", { id: "groups-message", class: "message", role: "status", tabindex: "-1" });
  const fields = {
    name: field(h("input", { id: "group-name", required: true, autocomplete: "off", spellcheck: "false" }), "Name",
      "1–63 letters, digits, “.”, “_” or “-”, starting with a letter or digit."),
    cidrs: field(h("textarea", { id: "group-cidrs" }), "Addresses agents may connect from (CIDR, one per line)", "Empty allows every address."),
    hooks: field(h("textarea", { id: "group-hooks" }), "Alert webhooks (URL, one per line)", "Slack URLs (or ?format=slack) get a Slack message; others get JSON."),
  };
  const settings = h("details", {}, h("summary", {}, "Settings (optional)"), fields.cidrs.nodes, fields.hooks.nodes);
  const formError = h("p", { id: "new-group-error", class: "error", role: "alert" });
  let busy = false;

  const form = h("form", { id: "new-group", class: "card", novalidate: true, "aria-labelledby": "new-group-title", onsubmit: create },
    h("h2", { id: "new-group-title" }, "New group"),
    fields.name.nodes, settings,
    h("button", { type: "submit" }, "Create group"), formError);

  view.append(h("h1", { tabindex: "-1" }, "Groups"), list, message, form);

  async function load() {
    const [{ groups }, { groups: stats }] = await Promise.all([api("GET", "/v1/groups"), api("GET", "/v1/admin/stats")]);
    const rate = Object.fromEntries(stats.map((s) => [s.name, s]));
    replaceKeepingFocus(list, table("Groups", ["Name", "Status", "Agents active / total", "Requests / min", "Error rate", "Drift", "Actions"],
      groups.map((group) => row(group, rate[group.name])), "No groups yet: create one below."));
  }

  function row(group, stats) {
    const notes = driftNotes(group);
    return h("tr", { "data-group": group.name },
      h("th", { scope: "row" }, h("a", { href: `#/groups/${enc(group.name)}`, "data-focus": `open-${group.name}` }, group.name)),
      h("td", {}, badge(group.status)),
      h("td", {}, `${group.activeAgents} / ${group.agentCount}`),
      h("td", {}, stats?.requestsPerMinute ?? 0),
      h("td", {}, percent(stats?.errorRate ?? 0)),
      h("td", { class: "wrap" }, notes.length ? h("span", { class: "warn" }, `⚠ ${notes.join("; ")}`) : "—"),
      h("td", {}, h("button", { type: "button", class: "small danger", "data-focus": `delete-${group.name}`, onclick: () => remove(group) },
        "Delete", h("span", { class: "sr-only" }, ` ${group.name}`))));
  }

  async function create(event) {
    event.preventDefault();
    if (busy) return;
    busy = true;
    for (const f of Object.values(fields)) f.show("");
    formError.textContent = message.textContent = "";
    const name = fields.name.control.value.trim();
    const patch = {};
    if (lines(fields.cidrs.control).length) patch.allowedCidrs = lines(fields.cidrs.control);
    if (lines(fields.hooks.control).length) patch.alertWebhooks = lines(fields.hooks.control);
    try {
      await api("POST", "/v1/groups", { name, settings: patch });
      form.reset();
      settings.open = false;
      message.textContent = `Group ${name} created.`;
      await load();
      // Next step is usually adding its agents: land on the link that opens the new group.
      list.querySelector(`[data-focus="${CSS.escape(`open-${name}`)}"]`)?.focus();
    } catch (error) {
      const target = fieldOf(error, fields);
      if (!target) {
        formError.textContent = error.message;
        return;
      }
      if (target !== fields.name) settings.open = true;
      target.show(error.message);
      target.control.focus();
    } finally {
      busy = false;
    }
  }

  async function remove(group) {
    const button = () => list.querySelector(`[data-focus="${CSS.escape(`delete-${group.name}`)}"]`);
    if (group.agentCount > 0) {
      // The API refuses (409) unless forced, and the console does not force: say what to do.
      const agents = group.agentCount === 1 ? "1 agent" : `${group.agentCount} agents`;
      message.replaceChildren(`Group ${group.name} cannot be deleted: it still has ${agents}. Remove them on `,
        h("a", { href: `#/groups/${enc(group.name)}` }, "its page"), " first.");
      return;
    }
    if (!(await confirmAction(`Delete group ${group.name}? It has no agents. This cannot be undone.`, "Delete group"))) {
      button()?.focus();
      return;
    }
    try {
      await api("DELETE", `/v1/groups/${enc(group.name)}`);
      message.textContent = `Group ${group.name} deleted.`;
      await load();
      message.focus();
    } catch (error) {
      message.textContent = error.message;
      await load().catch(() => {});
      button()?.focus();
    }
  }

  return load;
}
