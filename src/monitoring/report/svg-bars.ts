/**
 * A grouped bar chart as inline SVG: reference and current shares side by side per bin or category. No script and
 * no external resource, so the report opens anywhere, offline.
 */
import { escapeHtml } from "./escape-html.js";

export interface BarChartInput {
  labels: string[];
  reference: number[];
  current: number[];
  title: string;
}

const WIDTH = 560;
const HEIGHT = 200;
const PAD_LEFT = 44;
const PAD_BOTTOM = 36;
const PAD_TOP = 10;

const percent = (share: number): string => `${(share * 100).toFixed(share < 0.001 && share > 0 ? 3 : 1)}%`;

export const svgBarChart = (input: BarChartInput): string => {
  const n = Math.max(input.labels.length, 1);
  const top = Math.max(...input.reference, ...input.current, 1e-12);
  const plotWidth = WIDTH - PAD_LEFT - 8;
  const plotHeight = HEIGHT - PAD_TOP - PAD_BOTTOM;
  const slot = plotWidth / n;
  const bar = Math.max(slot * 0.4, 0.5);
  const y = (share: number): number => PAD_TOP + plotHeight * (1 - share / top);
  const parts: string[] = [];
  input.labels.forEach((label, i) => {
    const x = PAD_LEFT + i * slot + slot * 0.1;
    const ref = input.reference[i] ?? 0;
    const cur = input.current[i] ?? 0;
    const title = escapeHtml(`${label}: reference ${percent(ref)}, current ${percent(cur)}`);
    parts.push(
      `<g><title>${title}</title>` +
        `<rect class="ref" x="${x.toFixed(2)}" y="${y(ref).toFixed(2)}" width="${bar.toFixed(2)}" height="${(PAD_TOP + plotHeight - y(ref)).toFixed(2)}"/>` +
        `<rect class="cur" x="${(x + bar).toFixed(2)}" y="${y(cur).toFixed(2)}" width="${bar.toFixed(2)}" height="${(PAD_TOP + plotHeight - y(cur)).toFixed(2)}"/></g>`,
    );
  });
  // Label at most ~10 ticks so long axes stay legible.
  const every = Math.ceil(n / 10);
  const ticks = input.labels
    .map((label, i) => (i % every === 0 ? `<text x="${(PAD_LEFT + i * slot + slot / 2).toFixed(2)}" y="${HEIGHT - PAD_BOTTOM + 14}" text-anchor="middle">${escapeHtml(label.length > 14 ? `${label.slice(0, 13)}…` : label)}</text>` : ""))
    .join("");
  const axis =
    `<line x1="${PAD_LEFT}" y1="${PAD_TOP + plotHeight}" x2="${WIDTH - 8}" y2="${PAD_TOP + plotHeight}" class="axis"/>` +
    `<text x="${PAD_LEFT - 4}" y="${PAD_TOP + 8}" text-anchor="end">${percent(top)}</text>` +
    `<text x="${PAD_LEFT - 4}" y="${PAD_TOP + plotHeight}" text-anchor="end">0</text>`;
  return `<svg role="img" aria-label="${escapeHtml(input.title)}" viewBox="0 0 ${WIDTH} ${HEIGHT}" width="${WIDTH}" height="${HEIGHT}">${axis}${parts.join("")}${ticks}</svg>`;
};
