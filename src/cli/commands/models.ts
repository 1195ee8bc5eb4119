import { readFile } from "node:fs/promises";
import type { ModelVersion, RegisteredModel } from "../../protocol/mlflow/registry-entities.js";
import type { AliasChange } from "../../sdk/audit-api.js";
import type { CairnClient } from "../../sdk/client.js";
import { CairnApiError } from "../../sdk/errors.js";
import { collect } from "../../sdk/paging.js";
import { CARD_FIELDS, type ApprovalWire, type LineageGraph, type ModelCard, type ModelCardInput, type PromotionRuleWire } from "../../sdk/governance-api.js";
import { NothingChanged, UsageError } from "../errors.js";
import { formatTime, type CommandResult } from "../output.js";
import { renderLineageTree } from "./lineage-tree.js";
import { parseApprovals, parseMetricThreshold, parseRequiredTag, parseTarget, parseVersion } from "./model-args.js";
import { parsePositiveInt } from "./view.js";

/** MLflow's ceiling for one registered-models/search page. */
const SEARCH_PAGE_MAX = 1000;

const byKey = <T extends { key: string }>(items: T[]): T[] => [...items].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
const oneLine = (text: string | undefined, max = 60): string => {
  const first = (text ?? "").split("\n")[0]?.trim() ?? "";
  return first.length > max ? `${first.slice(0, max - 1)}…` : first;
};
const latestVersion = (model: RegisteredModel): string => {
  const numbers = model.latest_versions.map((v) => Number(v.version)).filter(Number.isFinite);
  return numbers.length === 0 ? "-" : String(Math.max(...numbers));
};
const aliasList = (model: RegisteredModel): string =>
  model.aliases.length === 0 ? "-" : [...model.aliases].sort((a, b) => (a.alias < b.alias ? -1 : 1)).map((a) => `${a.alias}=${a.version}`).join(", ");
const actorText = (actor: { name: string; verified: boolean } | undefined): string =>
  actor === undefined ? "-" : actor.verified ? actor.name : `${actor.name} (unverified)`;

/** `cairn models list`: registered models matching the filter, by name. */
export const listModels = async (client: CairnClient, options: { filter?: string; maxResults?: string }): Promise<CommandResult<RegisteredModel[]>> => {
  const limit = options.maxResults === undefined ? 1000 : parsePositiveInt("--max-results", options.maxResults, 100_000);
  const models = await collect(client.registry.searchModelsAll({ filter: options.filter, orderBy: ["name ASC"], maxResults: Math.min(limit, SEARCH_PAGE_MAX) }), limit);
  return {
    data: models,
    human: {
      kind: "table",
      columns: ["NAME", "LATEST", "ALIASES", "UPDATED (UTC)", "DESCRIPTION"],
      rows: models.map((m) => [m.name, latestVersion(m), aliasList(m), formatTime(m.last_updated_timestamp), oneLine(m.description)]),
      empty: "No registered models.",
    },
  };
};

const versionLine = (v: ModelVersion): string =>
  [v.status, `stage ${v.current_stage}`, v.run_id ? `run ${v.run_id}` : "no run", v.model_id ? `logged model ${v.model_id}` : "", v.aliases.length > 0 ? `aliases ${v.aliases.join(", ")}` : "", `created ${formatTime(v.creation_timestamp)}`]
    .filter((part) => part !== "")
    .join("  ");

export type ShowModelData = { registered_model: RegisteredModel; model_versions: ModelVersion[] } | { model_version: ModelVersion };

/** `cairn models show NAME [--version V]`: a model with its aliases, tags and versions, or one version in full. */
export const showModel = async (client: CairnClient, name: string, options: { version?: string }): Promise<CommandResult<ShowModelData>> => {
  if (options.version !== undefined) {
    const v = await client.registry.getVersion(name, parseVersion("--version", options.version));
    return {
      data: { model_version: v },
      human: {
        kind: "sections",
        sections: [
          {
            title: `Model ${v.name} version ${v.version}`,
            pairs: [
              ["status", v.status_message ? `${v.status} (${v.status_message})` : v.status],
              ["stage", v.current_stage],
              ["aliases", v.aliases.length === 0 ? "-" : v.aliases.join(", ")],
              ["source", v.source],
              ["run", v.run_id || "-"],
              ...(v.model_id ? ([["logged model", v.model_id]] as [string, string][]) : []),
              ...(v.run_link ? ([["run link", v.run_link]] as [string, string][]) : []),
              ["user", v.user_id || "-"],
              ["created (UTC)", formatTime(v.creation_timestamp)],
              ["updated (UTC)", formatTime(v.last_updated_timestamp)],
              ["description", oneLine(v.description, 200) || "-"],
            ],
          },
          { title: "Tags", pairs: byKey(v.tags).map((t) => [t.key, t.value]) },
        ],
      },
    };
  }
  const model = await client.registry.getModel(name);
  const versions: ModelVersion[] = await collect(client.registry.searchVersionsAll({ filter: `name = '${name.replace(/'/g, "''")}'` }));
  versions.sort((a, b) => Number(b.version) - Number(a.version));
  return {
    data: { registered_model: model, model_versions: versions },
    human: {
      kind: "sections",
      sections: [
        {
          title: `Model ${model.name}`,
          pairs: [
            ["description", oneLine(model.description, 200) || "-"],
            ["created (UTC)", formatTime(model.creation_timestamp)],
            ["updated (UTC)", formatTime(model.last_updated_timestamp)],
            ["versions", String(versions.length)],
          ],
        },
        { title: "Aliases", pairs: [...model.aliases].sort((a, b) => (a.alias < b.alias ? -1 : 1)).map((a) => [a.alias, `version ${a.version}`]) },
        { title: "Tags", pairs: byKey(model.tags).map((t) => [t.key, t.value]) },
        { title: "Versions", pairs: versions.map((v) => [v.version, versionLine(v)]) },
      ],
    },
  };
};

/**
 * `cairn models register NAME SOURCE`: creates the registered model when it does not exist (as mlflow.register_model
 * does), then a new version. A runs:/<run_id>/... source names its run unless --run-id says otherwise; a
 * models:/<model_id> source (MLflow 3 logged model) names its logged model, and the server takes its source run.
 */
export const registerModel = async (
  client: CairnClient,
  name: string,
  source: string,
  options: { runId?: string; description?: string },
): Promise<CommandResult<ModelVersion>> => {
  try {
    await client.registry.createModel({ name });
  } catch (error) {
    if (!(error instanceof CairnApiError && error.errorCode === "RESOURCE_ALREADY_EXISTS")) throw error;
  }
  const runId = options.runId ?? /^runs:\/([^/]+)/.exec(source)?.[1];
  const version = await client.registry.createVersion({ name, source, runId, description: options.description });
  return { data: version, human: { kind: "message", text: `Registered ${name} version ${version.version} (${version.status}).` } };
};

export const setAlias = async (
  client: CairnClient,
  name: string,
  alias: string,
  versionText: string,
): Promise<CommandResult<{ name: string; alias: string; version: string }>> => {
  const version = parseVersion("VERSION", versionText);
  await client.registry.setAlias(name, alias, version);
  return { data: { name, alias, version }, human: { kind: "message", text: `${name}@${alias} now points to version ${version}.` } };
};

/**
 * `cairn models unalias NAME ALIAS`. MLflow's delete-alias answers success for an alias that is not set, so the
 * command looks first: removing nothing is an error (a mistyped alias must not read "Removed").
 */
export const removeAlias = async (client: CairnClient, name: string, alias: string): Promise<CommandResult<{ name: string; alias: string }>> => {
  const model = await client.registry.getModel(name);
  if (!model.aliases.some((a) => a.alias === alias)) {
    const set = model.aliases.map((a) => a.alias).sort();
    throw new NothingChanged(`model ${name} has no alias '${alias}' (${set.length === 0 ? "it has no aliases" : `its aliases: ${set.join(", ")}`}); nothing removed`);
  }
  await client.registry.deleteAlias(name, alias);
  return { data: { name, alias }, human: { kind: "message", text: `Removed alias ${alias} of ${name}.` } };
};

/** `cairn models history NAME [--alias A]`: who moved which alias from which version to which, oldest first. */
export const aliasHistory = async (client: CairnClient, name: string, options: { alias?: string }): Promise<CommandResult<AliasChange[]>> => {
  const changes = await client.audit.aliasHistory(name, options.alias);
  return {
    data: changes,
    human: {
      kind: "table",
      columns: ["TIME (UTC)", "ALIAS", "FROM", "TO", "BY", "REQUEST"],
      rows: changes.map((c) => [formatTime(c.time), c.alias, c.from_version ?? "-", c.to_version ?? "(removed)", actorText(c.actor), c.request_id]),
      empty: options.alias === undefined ? `No alias changes for ${name}.` : `No changes of alias ${options.alias} for ${name}.`,
    },
  };
};

/** `cairn models approve NAME VERSION --target alias:champion`: records the caller's approval. */
export const approveVersion = async (
  client: CairnClient,
  name: string,
  versionText: string,
  options: { target?: string; comment?: string },
): Promise<CommandResult<ApprovalWire>> => {
  const version = parseVersion("VERSION", versionText);
  const target = parseTarget("--target", options.target);
  const approval = await client.governance.approve(name, version, target, options.comment);
  return {
    data: approval,
    human: { kind: "message", text: `${approval.actor?.name ?? "You"} approved ${name} version ${version} for ${target}.` },
  };
};

export interface RulesOptions {
  set?: string;
  delete?: string;
  requireTag?: string[];
  metric?: string[];
  approvals?: string;
  /** The rule refuses approvals by the version's creator or its run's user (unset: allowed). */
  forbidSelfApproval?: boolean;
}

export const describeRule = (rule: PromotionRuleWire): { tags: string; metrics: string; approvals: string } => ({
  tags: rule.required_tags.length === 0 ? "-" : rule.required_tags.map((t) => `${t.key}=${t.value}`).join(", "),
  metrics: rule.metric_thresholds.length === 0 ? "-" : rule.metric_thresholds.map((m) => `${m.metric} ${m.comparator} ${m.value}`).join(", "),
  approvals: rule.forbid_self_approval ? `${rule.required_approvals}, not self` : String(rule.required_approvals),
});

/** `cairn models rules NAME`: lists the model's promotion rules; with --set replaces one, with --delete removes one. */
export const modelRules = async (
  client: CairnClient,
  name: string,
  options: RulesOptions,
): Promise<CommandResult<PromotionRuleWire[] | PromotionRuleWire | { name: string; target: string; deleted: true }>> => {
  const requireTag = options.requireTag ?? [];
  const metric = options.metric ?? [];
  const ruleFlags = requireTag.length > 0 || metric.length > 0 || options.approvals !== undefined;
  if (options.set !== undefined && options.delete !== undefined) throw new UsageError("--set and --delete cannot be used together");
  if (options.set === undefined && ruleFlags) throw new UsageError("--require-tag, --metric and --approvals need --set TARGET");
  if (options.set === undefined && options.forbidSelfApproval === true) throw new UsageError("--forbid-self-approval needs --set TARGET");
  if (options.delete !== undefined) {
    const target = parseTarget("--delete", options.delete);
    await client.governance.deleteRule(name, target);
    return { data: { name, target, deleted: true }, human: { kind: "message", text: `Deleted the ${target} rule of ${name}.` } };
  }
  if (options.set !== undefined) {
    const target = parseTarget("--set", options.set);
    if (!ruleFlags) throw new UsageError("--set needs at least one of --require-tag, --metric, --approvals");
    const rule = await client.governance.setRule({
      name,
      target,
      requiredTags: requireTag.map(parseRequiredTag),
      metricThresholds: metric.map(parseMetricThreshold),
      requiredApprovals: options.approvals === undefined ? 0 : parseApprovals(options.approvals),
      ...(options.forbidSelfApproval === true ? { forbidSelfApproval: true } : {}),
    });
    const text = describeRule(rule);
    const self = rule.forbid_self_approval ? "; self-approval forbidden (the creator and the run's user cannot approve)" : "";
    return {
      data: rule,
      human: { kind: "message", text: `Set the ${target} rule of ${name}: tags ${text.tags}; metrics ${text.metrics}; approvals ${String(rule.required_approvals)}${self}.` },
    };
  }
  const rules = await client.governance.listRules(name);
  return {
    data: rules,
    human: {
      kind: "table",
      columns: ["TARGET", "REQUIRED TAGS", "METRICS", "APPROVALS", "UPDATED BY", "UPDATED (UTC)"],
      rows: rules.map((rule) => {
        const text = describeRule(rule);
        return [rule.target, text.tags, text.metrics, text.approvals, actorText(rule.updated_by), formatTime(rule.updated_time)];
      }),
      empty: `No promotion rules for ${name}.`,
    },
  };
};

/** `cairn models lineage NAME VERSION`: the version's run, datasets, code, experiment and deployments as a tree. */
export const modelLineage = async (client: CairnClient, name: string, versionText: string): Promise<CommandResult<LineageGraph>> => {
  const version = parseVersion("VERSION", versionText);
  const graph = await client.governance.lineage(name, version);
  return { data: graph, human: { kind: "message", text: renderLineageTree(graph, `model_version:${name}/${version}`) } };
};

/** Reads --set-file: a JSON object with only the card's user fields, each of the right type. */
export const readCardFile = async (file: string): Promise<ModelCardInput> => {
  let parsed: unknown;
  try {
    parsed = JSON.parse(await readFile(file, "utf8"));
  } catch (error) {
    // JSON.parse quotes the text around the error, newlines included: keep the message on one line.
    const reason = (error as NodeJS.ErrnoException).code === "ENOENT" ? "no such file" : (error as Error).message.replace(/\s*\n\s*/g, " ");
    throw new UsageError(`--set-file ${file}: ${reason}`);
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) throw new UsageError(`--set-file ${file} must hold a JSON object`);
  const fields: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(parsed)) {
    if (key === "name" || key === "version") continue; // taken from the arguments
    if (!(CARD_FIELDS as readonly string[]).includes(key)) throw new UsageError(`--set-file ${file}: unknown field '${key}' (known: ${CARD_FIELDS.join(", ")})`);
    const ok = key === "owners" ? Array.isArray(value) && value.every((item) => typeof item === "string") : typeof value === "string";
    if (!ok) throw new UsageError(`--set-file ${file}: '${key}' must be ${key === "owners" ? "a list of strings" : "a string"}`);
    fields[key] = value;
  }
  return fields as ModelCardInput;
};

const CARD_FORMATS = ["markdown", "html", "json"] as const;
type CardFormat = (typeof CARD_FORMATS)[number];

/** `cairn models card NAME VERSION`: prints the card (Markdown by default); --set-file first writes its fields. */
export const modelCard = async (
  client: CairnClient,
  name: string,
  versionText: string,
  options: { format?: string; setFile?: string },
): Promise<CommandResult<ModelCard | { name: string; version: string; format: CardFormat; content: string }>> => {
  const version = parseVersion("VERSION", versionText);
  const format = (options.format ?? "markdown").toLowerCase() as CardFormat;
  if (!CARD_FORMATS.includes(format)) throw new UsageError(`--format must be one of ${CARD_FORMATS.join(", ")}, got '${options.format}'`);
  if (options.setFile !== undefined) await client.governance.setCard(name, version, await readCardFile(options.setFile));
  if (format === "json") {
    const card = await client.governance.getCard(name, version);
    const text = (value: string | undefined): string => oneLine(value, 200) || "-";
    return {
      data: card,
      human: {
        kind: "sections",
        sections: [
          {
            title: `Model card of ${name} version ${version}`,
            pairs: [
              ["description", text(card.description)],
              ["intended use", text(card.intended_use)],
              ["training data", text(card.training_data)],
              ["limitations", text(card.limitations)],
              ["ethical considerations", text(card.ethical_considerations)],
              ["owners", card.owners && card.owners.length > 0 ? card.owners.join(", ") : "-"],
            ],
          },
          { title: "Evaluation metrics", pairs: (card.evaluation_metrics ?? []).map((m) => [m.key, String(m.value)]) },
        ],
      },
    };
  }
  const content = await client.governance.renderCard(name, version, format);
  return { data: { name, version, format, content }, human: { kind: "message", text: content.replace(/\n+$/, "") } };
};

/** `cairn models delete NAME [--version V]`: one version, or the model with all its versions and aliases. */
export const deleteModel = async (
  client: CairnClient,
  name: string,
  options: { version?: string },
): Promise<CommandResult<{ name: string; version?: string; deleted: true }>> => {
  if (options.version !== undefined) {
    const version = parseVersion("--version", options.version);
    await client.registry.deleteVersion(name, version);
    return { data: { name, version, deleted: true }, human: { kind: "message", text: `Deleted ${name} version ${version}.` } };
  }
  await client.registry.deleteModel(name);
  return { data: { name, deleted: true }, human: { kind: "message", text: `Deleted model ${name} with all its versions.` } };
};
