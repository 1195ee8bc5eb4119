import type { Visibility } from "./rule.js";

/**
 * MLflow's after-request filters: a list answer keeps only the entries the user may read. A page may then hold fewer
 * entries than max_results (as in MLflow); its next_page_token still pages the whole list.
 */
type Entry = Record<string, unknown>;

const entriesOf = (body: Record<string, unknown>, key: string): Entry[] => {
  const value = body[key];
  return Array.isArray(value) ? (value as Entry[]) : [];
};

const keepWhere = async (body: Record<string, unknown>, key: string, keep: (entry: Entry) => Promise<boolean>): Promise<Record<string, unknown>> => {
  if (!Array.isArray(body[key])) return body;
  const entries = entriesOf(body, key);
  const verdicts = await Promise.all(entries.map(keep));
  return { ...body, [key]: entries.filter((_entry, index) => verdicts[index]) };
};

const text = (value: unknown): string => (typeof value === "string" ? value : String(value ?? ""));

export const readableExperiments = (key: string) => (body: Record<string, unknown>, visibility: Visibility) =>
  keepWhere(body, key, (entry) => visibility.canReadExperiment(text(entry.experiment_id)));

export const readableModels = (key: string) => (body: Record<string, unknown>, visibility: Visibility) =>
  keepWhere(body, key, (entry) => visibility.canReadModel(text(entry.name)));

export const readableDeployments = (body: Record<string, unknown>, visibility: Visibility) =>
  keepWhere(body, "deployments", (entry) => visibility.canReadModel(text(entry.model_name)));

export const readableMonitors = (body: Record<string, unknown>, visibility: Visibility) =>
  keepWhere(body, "monitors", async (entry) => {
    // A monitor's answer names its deployment; only an entry without one is looked up.
    const deployment = typeof entry.deployment === "string" ? entry.deployment : await visibility.deploymentOfMonitor(text(entry.name));
    const model = deployment === undefined ? undefined : await visibility.modelOfDeployment(deployment);
    return model !== undefined && visibility.canReadModel(model);
  });

/** datasets/usage: the runs of readable experiments and the versions of readable models. */
export const readableDatasetUsage = async (body: Record<string, unknown>, visibility: Visibility) =>
  readableModels("model_versions")(await readableExperiments("runs")(body, visibility), visibility);

/** data/versions/get: of the data version's runs and versions, only those of readable experiments and models. */
export const readableDataVersion = async (body: Record<string, unknown>, visibility: Visibility) => {
  const version = body.data_version;
  if (typeof version !== "object" || version === null || Array.isArray(version)) return body;
  let kept = await readableExperiments("produced_by")(version as Record<string, unknown>, visibility);
  kept = await readableExperiments("used_by")(kept, visibility);
  return { ...body, data_version: await readableModels("model_versions")(kept, visibility) };
};
