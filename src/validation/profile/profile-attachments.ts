import { Readable } from "node:stream";
import { storeKeyOfArtifactUri } from "../../artifacts/artifact-uri.js";
import type { ByteSource } from "../../artifacts/store.js";
import type { WriteContext } from "../../core/actor.js";
import { CairnError, ErrorCode, invalidParameter } from "../../core/errors.js";
import { PROFILE_SCHEMA_VERSION, type DatasetProfile } from "./profile-schema.js";

/** What attaching needs of the tracking, registry and artifact services (TrackingService, RegistryService, ArtifactService). */
export interface ProfileTracking {
  getRunArtifactUri(runId: string): Promise<string>;
  setTag(runId: string, tag: { key: string; value: string }, context: WriteContext): Promise<void>;
}
export interface ProfileRegistry {
  getModelVersion(name: string, version: string): Promise<{ run_id?: string; tags?: Array<{ key: string; value: string }> }>;
  setModelVersionTag(name: string, version: string, tag: { key: string; value: string }, ctx: WriteContext): Promise<void>;
}
export interface ProfileArtifacts {
  upload(path: string, body: ByteSource, ctx: WriteContext): Promise<void>;
  download(path: string): Promise<{ stream: AsyncIterable<Uint8Array> | Readable }>;
}

/** Run tag naming a profile artifact: cairn.profile.<name> = profiles/<name>.json. */
export const RUN_PROFILE_TAG_PREFIX = "cairn.profile.";
/** Model version tag naming its training profile: runs:/<run_id>/profiles/<name>.json. */
export const TRAINING_PROFILE_TAG = "cairn.training_profile";
/** Profiles are aggregates; a bigger document is a mistake (or an attack), not a profile. */
export const MAX_PROFILE_BYTES = 16 * 1024 * 1024;

const NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$/;

export const validateProfileName = (name: string): void => {
  if (!NAME.test(name) || name.includes("..")) {
    throw invalidParameter(`profile name '${name}' is invalid: 1 to 100 letters, digits, '_', '-' or '.', starting with a letter or digit`);
  }
};

/** The few structural checks a stored profile must pass, so readers (monitors, skew) can trust its shape. */
export const validateProfile = (value: unknown): DatasetProfile => {
  if (typeof value !== "object" || value === null || Array.isArray(value)) throw invalidParameter("profile must be a JSON object");
  const profile = value as Partial<DatasetProfile>;
  if (profile.schema_version !== PROFILE_SCHEMA_VERSION) {
    throw invalidParameter(`profile.schema_version must be ${PROFILE_SCHEMA_VERSION}, got ${JSON.stringify(profile.schema_version ?? null)}`);
  }
  if (typeof profile.row_count !== "number" || !Array.isArray(profile.columns)) {
    throw invalidParameter("profile must have a numeric row_count and a columns array");
  }
  for (const column of profile.columns) {
    if (typeof column?.name !== "string" || typeof column.kind !== "string") throw invalidParameter("every profile column needs a name and a kind");
  }
  return profile as DatasetProfile;
};

const readJson = async (stream: AsyncIterable<Uint8Array> | Readable): Promise<unknown> => {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream as AsyncIterable<Uint8Array>) {
    size += chunk.length;
    if (size > MAX_PROFILE_BYTES) throw invalidParameter(`profile is larger than ${MAX_PROFILE_BYTES} bytes`);
    chunks.push(Buffer.from(chunk));
  }
  return JSON.parse(Buffer.concat(chunks).toString("utf8")) as unknown;
};

const parseRunsUri = (uri: string): { runId: string; path: string } => {
  const match = /^runs:\/([^/]+)\/(.+)$/.exec(uri);
  if (match === null) throw new CairnError(ErrorCode.INVALID_STATE, `${TRAINING_PROFILE_TAG} '${uri}' is not a runs:/<run_id>/<path> URI`);
  return { runId: match[1] as string, path: match[2] as string };
};

/**
 * Profiles stored as run artifacts (profiles/<name>.json, through the artifact service so uploads are audited), a
 * run tag per profile, and a model version tag pointing at the version's training profile.
 */
export class ProfileAttachments {
  constructor(
    private readonly tracking: ProfileTracking,
    private readonly artifacts: ProfileArtifacts,
    private readonly registry: ProfileRegistry,
  ) {}

  private async runKey(runId: string, path: string): Promise<string> {
    return `${storeKeyOfArtifactUri(runId, await this.tracking.getRunArtifactUri(runId))}/${path}`;
  }

  /** Stores the profile as the run's artifact profiles/<name>.json and tags the run; returns the artifact path. */
  async attachToRun(runId: string, name: string, profile: unknown, ctx: WriteContext): Promise<{ artifact_path: string; uri: string }> {
    validateProfileName(name);
    const valid = validateProfile(profile);
    const body = Buffer.from(JSON.stringify(valid), "utf8");
    if (body.length > MAX_PROFILE_BYTES) throw invalidParameter(`profile is larger than ${MAX_PROFILE_BYTES} bytes`);
    const path = `profiles/${name}.json`;
    await this.artifacts.upload(await this.runKey(runId, path), Readable.from([body]), ctx);
    await this.tracking.setTag(runId, { key: `${RUN_PROFILE_TAG_PREFIX}${name}`, value: path }, ctx);
    return { artifact_path: path, uri: `runs:/${runId}/${path}` };
  }

  async readRunProfile(runId: string, name: string): Promise<DatasetProfile> {
    validateProfileName(name);
    return this.readRunArtifact(runId, `profiles/${name}.json`);
  }

  /**
   * Marks a run's profile as a model version's training profile (the reference of its monitors and skew checks).
   * The run defaults to the version's own run.
   */
  async setTrainingProfile(modelName: string, version: string, profileName: string, runId: string | undefined, ctx: WriteContext): Promise<{ uri: string }> {
    validateProfileName(profileName);
    const owner = runId ?? (await this.registry.getModelVersion(modelName, version)).run_id;
    if (owner === undefined || owner === "") {
      throw invalidParameter(`model version ${modelName} v${version} has no run_id; pass run_id, the run the profile is attached to`);
    }
    await this.readRunProfile(owner, profileName); // it must exist and be a valid profile
    const uri = `runs:/${owner}/profiles/${profileName}.json`;
    await this.registry.setModelVersionTag(modelName, version, { key: TRAINING_PROFILE_TAG, value: uri }, ctx);
    return { uri };
  }

  async readTrainingProfile(modelName: string, version: string): Promise<DatasetProfile> {
    const tag = (await this.registry.getModelVersion(modelName, version)).tags?.find((t) => t.key === TRAINING_PROFILE_TAG);
    if (tag === undefined) {
      throw new CairnError(ErrorCode.RESOURCE_DOES_NOT_EXIST, `model version ${modelName} v${version} has no training profile (tag ${TRAINING_PROFILE_TAG})`);
    }
    const { runId, path } = parseRunsUri(tag.value);
    return this.readRunArtifact(runId, path);
  }

  private async readRunArtifact(runId: string, path: string): Promise<DatasetProfile> {
    const key = await this.runKey(runId, path);
    const download = await this.artifacts.download(key).catch((error: unknown) => {
      if (error instanceof CairnError && error.code === ErrorCode.RESOURCE_DOES_NOT_EXIST) {
        throw new CairnError(ErrorCode.RESOURCE_DOES_NOT_EXIST, `run ${runId} has no profile artifact ${path}`);
      }
      throw error;
    });
    return validateProfile(await readJson(download.stream));
  }
}

/** For monitors and skew checks: the training profile of a model version. */
export const readTrainingProfile = (
  registry: ProfileRegistry,
  tracking: ProfileTracking,
  artifacts: ProfileArtifacts,
  name: string,
  version: string,
): Promise<DatasetProfile> => new ProfileAttachments(tracking, artifacts, registry).readTrainingProfile(name, version);
