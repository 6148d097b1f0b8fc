// Form fields shared by the new-group form (groups-page.js) and a group's settings form
// (console.js): a labelled control with a hint and an error line read out with it, and
// which field an API error is about, so each form shows the API's message beside it.

import { h } from "./console-ui.js";

/** The non-empty trimmed lines of a textarea. */
export const lines = (el) => el.value.split("\n").map((s) => s.trim()).filter(Boolean);

/** A labelled control with a hint and an error line, both read out with the control. */
export function field(control, label, hint) {
  const error = h("p", { id: `${control.id}-error`, class: "error", role: "alert" });
  const hintEl = hint ? h("p", { id: `${control.id}-hint`, class: "hint" }, hint) : null;
  control.setAttribute("aria-describedby", [hintEl?.id, error.id].filter(Boolean).join(" "));
  const show = (message) => {
    error.textContent = message;
    control.toggleAttribute("aria-invalid", Boolean(message));
  };
  return { control, show, nodes: [h("label", { for: control.id }, label), control, hintEl, error] };
}

/**
 * The form field an API error is about: the API names it in `error.field`; a duplicate
 * name (409) is about the name. `undefined` for errors about no field (403, 500, network)
 * or about a field the form does not have.
 */
export function fieldOf(error, fields) {
  if (error.field === "settings.allowedCidrs") return fields.cidrs;
  if (error.field === "settings.alertWebhooks") return fields.hooks;
  if (error.field === "name" || error.status === 409) return fields.name;
  return undefined;
}
