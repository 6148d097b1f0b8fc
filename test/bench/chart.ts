/**
 * @module
 * A hand-written SVG bar chart of the ratios: one row per figure that has them, a bar for
 * Outpost against SSH, one against direct and one against the bare relay of its design. Bars grow right of the 1× line when Outpost
 * does better (whichever way the metric points) and left when it does worse, on a log₂
 * scale clamped at 16×, so 2× better and 2× worse are the same length.
 */
import { advantage, type Figure } from "./results.ts";

const WIDTH = 980;
const LABEL = 430;
const ROW = 32;
const TOP = 64;
const CLAMP = 4; // log2(16)
const COLORS = { ssh: "#2f6fb3", direct: "#9a9a9a", relay: "#d08a1e" } as const;
const PATHS = ["ssh", "direct", "relay"] as const;

const escape = (text: string) => text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/`/g, "");

export function renderChart(figures: Figure[], title: string): string {
  const rows = figures.filter((figure) => PATHS.some((path) => advantage(figure, path) !== undefined));
  const plot = WIDTH - LABEL - 30;
  const center = LABEL + plot / 2;
  const scale = plot / 2 / CLAMP;
  const height = TOP + rows.length * ROW + 40;
  const out = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" font-family="sans-serif" font-size="12">`,
    `<rect width="100%" height="100%" fill="#fff"/>`,
    `<text x="12" y="22" font-size="15" font-weight="bold">${escape(title)}</text>`,
    `<text x="12" y="42" fill="#444">Right of 1×: Outpost better; left: worse (log scale, clamped at 16×).</text>`,
    `<rect x="${WIDTH - 360}" y="32" width="12" height="12" fill="${COLORS.ssh}"/><text x="${WIDTH - 344}" y="42">vs SSH tunnel</text>`,
    `<rect x="${WIDTH - 250}" y="32" width="12" height="12" fill="${COLORS.relay}"/><text x="${WIDTH - 234}" y="42">vs bare relay</text>`,
    `<rect x="${WIDTH - 140}" y="32" width="12" height="12" fill="${COLORS.direct}"/><text x="${WIDTH - 124}" y="42">vs direct</text>`,
  ];
  for (let tick = -CLAMP; tick <= CLAMP; tick++) {
    const x = center + tick * scale;
    const label = tick === 0 ? "1×" : tick > 0 ? `${2 ** tick}×` : `1/${2 ** -tick}`;
    out.push(`<line x1="${x}" y1="${TOP - 6}" x2="${x}" y2="${TOP + rows.length * ROW}" stroke="${tick === 0 ? "#000" : "#e2e2e2"}"/>`);
    out.push(`<text x="${x}" y="${TOP + rows.length * ROW + 16}" text-anchor="middle" fill="#444">${label}</text>`);
  }
  rows.forEach((figure, i) => {
    const y = TOP + i * ROW;
    out.push(`<text x="${LABEL - 8}" y="${y + 16}" text-anchor="end">${escape(`${figure.measurement}. ${figure.label}`)}</text>`);
    PATHS.forEach((path, j) => {
      const value = advantage(figure, path);
      if (value === undefined || value <= 0) return;
      const length = Math.max(-CLAMP, Math.min(CLAMP, Math.log2(value))) * scale;
      const x = length >= 0 ? center : center + length;
      out.push(`<rect x="${x.toFixed(1)}" y="${y + 3 + j * 9}" width="${Math.max(1, Math.abs(length)).toFixed(1)}" height="8" fill="${COLORS[path]}"><title>${escape(`${figure.label}: Outpost ${value.toFixed(2)}× better than ${path}`)}</title></rect>`);
    });
  });
  out.push("</svg>", "");
  return out.join("\n");
}
