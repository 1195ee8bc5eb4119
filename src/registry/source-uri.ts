import { hasControlCharacter, joinKeys, normaliseArtifactPath } from "../artifacts/artifact-path.js";
import { storeKeyOfArtifactUri } from "../artifacts/artifact-uri.js";
import { CairnError, ErrorCode, invalidParameter } from "../core/errors.js";
import { LOGGED_MODEL_ID } from "../protocol/mlflow/logged-model-entities.js";
import { validateRunId } from "../tracking/validation.js";
import { MAX_MODEL_VERSION_SOURCE_LENGTH } from "./validation.js";

/**
 * Where a model version's files live. MLflow accepted any `source` for years and resolved local paths on the server,
 * which let a client register `/etc` or `file:///root/.ssh` and then download it through the registry
 * (CVE-2023-6018, CVE-2024-1558 and the bypasses that followed). Cairn accepts only sources inside its artifact store:
 *  - `runs:/<run_id>/<path>`: the run's artifact root (an mlflow-artifacts: URI) plus the path;
 *  - `mlflow-artifacts:/<path>` (an authority, `mlflow-artifacts://host/<path>`, is dropped: files always travel
 *    through this server's proxy);
 *  - `models:/<name>/<version>`: the files of another version (MLflow's copy_model_version), resolved through it;
 *  - `models:/<model_id>` (MLflow 3): a logged model's files, its `artifact_uri` folder, which must itself be
 *    inside this server's artifact store.
 * Paths are checked by the artifact domain's normaliser (the same rules as the artifact routes), on the text as
 * stored; a percent sign, a query or a fragment is refused outright, so no decoding by anyone later can turn an
 * accepted source into another path.
 */
export type ModelVersionSource =
  | { kind: "runs"; runId: string; path: string }
  | { kind: "artifacts"; key: string }
  | { kind: "models"; name: string; version: string }
  | { kind: "logged-model"; modelId: string };

const ACCEPTED =
  "Accepted sources are runs:/<run_id>/<path>, mlflow-artifacts:/<path>, models:/<name>/<version> and " +
  "models:/<model_id>, all inside the artifact store of this server.";

export const invalidSource = (source: string, reason: string): CairnError => {
  const shown = source.length > 300 ? `${source.slice(0, 300)}...` : source;
  return invalidParameter(`Invalid model version source: '${shown}'. ${reason}`);
};

const SCHEME = /^([a-zA-Z][a-zA-Z0-9+.-]*):/;
const WINDOWS_DRIVE = /^[a-zA-Z]:[\\/]/;

/** The artifact normaliser's refusal, restated as a refusal of the source (the field of the request). */
const normalisedPath = (source: string, path: string, allowRoot: boolean): string => {
  try {
    return normaliseArtifactPath(path, "source", { allowRoot });
  } catch (error) {
    if (error instanceof CairnError) throw invalidSource(source, error.message);
    throw error;
  }
};

const parseRunsSource = (source: string, rest: string): ModelVersionSource => {
  // runs:/<run_id>/<path>, as RunsArtifactRepository.parse_runs_uri reads it (no authority).
  if (!rest.startsWith("/") || rest.startsWith("//")) {
    throw invalidSource(source, "A runs: source must be of the form runs:/<run_id>/<path>.");
  }
  const [runId = "", ...pathParts] = rest.slice(1).split("/");
  try {
    validateRunId(runId);
  } catch {
    throw invalidSource(source, `'${runId}' is not a valid run ID.`);
  }
  return { kind: "runs", runId, path: normalisedPath(source, pathParts.join("/"), true) };
};

const parseArtifactsSource = (source: string): ModelVersionSource => {
  try {
    const key = storeKeyOfArtifactUri("", source);
    if (key === "") throw invalidSource(source, "The root of the artifact store is not a model's files; name the model's folder.");
    return { kind: "artifacts", key };
  } catch (error) {
    if (error instanceof CairnError) {
      if (error.message.startsWith("Invalid model version source")) throw error;
      throw invalidSource(source, error.message.replace("for parameter 'artifact_uri'", "in the source"));
    }
    throw error;
  }
};

const parseModelsSource = (source: string, rest: string): ModelVersionSource => {
  // models:/<model_id>: one segment, no '@', as MLflow's client reads it (_parse_model_uri); the id's own pattern
  // keeps every other single segment (a bare name, '..') out.
  const single = /^\/([^/@]+)$/.exec(rest)?.[1];
  if (single !== undefined && LOGGED_MODEL_ID.test(single)) return { kind: "logged-model", modelId: single };
  const match = /^\/([^/]+)\/(\d{1,18})$/.exec(rest);
  if (!match?.[1] || !match[2]) {
    throw invalidSource(
      source,
      "A models: source must name a registered model version as models:/<name>/<version> or a logged model as " +
        "models:/<model_id> (m- followed by 32 lowercase hex characters); aliases, stages and 'latest' would make " +
        "the version's files change when the alias moves.",
    );
  }
  return { kind: "models", name: match[1], version: String(Number(match[2])) };
};

export const parseModelVersionSource = (source: string): ModelVersionSource => {
  if (source.length > MAX_MODEL_VERSION_SOURCE_LENGTH) {
    throw invalidSource(source, `A source may be at most ${MAX_MODEL_VERSION_SOURCE_LENGTH} characters long.`);
  }
  if (hasControlCharacter(source)) throw invalidSource(source, "Control characters are not allowed.");
  if (source.includes("%")) {
    throw invalidSource(source, "Percent-encoded characters are not allowed: a source is stored and used as written.");
  }
  if (source.includes("?") || source.includes("#")) {
    throw invalidSource(source, "A query ('?') or a fragment ('#') is not allowed.");
  }
  if (source.includes("\\")) throw invalidSource(source, "Backslashes are not allowed.");
  if (WINDOWS_DRIVE.test(source) || source.startsWith("/") || source.startsWith(".")) {
    throw invalidSource(source, `A local path is not allowed: model files must be inside the artifact store. ${ACCEPTED}`);
  }
  const scheme = SCHEME.exec(source)?.[1]?.toLowerCase();
  if (scheme === undefined) {
    throw invalidSource(source, `A local path is not allowed: model files must be inside the artifact store. ${ACCEPTED}`);
  }
  const rest = source.slice(scheme.length + 1);
  switch (scheme) {
    case "runs":
      return parseRunsSource(source, rest);
    case "mlflow-artifacts":
      return parseArtifactsSource(source);
    case "models":
      return parseModelsSource(source, rest);
    case "file":
      throw invalidSource(source, `A file: URI names a path on the server's disk, which is not allowed. ${ACCEPTED}`);
    default:
      throw invalidSource(source, `The scheme '${scheme}:' names storage outside this server's artifact store. ${ACCEPTED}`);
  }
};

/**
 * The mlflow-artifacts: URI of a run source's files: the run's artifact root (which must be an mlflow-artifacts:
 * URI, i.e. served by this server's proxy) joined with the path inside it.
 */
export const runSourceArtifactUri = (source: string, runId: string, runArtifactUri: string, path: string): string => {
  let rootKey: string;
  try {
    rootKey = storeKeyOfArtifactUri(runId, runArtifactUri);
  } catch (error) {
    if (error instanceof CairnError) {
      throw invalidSource(
        source,
        `The run's artifact_uri '${runArtifactUri}' is not inside this server's artifact store (mlflow-artifacts:).`,
      );
    }
    throw error;
  }
  return artifactUriOfKey(joinKeys(rootKey, path));
};

/**
 * The mlflow-artifacts: URI of a logged model's files: its artifact_uri, which must be inside this server's artifact
 * store (a logged model whose files live elsewhere cannot be registered here: nothing outside the store is served).
 */
export const loggedModelSourceArtifactUri = (source: string, modelId: string, artifactUri: string): string => {
  let key: string;
  try {
    key = storeKeyOfArtifactUri("", artifactUri);
  } catch (error) {
    if (error instanceof CairnError) {
      throw invalidSource(
        source,
        `The logged model '${modelId}' keeps its files at '${artifactUri}', which is not inside this server's artifact store (mlflow-artifacts:).`,
      );
    }
    throw error;
  }
  if (key === "") throw invalidSource(source, `The logged model '${modelId}' names the root of the artifact store as its files.`);
  return artifactUriOfKey(key);
};

/** The canonical URI of a key of the artifact store: clients download it through this server's proxy. */
export const artifactUriOfKey = (key: string): string => `mlflow-artifacts:/${key}`;

export const sourceNotFound = (source: string, what: string): CairnError =>
  new CairnError(ErrorCode.RESOURCE_DOES_NOT_EXIST, `Model version source '${source}' refers to ${what}, which does not exist.`);
