import type { ModelCard } from "./model-card.js";

/**
 * The card as a Markdown document. The free-text fields are Markdown written by the card's authors and are kept as
 * written except for '<', which is backslash-escaped: Markdown renderers pass raw HTML through, so an unescaped
 * "<script>" in a field would become markup wherever the exported card is rendered. The values Cairn fills in
 * (names, metric keys, owners) are escaped wherever Markdown would read them as syntax.
 */
const NOT_DOCUMENTED = "_Not documented._";

const escapeInline = (text: string): string => text.replace(/([\\`*_[\]<>|#])/g, "\\$1");

const freeText = (text: string): string => text.trim().replace(/</g, "\\<");

const section = (title: string, body: string): string => `## ${title}\n\n${body.trim() === "" ? NOT_DOCUMENTED : body}\n`;

const metricsTable = (card: ModelCard): string => {
  if (card.evaluation_metrics.length === 0) {
    return card.run_id === undefined ? "_No source run._" : "_The source run has no metrics._";
  }
  const rows = card.evaluation_metrics.map((metric) => `| ${escapeInline(metric.key)} | ${metric.value} | ${metric.step} |`);
  return ["| Metric | Value | Step |", "| --- | ---: | ---: |", ...rows].join("\n");
};

export const renderCardMarkdown = (card: ModelCard): string => {
  const parts = [`# Model card: ${escapeInline(card.name)} version ${escapeInline(card.version)}\n`];
  if (card.description.trim() !== "") parts.push(`${freeText(card.description)}\n`);
  parts.push(section("Intended use", freeText(card.intended_use)));
  parts.push(section("Training data", freeText(card.training_data)));
  const model = card.model_id === undefined ? "" : ` Registered from logged model \`${card.model_id}\`.`;
  const source = card.run_id === undefined ? "" : `\n\nLatest values from run \`${card.run_id}\`.${model}`;
  parts.push(`## Evaluation metrics\n\n${metricsTable(card)}${source}\n`);
  parts.push(section("Limitations", freeText(card.limitations)));
  parts.push(section("Ethical considerations", freeText(card.ethical_considerations)));
  parts.push(section("Owners", card.owners.map((owner) => `- ${escapeInline(owner)}`).join("\n")));
  return parts.join("\n");
};
