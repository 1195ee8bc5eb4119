/** Reports: the self-contained HTML drift report (the JSON is the DriftResult itself). */
export { renderDriftHtml } from "./drift-html.js";
export { escapeHtml } from "./escape-html.js";
