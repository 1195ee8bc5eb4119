import { storeKeyOfArtifactUri } from "../../artifacts/artifact-uri.js";
import { LOGGED_MODEL_ID } from "../../protocol/mlflow/logged-model-entities.js";

/** Why something must stay: shown per kept run and experiment (e.g. "registered model version churn/3"). */
export type Reason = string;

const RUNS_URI = /^runs:\/([0-9a-zA-Z_-]{1,64})(\/|$)/i;
const MODELS_URI = /^models:\/(m-[0-9a-f]{32})\/?$/i;

const add = <K>(map: Map<K, Set<Reason>>, key: K, reason: Reason): void => {
  let reasons = map.get(key);
  if (reasons === undefined) {
    reasons = new Set();
    map.set(key, reasons);
  }
  reasons.add(reason);
};

/** "a/b/c" -> ["a", "a/b", "a/b/c"]. */
const ancestorsOrSelf = (key: string): string[] => {
  const parts = key.split("/");
  return parts.map((_, i) => parts.slice(0, i + 1).join("/"));
};

/**
 * Everything a registered version, a deployment, a monitor or a lineage record still needs, gathered before gc
 * decides: run ids (runs:/ sources, version run_ids, logged models' source runs, data-version producers), artifact
 * keys (mlflow-artifacts:/ sources and monitor references) and logged model ids (models:/m-... sources).
 * A run or experiment is kept when anything it holds, or any folder it sits in, is needed.
 */
export class NeededReferences {
  private readonly runs = new Map<string, Set<Reason>>();
  private readonly models = new Map<string, Set<Reason>>();
  /** Needed artifact keys themselves. */
  private readonly keys = new Map<string, Set<Reason>>();
  /** Every folder that holds a needed key (and the keys themselves). */
  private readonly holders = new Map<string, Set<Reason>>();

  addRun(runId: string, reason: Reason): void {
    add(this.runs, runId, reason);
  }

  addModel(modelId: string, reason: Reason): void {
    if (LOGGED_MODEL_ID.test(modelId)) add(this.models, modelId, reason);
  }

  /** Any URI a record stores: runs:/, mlflow-artifacts:/ or models:/m-...; anything else names nothing gc removes. */
  addUri(uri: string, reason: Reason): void {
    const run = RUNS_URI.exec(uri);
    if (run?.[1] !== undefined) {
      this.addRun(run[1], reason);
      return;
    }
    const model = MODELS_URI.exec(uri);
    if (model?.[1] !== undefined) {
      this.addModel(model[1], reason);
      return;
    }
    if (uri.slice(0, 17).toLowerCase() !== "mlflow-artifacts:") return;
    let key: string;
    try {
      key = storeKeyOfArtifactUri("gc", uri);
    } catch {
      return;
    }
    add(this.keys, key, reason);
    for (const folder of ancestorsOrSelf(key)) add(this.holders, folder, reason);
  }

  /** Every string in a JSON document (a monitor's spec, a deployment's policy) read as a URI. */
  addUrisIn(json: string, reason: Reason): void {
    let parsed: unknown;
    try {
      parsed = JSON.parse(json);
    } catch {
      return;
    }
    const walk = (value: unknown, depth: number): void => {
      if (depth > 32) return;
      if (typeof value === "string") this.addUri(value, reason);
      else if (Array.isArray(value)) for (const item of value) walk(item, depth + 1);
      else if (typeof value === "object" && value !== null) for (const item of Object.values(value)) walk(item, depth + 1);
    };
    walk(parsed, 0);
  }

  reasonsForRun(runId: string): Reason[] {
    return [...(this.runs.get(runId) ?? [])];
  }

  reasonsForModel(modelId: string): Reason[] {
    return [...(this.models.get(modelId) ?? [])];
  }

  /** Reasons to keep an artifact folder: something needed lies in it, or it lies in a needed folder ("" names nothing). */
  reasonsForFolder(key: string): Reason[] {
    if (key === "") return [];
    const reasons = new Set(this.holders.get(key) ?? []);
    for (const folder of ancestorsOrSelf(key)) for (const reason of this.keys.get(folder) ?? []) reasons.add(reason);
    return [...reasons];
  }
}
