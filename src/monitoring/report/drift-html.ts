/**
 * The drift report as one self-contained HTML file: inline CSS, inline SVG plots, no script, no font or image from
 * any host, so it opens offline and can be mailed or attached to a run. Every user string is escaped.
 */
import type { ColumnDriftResult, DriftDistribution, DriftResult } from "../drift/result.js";
import { escapeHtml } from "./escape-html.js";
import { svgBarChart } from "./svg-bars.js";

const STYLE = `
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:24px;color:#1d2330;background:#fff}
h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:28px 0 8px}h3{font-size:15px;margin:0 0 6px}
.muted{color:#5b6473}.summary{display:flex;gap:16px;flex-wrap:wrap;margin:16px 0}
.card{border:1px solid #d8dde6;border-radius:6px;padding:10px 14px;min-width:140px}
.card b{display:block;font-size:20px}.drift{color:#b42318}.ok{color:#067647}
table{border-collapse:collapse;width:100%;margin:8px 0}th,td{text-align:left;padding:5px 8px;border-bottom:1px solid #e4e7ec}
th{background:#f5f7fa;font-weight:600}td.num{text-align:right;font-variant-numeric:tabular-nums}
.column{border:1px solid #d8dde6;border-radius:6px;padding:12px;margin:12px 0}
svg text{font-size:10px;fill:#5b6473}svg .ref{fill:#7a8aa6}svg .cur{fill:#e07b39}svg .axis{stroke:#98a2b3}
.legend span{display:inline-block;width:10px;height:10px;margin:0 4px 0 12px}.legend .r{background:#7a8aa6}.legend .c{background:#e07b39}
`;

const fmt = (value: number | null): string => {
  if (value === null) return "-";
  if (!Number.isFinite(value)) return String(value);
  if (value !== 0 && Math.abs(value) < 1e-4) return value.toExponential(3);
  return Number(value.toPrecision(6)).toString();
};

const verdict = (drifted: boolean): string => (drifted ? `<span class="drift">drift</span>` : `<span class="ok">no drift</span>`);

const binLabels = (distribution: DriftDistribution): string[] =>
  distribution.kind === "histogram"
    ? distribution.reference.map((_share, i) => fmt(distribution.edges[i] ?? 0))
    : distribution.categories.map(String);

const columnSection = (name: string, column: ColumnDriftResult): string => {
  const plot =
    column.distribution === undefined
      ? ""
      : svgBarChart({
          labels: binLabels(column.distribution),
          reference: column.distribution.reference,
          current: column.distribution.current,
          title: `${name}: reference vs current`,
        });
  const sampled = column.sampled === undefined ? "" : `<p class="muted">${escapeHtml(column.sampled)}</p>`;
  return `<section class="column"><h3>${escapeHtml(name)} — ${verdict(column.drifted)}</h3>
<p class="muted">${escapeHtml(column.method_name)} (${escapeHtml(column.method)}): ${column.p_value === null ? "distance" : "p-value"} ${fmt(
    column.p_value ?? column.statistic,
  )}, threshold ${fmt(column.threshold)}; ${column.reference_rows} reference and ${column.current_rows} current values (${column.reference_missing} and ${column.current_missing} missing)</p>
${sampled}<p class="legend"><span class="r"></span>reference<span class="c"></span>current</p>${plot}</section>`;
};

const testTable = (columns: Record<string, ColumnDriftResult>): string => {
  const rows = Object.entries(columns)
    .map(
      ([name, c]) =>
        `<tr><td>${escapeHtml(name)}</td><td>${escapeHtml(c.column_type)}</td><td>${escapeHtml(c.method)}</td><td class="num">${fmt(c.statistic)}</td><td class="num">${fmt(
          c.p_value,
        )}</td><td class="num">${fmt(c.threshold)}</td><td>${verdict(c.drifted)}</td></tr>`,
    )
    .join("\n");
  return `<table><thead><tr><th>column</th><th>type</th><th>test</th><th>statistic</th><th>p-value</th><th>threshold</th><th>result</th></tr></thead><tbody>${rows}</tbody></table>`;
};

export const renderDriftHtml = (result: DriftResult, title = "Data drift report"): string => {
  const skipped = Object.entries(result.skipped_columns);
  const skippedHtml =
    skipped.length === 0
      ? ""
      : `<h2>Not tested</h2><ul>${skipped.map(([name, s]) => `<li>${escapeHtml(name)}: ${escapeHtml(s.reason)}</li>`).join("")}</ul>`;
  const extra = (label: string, part: Record<string, ColumnDriftResult> | null): string =>
    part === null ? "" : `<h2>${label}</h2>${testTable(part)}`;
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${escapeHtml(title)}</title><style>${STYLE}</style></head><body>
<h1>${escapeHtml(title)}</h1>
<p class="muted">reference: ${escapeHtml(result.reference.source)} (${result.reference.rows} rows) · current: ${escapeHtml(result.current.source)} (${result.current.rows} rows) · schema version ${result.schema_version}</p>
<div class="summary">
<div class="card">dataset drift<b>${verdict(result.dataset_drift)}</b></div>
<div class="card">drifted columns<b>${result.number_of_drifted_columns} of ${result.number_of_columns}</b></div>
<div class="card">share drifted<b>${fmt(result.share_drifted)}</b><span class="muted">threshold ${fmt(result.drift_share)}</span></div>
</div>
${extra("Prediction drift", result.prediction_drift)}${extra("Target drift", result.target_drift)}
<h2>Tests</h2>${testTable(result.columns)}
${skippedHtml}
<h2>Distributions</h2>
${Object.entries(result.columns).map(([name, column]) => columnSection(name, column)).join("\n")}
</body></html>
`;
};
