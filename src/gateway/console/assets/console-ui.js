// Small DOM helpers shared by the console's pages. DOM is built with `h()` (never
// innerHTML), so names and addresses from the API cannot inject markup.

export const $ = (id) => document.getElementById(id);
export const enc = encodeURIComponent;

export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (key.startsWith("on")) el.addEventListener(key.slice(2), value);
    else el.setAttribute(key, value === true ? "" : String(value));
  }
  el.append(...children.flat().filter((c) => c !== null && c !== undefined).map((c) => (c instanceof Node ? c : String(c))));
  return el;
}

export function toast(message) {
  const box = $("toast");
  box.textContent = message;
  box.classList.add("show");
  clearTimeout(toast.timer);
  toast.timer = setTimeout(() => box.classList.remove("show"), 4000);
}

/** Asks in the page's modal dialog; resolves true when the user chose `label` (Esc cancels). */
export function confirmAction(message, label) {
  const dialog = $("confirm");
  $("confirm-text").textContent = message;
  $("confirm-ok").textContent = label;
  dialog.returnValue = "";
  dialog.showModal();
  return new Promise((resolve) => dialog.addEventListener("close", () => resolve(dialog.returnValue === "ok"), { once: true }));
}

export const badge = (status) => h("span", { class: `badge s-${status}` }, status.replace("_", " "));
export const time = (iso) => (iso ? new Date(iso).toLocaleString() : "—");
export const percent = (rate) => `${(rate * 100).toFixed(rate > 0 && rate < 0.01 ? 2 : 0)} %`;

export function since(iso) {
  if (!iso) return "—";
  let s = Math.max(0, Math.floor((Date.now() - Date.parse(iso)) / 1000));
  const d = Math.floor(s / 86400), hr = Math.floor((s % 86400) / 3600), m = Math.floor((s % 3600) / 60);
  s %= 60;
  return d ? `${d}d ${hr}h` : hr ? `${hr}h ${m}m` : m ? `${m}m ${s}s` : `${s}s`;
}

export function table(caption, headers, rows, empty) {
  if (rows.length === 0) return h("p", { class: "hint" }, empty);
  return h("div", { class: "table-wrap" }, h("table", {},
    h("caption", { class: "sr-only" }, caption),
    h("thead", {}, h("tr", {}, headers.map((name) => h("th", { scope: "col" }, name)))),
    h("tbody", {}, rows)));
}

/**
 * Replaces `container`'s children without losing the keyboard's place: the element that
 * had focus (found again by its `data-focus` key) gets it back. Live refreshes rebuild
 * tables every few seconds, and focus must not fall back to the top of the page.
 */
export function replaceKeepingFocus(container, ...children) {
  const active = document.activeElement;
  const key = container.contains(active) ? active.dataset.focus : undefined;
  container.replaceChildren(...children);
  if (key) container.querySelector(`[data-focus="${CSS.escape(key)}"]`)?.focus();
}
