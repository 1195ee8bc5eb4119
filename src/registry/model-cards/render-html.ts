import type { ModelCard } from "./model-card.js";

/**
 * The card as a self-contained HTML page. Every piece of user text is escaped, so a card can never carry markup or
 * script into a browser. The free-text fields are shown as text (paragraphs split on blank lines, line breaks kept),
 * not interpreted as Markdown: rendering Markdown safely needs a sanitising renderer, which is not worth a
 * dependency for a card.
 */
const ESCAPES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };

export const escapeHtml = (text: string): string => text.replace(/[&<>"']/g, (char) => ESCAPES[char] ?? char);

const paragraphs = (text: string): string => {
  const blocks = text
    .trim()
    .split(/\n\s*\n/)
    .filter((block) => block.trim() !== "");
  if (blocks.length === 0) return "<p><em>Not documented.</em></p>";
  return blocks.map((block) => `<p>${escapeHtml(block.trim()).replace(/\n/g, "<br>")}</p>`).join("\n");
};

const section = (title: string, body: string): string => `<section>\n<h2>${title}</h2>\n${body}\n</section>`;

const metricsTable = (card: ModelCard): string => {
  if (card.evaluation_metrics.length === 0) {
    return card.run_id === undefined ? "<p><em>No source run.</em></p>" : "<p><em>The source run has no metrics.</em></p>";
  }
  const rows = card.evaluation_metrics.map(
    (metric) => `<tr><td>${escapeHtml(metric.key)}</td><td>${escapeHtml(String(metric.value))}</td><td>${metric.step}</td></tr>`,
  );
  const table = ["<table>", "<thead><tr><th>Metric</th><th>Value</th><th>Step</th></tr></thead>", "<tbody>", ...rows, "</tbody>", "</table>"];
  if (card.run_id !== undefined) {
    const model = card.model_id === undefined ? "" : ` Registered from logged model <code>${escapeHtml(card.model_id)}</code>.`;
    table.push(`<p>Latest values from run <code>${escapeHtml(card.run_id)}</code>.${model}</p>`);
  }
  return table.join("\n");
};

export const renderCardHtml = (card: ModelCard): string => {
  const title = `Model card: ${escapeHtml(card.name)} version ${escapeHtml(card.version)}`;
  const owners =
    card.owners.length === 0
      ? "<p><em>Not documented.</em></p>"
      : `<ul>\n${card.owners.map((owner) => `<li>${escapeHtml(owner)}</li>`).join("\n")}\n</ul>`;
  return [
    "<!DOCTYPE html>",
    '<html lang="en">',
    "<head>",
    '<meta charset="utf-8">',
    `<title>${title}</title>`,
    "</head>",
    "<body>",
    `<h1>${title}</h1>`,
    ...(card.description.trim() === "" ? [] : [paragraphs(card.description)]),
    section("Intended use", paragraphs(card.intended_use)),
    section("Training data", paragraphs(card.training_data)),
    section("Evaluation metrics", metricsTable(card)),
    section("Limitations", paragraphs(card.limitations)),
    section("Ethical considerations", paragraphs(card.ethical_considerations)),
    section("Owners", owners),
    "</body>",
    "</html>",
    "",
  ].join("\n");
};
