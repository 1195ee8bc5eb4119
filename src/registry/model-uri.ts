import { invalidParameter, notFound } from "../core/errors.js";
import { LOGGED_MODEL_ID } from "../protocol/mlflow/logged-model-entities.js";
import type { ModelStage, ModelVersion } from "../protocol/mlflow/registry-entities.js";
import { canonicalStage } from "./validation.js";

/**
 * `models:/` URIs as MLflow's clients write them (mlflow/store/artifact/utils/models.py _parse_model_uri):
 * `models:/<name>/<version>`, `models:/<name>/<stage>` (case-insensitive), `models:/<name>/latest`
 * (case-insensitive) and `models:/<name>@<alias>` (the last '@' separates the alias), which name a registered model
 * version (resolveModelUri finds it); and MLflow 3's `models:/<model_id>` (one segment without '@', read as a model
 * id as the 3.x client reads it; Cairn also requires the id's pattern `m-<32 hex>`), which names a logged model.
 */
export type RegisteredModelUri =
  | { name: string; kind: "version"; version: string }
  | { name: string; kind: "stage"; stage: ModelStage }
  | { name: string; kind: "latest" }
  | { name: string; kind: "alias"; alias: string };
export type LoggedModelUri = { kind: "logged-model"; modelId: string };
export type ModelUri = RegisteredModelUri | LoggedModelUri;

const improper = (uri: string): Error =>
  invalidParameter(
    `Not a proper models:/ URI: ${uri}. Models URIs must be of the form 'models:/model_name/suffix' or ` +
      "'models:/model_name@alias' where suffix is a model version, stage, or the string 'latest' and where alias " +
      "is a registered model alias. Only one of suffix or alias can be defined at a time.",
  );

export const parseModelUri = (uri: string): ModelUri => {
  if (uri.slice(0, 7).toLowerCase() !== "models:") throw improper(uri);
  const path = uri.slice(7);
  // An authority (models://profile@databricks/...) names another registry; Cairn resolves its own models only.
  if (!path.startsWith("/") || path.startsWith("//") || path.length <= 1) throw improper(uri);
  const parts = path.slice(1).split("/");
  const [first = "", suffix] = parts;
  if (parts.length > 2 || first.trim() === "") throw improper(uri);
  if (suffix !== undefined) {
    if (suffix.trim() === "") throw improper(uri);
    if (/^\d+$/.test(suffix)) return { name: first, kind: "version", version: String(BigInt(suffix)) };
    if (suffix.toLowerCase() === "latest") return { name: first, kind: "latest" };
    return { name: first, kind: "stage", stage: canonicalStage(suffix) };
  }
  const at = first.lastIndexOf("@");
  if (at === -1 && LOGGED_MODEL_ID.test(first)) return { kind: "logged-model", modelId: first };
  const name = at === -1 ? "" : first.slice(0, at);
  const alias = at === -1 ? "" : first.slice(at + 1);
  if (name.trim() === "" || alias.trim() === "") throw improper(uri);
  return { name, kind: "alias", alias };
};

/**
 * The registered-model forms only: for callers that serve or follow registry versions (deployments), a logged
 * model's URI is refused with what to do instead.
 */
export const requireRegisteredModelUri = (uri: ModelUri): RegisteredModelUri => {
  if (uri.kind !== "logged-model") return uri;
  throw invalidParameter(
    `models:/${uri.modelId} names a logged model, not a registered model version. Register it first ` +
      `(model-versions/create with source 'models:/${uri.modelId}'), then use models:/<name>/<version> or models:/<name>@<alias>.`,
  );
};

/** parseModelUri restricted to the registered-model forms (deployments serve registry versions only). */
export const parseRegisteredModelUri = (uri: string): RegisteredModelUri => requireRegisteredModelUri(parseModelUri(uri));

/** What resolving needs from the registry (RegistryService provides it). */
export interface ModelVersionLookup {
  getModelVersion(name: string, version: string): Promise<ModelVersion>;
  getModelVersionByAlias(name: string, alias: string): Promise<ModelVersion>;
  getLatestVersions(name: string, stages: readonly string[]): Promise<ModelVersion[]>;
}

/**
 * The version a models:/ URI names. `latest` is the highest version number among the newest version of every
 * stage (which is the highest version overall), a stage is the highest version in that stage, as MLflow's
 * _get_latest_model_version computes them.
 */
export const resolveModelUri = async (lookup: ModelVersionLookup, uri: string | ModelUri): Promise<ModelVersion> => {
  const parsed = requireRegisteredModelUri(typeof uri === "string" ? parseModelUri(uri) : uri);
  switch (parsed.kind) {
    case "version":
      return lookup.getModelVersion(parsed.name, parsed.version);
    case "alias":
      return lookup.getModelVersionByAlias(parsed.name, parsed.alias);
    case "latest":
    case "stage": {
      const stages = parsed.kind === "stage" ? [parsed.stage] : [];
      const candidates = await lookup.getLatestVersions(parsed.name, stages);
      const newest = candidates.reduce<ModelVersion | undefined>(
        (best, version) => (best === undefined || Number(version.version) > Number(best.version) ? version : best),
        undefined,
      );
      if (!newest) {
        const stageText = parsed.kind === "stage" ? ` and stage '${parsed.stage}'` : "";
        throw notFound(`No versions of model with name '${parsed.name}'${stageText} found`);
      }
      return newest;
    }
  }
};
