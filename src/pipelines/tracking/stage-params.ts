import type { Param } from "../../protocol/mlflow/entities.js";
import { bounded, flattenMapping, MAX_PARAM_VALUE_LENGTH, mlflowKey, paramText } from "./mlflow-keys.js";

/** The default params file: its keys are logged bare (`train.lr`), as `dvc params diff` shows them. */
export const DEFAULT_PARAMS_FILE = "params.yaml";
/** Most params logged for one stage (a run may hold more, but a whole config file is not what a param is for). */
export const MAX_STAGE_PARAMS = 1000;

/** The MLflow param key of a value from `file` at `key`: bare for the root params.yaml, else `file/key`. */
export const paramKeyOf = (file: string, key: string): string => (file === DEFAULT_PARAMS_FILE ? key : `${file}/${key}`);

/** Splits DVC's "file:key" form; a name without ':' is a key of the default params file. */
export const splitParamName = (name: string): { file: string; key: string } => {
  const colon = name.indexOf(":");
  return colon < 0 ? { file: DEFAULT_PARAMS_FILE, key: name } : { file: name.slice(0, colon), key: name.slice(colon + 1) };
};

/**
 * A stage's params ("file:key" -> value, a key naming a whole section gives a mapping) as MLflow params: sections
 * flattened to dotted keys, values as text cut to MLflow's 6000 characters. `notes` says what was changed or left out.
 */
export const mlflowParams = (values: Record<string, unknown>): { params: Param[]; notes: string[] } => {
  const params = new Map<string, string>();
  const notes: string[] = [];
  for (const [name, value] of Object.entries(values)) {
    const { file, key } = splitParamName(name);
    const { entries, truncated } = flattenMapping(paramKeyOf(file, key), value, MAX_STAGE_PARAMS - params.size);
    if (truncated) notes.push(`params: only the first ${MAX_STAGE_PARAMS} values were logged`);
    for (const [rawKey, leaf] of entries) {
      const mlflow = mlflowKey(rawKey);
      if (mlflow === undefined) {
        notes.push(`param '${rawKey.slice(0, 100)}': not a usable MLflow key, not logged`);
        continue;
      }
      const text = paramText(leaf);
      if (text.length > MAX_PARAM_VALUE_LENGTH) notes.push(`param '${mlflow}': value cut to ${MAX_PARAM_VALUE_LENGTH} characters`);
      params.set(mlflow, bounded(text, MAX_PARAM_VALUE_LENGTH));
    }
    if (truncated) break;
  }
  return { params: [...params].map(([key, value]) => ({ key, value })), notes };
};
