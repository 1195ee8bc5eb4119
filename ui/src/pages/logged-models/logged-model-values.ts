import type { LoggedModel, LoggedModelMetric, LoggedModelStatus } from "../../api/entities";

/** Labels and badge classes of a logged model's status. */
export const MODEL_STATUS: Record<LoggedModelStatus, { label: string; badge: string }> = {
  LOGGED_MODEL_PENDING: { label: "pending", badge: "badge muted" },
  LOGGED_MODEL_READY: { label: "ready", badge: "badge ok" },
  LOGGED_MODEL_UPLOAD_FAILED: { label: "upload failed", badge: "badge danger" },
};

/** At most this many metric and param columns each: keys come from the models, and a model may carry hundreds. */
export const MAX_KEY_COLUMNS = 12;

const sortedKeys = (keys: Iterable<string>): string[] => [...new Set(keys)].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)).slice(0, MAX_KEY_COLUMNS);

export const metricKeysOf = (models: readonly LoggedModel[]): string[] => sortedKeys(models.flatMap((model) => (model.data?.metrics ?? []).map((metric) => metric.key)));
export const paramKeysOf = (models: readonly LoggedModel[]): string[] => sortedKeys(models.flatMap((model) => (model.data?.params ?? []).map((param) => param.key)));

/**
 * The value a table cell shows for a metric key: a model may hold one value per dataset and step; the cell shows
 * the one of the highest step, then the latest timestamp (the model page lists them all).
 */
export const headlineMetric = (model: LoggedModel, key: string): LoggedModelMetric | undefined => {
  let best: LoggedModelMetric | undefined;
  for (const metric of model.data?.metrics ?? []) {
    if (metric.key !== key) continue;
    if (!best || metric.step > best.step || (metric.step === best.step && metric.timestamp > best.timestamp)) best = metric;
  }
  return best;
};

export const paramValue = (model: LoggedModel, key: string): string | undefined => model.data?.params?.find((param) => param.key === key)?.value;

/**
 * Versions registered from the model: `registrations` of its info, and the `mlflow.modelVersions` tag the 3.x client
 * writes after registering (a JSON list of {name, version}), merged without repeats. A malformed tag adds nothing.
 */
export const registrationsOf = (model: LoggedModel): { name: string; version: string }[] => {
  const found = new Map<string, { name: string; version: string }>();
  const add = (name: unknown, version: unknown): void => {
    if (typeof name !== "string" || name === "" || (typeof version !== "string" && typeof version !== "number")) return;
    found.set(`${name}\u0000${String(version)}`, { name, version: String(version) });
  };
  for (const registration of model.info.registrations ?? []) add(registration.name, registration.version);
  const tag = model.info.tags?.find((one) => one.key === "mlflow.modelVersions")?.value;
  if (tag) {
    try {
      const list = JSON.parse(tag) as unknown;
      if (Array.isArray(list)) for (const item of list) if (item && typeof item === "object") add((item as Record<string, unknown>).name, (item as Record<string, unknown>).version);
    } catch {
      // Not JSON: the registrations of the info still show.
    }
  }
  return [...found.values()];
};
