import { CairnError, ErrorCode, invalidParameter, notFound } from "../core/errors.js";
import type { LoggedModel } from "../protocol/mlflow/logged-model-entities.js";
import type { ModelVersion, ModelVersionTag } from "../protocol/mlflow/registry-entities.js";
import type { TrackingStore } from "../tracking/store.js";
import type { LoggedModelLookup } from "./logged-model-lookup.js";
import { hasPromptTag, IS_PROMPT_TAG_KEY, isPrompt, isPromptSourcePlaceholder } from "./prompts.js";
import {
  artifactUriOfKey,
  invalidSource,
  loggedModelSourceArtifactUri,
  parseModelVersionSource,
  runSourceArtifactUri,
  sourceNotFound,
  type ModelVersionSource,
} from "./source-uri.js";
import type { RegistryStore } from "./store.js";

/**
 * Where a model version's files come from: the rules a new version's source must pass (run, artifact, another
 * version, a logged model, or a prompt's placeholder) and the resolution of a stored source to the mlflow-artifacts:
 * URI clients download. One place, so registration and every later download (get-download-uri, serving,
 * deployments, copies) apply the same confinement and the same prompt refusal.
 */

/** The fields of a create-version request the source rules read. */
export interface VersionSourceRequest {
  name: string;
  source: string;
  runId?: string;
  runLink?: string;
  modelId?: string;
  tags: readonly ModelVersionTag[];
}

/** What a checked source gives the new version: the run and the logged model it records. */
export interface CheckedSource {
  runId?: string;
  modelId?: string;
  /** The mlflow-artifacts: URI of the files (absent for a prompt version, which has none): what is pinned. */
  downloadUri?: string;
}

const MAX_SOURCE_CHAIN = 10;

const promptPlaceholderRefusal =
  `This placeholder is accepted only for a prompt version: one tagged ${IS_PROMPT_TAG_KEY}=true, of a registered model ` +
  `tagged ${IS_PROMPT_TAG_KEY}=true (as mlflow.genai.register_prompt creates them).`;

export class VersionSources {
  constructor(
    private readonly store: RegistryStore,
    private readonly tracking: TrackingStore,
    private readonly loggedModels: LoggedModelLookup,
  ) {}

  /** The checked run and logged model of a new version's source; refuses what the rules do not accept. */
  async check(request: VersionSourceRequest): Promise<CheckedSource> {
    return (await this.isPromptVersionRequest(request)) ? this.checkPromptVersion(request) : this.checkSource(request);
  }

  /**
   * The mlflow-artifacts: URI of the version's files; clients download them through this server's proxy. A prompt
   * version (its tag, or its registered model's) has no files, and its placeholder source is never resolved.
   */
  async downloadUri(version: ModelVersion): Promise<string> {
    await this.refusePromptVersion(version);
    return this.downloadUriOfSource(version.source, parseModelVersionSource(version.source), 0);
  }

  /**
   * A prompt version (MLflow's prompt registry): the request's tags mark it (`mlflow.prompt.is_prompt=true`, as
   * MLflow's server reads it) AND its registered model is a prompt (the same tag, which register_prompt sets when it
   * creates the prompt). Requiring both keeps the placeholder source away from ordinary models.
   */
  private async isPromptVersionRequest(request: VersionSourceRequest): Promise<boolean> {
    if (!hasPromptTag(request.tags)) return false;
    const model = await this.store.getRegisteredModel(request.name);
    return model !== undefined && hasPromptTag(model.tags);
  }

  /**
   * A prompt version skips the source rule because its source is never used: it must be one of MLflow's placeholders
   * (anything else goes through the ordinary rules), and it registers no logged model.
   */
  private async checkPromptVersion(request: VersionSourceRequest): Promise<CheckedSource> {
    if (!isPromptSourcePlaceholder(request.source)) return this.checkSource(request);
    if (request.modelId !== undefined) {
      throw invalidParameter(`Invalid value '${request.modelId}' for parameter 'model_id': a prompt version has no model files to register.`);
    }
    return { ...(request.runId !== undefined ? { runId: await this.requireLocalRun(request) } : {}) };
  }

  /**
   * Sources must resolve now, inside the artifact store: a run source needs its run (and the run's artifact root
   * must be proxied), a models:/<name>/<version> source its version, a models:/<model_id> source its logged model
   * (whose artifact_uri must be proxied). `model_id` must name an existing logged model; as on MLflow's server, it is
   * recorded whatever the source, the files come from the source, and a version without run_id takes the logged
   * model's source run.
   */
  private async checkSource(request: VersionSourceRequest): Promise<CheckedSource> {
    // 'dummy-source' is a local path to the ordinary rules; say instead what the placeholder needs.
    if (isPromptSourcePlaceholder(request.source)) throw invalidSource(request.source, promptPlaceholderRefusal);
    const source = parseModelVersionSource(request.source);
    if (source.kind === "runs" && request.runId !== undefined && request.runId !== source.runId) {
      throw invalidSource(request.source, `The source names run '${source.runId}' but run_id is '${request.runId}'.`);
    }
    if (source.kind === "logged-model" && request.modelId !== undefined && request.modelId !== source.modelId) {
      throw invalidSource(request.source, `The source names logged model '${source.modelId}' but model_id is '${request.modelId}'.`);
    }
    const modelId = source.kind === "logged-model" ? source.modelId : request.modelId;
    const logged = modelId === undefined ? undefined : await this.requireLoggedModel(modelId, source.kind === "logged-model" ? request.source : undefined);
    const downloadUri = await this.downloadUriOfSource(request.source, source, 0);
    if (source.kind === "runs") return { runId: source.runId, ...(modelId !== undefined ? { modelId } : {}), downloadUri };
    const runId = request.runId !== undefined ? await this.requireLocalRun(request) : logged?.info.source_run_id || undefined;
    return { ...(runId !== undefined ? { runId } : {}), ...(modelId !== undefined ? { modelId } : {}), downloadUri };
  }

  /** A run_link says the run lives on another tracking server, so only a local run id must exist here. */
  private async requireLocalRun(request: VersionSourceRequest): Promise<string | undefined> {
    if (request.runId === undefined) return undefined;
    if (request.runLink === undefined) {
      const info = await this.tracking.getRunInfo(request.runId);
      if (!info) throw notFound(`Run with id=${request.runId} not found`);
    }
    return request.runId;
  }

  /** The logged model a source or model_id names; RESOURCE_DOES_NOT_EXIST naming the field when it is missing. */
  private async requireLoggedModel(modelId: string, source: string | undefined): Promise<LoggedModel> {
    try {
      return await this.loggedModels.getLoggedModel(modelId);
    } catch (error) {
      if (error instanceof CairnError && error.code === ErrorCode.RESOURCE_DOES_NOT_EXIST) {
        throw source !== undefined
          ? sourceNotFound(source, `logged model '${modelId}'`)
          : notFound(`Logged model '${modelId}' named by model_id does not exist.`);
      }
      throw error;
    }
  }

  private async refusePromptVersion(version: ModelVersion): Promise<void> {
    if (!(await isPrompt(this.store, version.name, version.tags))) return;
    throw invalidParameter(
      `Model version ${version.name}/${version.version} is a prompt version (tag ${IS_PROMPT_TAG_KEY}=true): a prompt has no ` +
        "model files to download, serve or deploy. Load it with mlflow.genai.load_prompt.",
    );
  }

  private async downloadUriOfSource(text: string, source: ModelVersionSource, depth: number): Promise<string> {
    switch (source.kind) {
      case "artifacts":
        return artifactUriOfKey(source.key);
      case "runs": {
        const info = await this.tracking.getRunInfo(source.runId);
        if (!info) throw sourceNotFound(text, `run '${source.runId}'`);
        return runSourceArtifactUri(text, source.runId, info.artifact_uri, source.path);
      }
      case "logged-model": {
        const model = await this.requireLoggedModel(source.modelId, text);
        return loggedModelSourceArtifactUri(text, source.modelId, model.info.artifact_uri);
      }
      case "models": {
        if (depth >= MAX_SOURCE_CHAIN) {
          throw invalidSource(text, `The chain of models:/ sources is longer than ${MAX_SOURCE_CHAIN} (or loops).`);
        }
        const referenced = await this.store.getModelVersion(source.name, source.version);
        if (!referenced) throw sourceNotFound(text, `model version ${source.name}/${source.version}`);
        await this.refusePromptVersion(referenced);
        return this.downloadUriOfSource(referenced.source, parseModelVersionSource(referenced.source), depth + 1);
      }
    }
  }
}
