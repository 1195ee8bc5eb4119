import { invalidParameter } from "../core/errors.js";
import { newRunId } from "../core/ids.js";

/**
 * runs/log-model: MLflow keeps a JSON list of logged-model summaries in the run tag mlflow.log-model.history
 * (Model.get_tags_dict + record_logged_model). The tag is written with Python's json.dumps layout
 * (", " and ": " separators, non-ASCII escaped) so clients that compare or parse it see what MLflow writes.
 */
type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

const MANDATORY_FIELDS = ["artifact_path", "flavors", "utc_time_created", "run_id"] as const;

const malformed = (modelJson: string) =>
  invalidParameter(`Malformed model info. \n ${modelJson} \n is not a valid JSON.`);

/** Reads model_json and returns the summary MLflow stores: run_id, artifact_path, utc_time_created, model_uuid, flavors. */
export const parseModelJson = (modelJson: string): Record<string, Json> => {
  let model: unknown;
  try {
    model = JSON.parse(modelJson);
  } catch {
    throw malformed(modelJson);
  }
  if (model === null || typeof model !== "object" || Array.isArray(model)) throw malformed(modelJson);
  const fields = model as Record<string, Json>;
  const missing = MANDATORY_FIELDS.filter((field) => !(field in fields)).sort();
  if (missing.length > 0) {
    throw invalidParameter(`Model json is missing mandatory fields: {${missing.map((field) => `'${field}'`).join(", ")}}`);
  }
  const flavors = fields.flavors;
  const summaryFlavors: Record<string, Json> = {};
  if (flavors !== null && typeof flavors === "object" && !Array.isArray(flavors)) {
    for (const [name, config] of Object.entries(flavors)) {
      if (config !== null && typeof config === "object" && !Array.isArray(config)) {
        const { config: _dropped, ...rest } = config;
        summaryFlavors[name] = rest;
      } else {
        summaryFlavors[name] = config;
      }
    }
  }
  const created = fields.utc_time_created;
  return {
    run_id: fields.run_id ?? null,
    artifact_path: fields.artifact_path ?? null,
    // Model() stores str(utc_time_created); a model without a uuid gets a fresh one, as Model.from_dict does.
    utc_time_created: typeof created === "string" ? created : JSON.stringify(created),
    model_uuid: fields.model_uuid ?? newRunId(),
    flavors: summaryFlavors,
  };
};

const escapeNonAscii = (text: string): string =>
  text.replace(/[\u007f-\uffff]/g, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, "0")}`);

/** Python's json.dumps with default arguments. */
export const pythonJsonDumps = (value: Json): string => {
  if (value === null) return "null";
  if (typeof value === "boolean") return value ? "true" : "false";
  if (typeof value === "number") {
    if (Number.isNaN(value)) return "NaN";
    if (!Number.isFinite(value)) return value > 0 ? "Infinity" : "-Infinity";
    return JSON.stringify(value);
  }
  if (typeof value === "string") return escapeNonAscii(JSON.stringify(value));
  if (Array.isArray(value)) return `[${value.map(pythonJsonDumps).join(", ")}]`;
  return `{${Object.entries(value)
    .map(([key, item]) => `${escapeNonAscii(JSON.stringify(key))}: ${pythonJsonDumps(item)}`)
    .join(", ")}}`;
};

export const appendModelHistory = (previous: string | undefined, summary: Record<string, Json>): string => {
  let history: Json[] = [];
  if (previous !== undefined) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(previous);
    } catch {
      parsed = undefined;
    }
    if (!Array.isArray(parsed)) {
      throw invalidParameter("The run's mlflow.log-model.history tag is not a JSON list; delete or fix it first.");
    }
    history = parsed as Json[];
  }
  return pythonJsonDumps([...history, summary]);
};
