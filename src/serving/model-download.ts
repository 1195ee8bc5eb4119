import { mkdir, mkdtemp, rename, rm, stat } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { invalidParameter } from "../core/errors.js";
import type { ModelVersion } from "../protocol/mlflow/registry-entities.js";
import { parseModelUri, type RegisteredModelUri } from "../registry/model-uri.js";
import { proxiedRoot } from "../sdk/artifact-paths.js";
import { CairnClient } from "../sdk/client.js";
import { removeOrphanedEntries, stagingOwnerTag, TEMP_FILE_MAX_AGE_MS } from "../stores/artifact-stores/local/stale.js";

/**
 * `cairn serve models:/...`: the files a models:/ URI names, resolved through a tracking server's API as MLflow's
 * client does, and downloaded once into a cache folder (registered versions and finalized logged models are
 * immutable, so a complete download is reused; a partial one never is: it is written under a temporary name and
 * renamed). A registered version's files are wherever the registry's get-download-uri says (a run's artifacts, a
 * logged model's folder, an artifact path); `models:/<model_id>` names a logged model, whose files are its
 * artifact_uri. Both must be mlflow-artifacts: locations, which this server's proxy serves.
 */
export interface DownloadedModel {
  name: string;
  version: string;
  localPath: string;
}

interface ResolvedFiles {
  name: string;
  version: string;
  /** Where the download is cached, relative to the cache folder. */
  cacheSegments: string[];
  /** Resolved only when the cache misses (a registered version's get-download-uri is a call). */
  uri: () => Promise<string>;
}

const resolveVersion = async (client: CairnClient, uri: RegisteredModelUri, text: string): Promise<ModelVersion> => {
  switch (uri.kind) {
    case "version":
      return client.registry.getVersion(uri.name, uri.version);
    case "alias":
      return client.registry.getVersionByAlias(uri.name, uri.alias);
    case "stage":
    case "latest": {
      const versions = await client.registry.getLatestVersions(uri.name, uri.kind === "stage" ? [uri.stage] : undefined);
      const newest = versions.sort((a, b) => Number(b.version) - Number(a.version))[0];
      if (newest === undefined) throw invalidParameter(`No model version of '${uri.name}' matches ${text}.`);
      return newest;
    }
  }
};

const resolveFiles = async (client: CairnClient, text: string): Promise<ResolvedFiles> => {
  const parsed = parseModelUri(text);
  if (parsed.kind === "logged-model") {
    const model = await client.registry.getLoggedModel(parsed.modelId);
    // The standalone server names it as MLflow's UI does (the logged model's name); a logged model has no version.
    return { name: model.info.name, version: "1", cacheSegments: ["logged-models", parsed.modelId], uri: async () => model.info.artifact_uri };
  }
  const version = await resolveVersion(client, parsed, text);
  return {
    name: version.name,
    version: String(version.version),
    cacheSegments: [safeSegment(version.name), safeSegment(String(version.version))],
    uri: () => client.registry.getDownloadUri(version.name, version.version),
  };
};

const exists = async (p: string): Promise<boolean> => stat(p).then(() => true, () => false);

const safeSegment = (text: string): string => encodeURIComponent(text).replace(/^\.+/, (dots) => "%2E".repeat(dots.length));

export const downloadRegisteredModel = async (
  uri: string,
  trackingUri: string,
  cacheDir = path.join(os.tmpdir(), "cairn-serve-cache"),
): Promise<DownloadedModel> => {
  const client = new CairnClient({ trackingUri });
  const files = await resolveFiles(client, uri);
  const target = path.join(cacheDir, ...files.cacheSegments);
  const result = { name: files.name, version: files.version, localPath: target };
  if (await exists(target)) return result;

  const downloadUri = await files.uri();
  const root = proxiedRoot(downloadUri);
  if (root === undefined || root === "") {
    throw invalidParameter(`${uri} is stored at ${downloadUri}, which the tracking server does not proxy (it serves mlflow-artifacts:/ locations only).`);
  }
  await mkdir(path.dirname(target), { recursive: true });
  // What a killed download left beside this one goes first (see stagingOwnerTag).
  await removeOrphanedEntries(path.dirname(target), TEMP_FILE_MAX_AGE_MS, (name) => name.includes(".partial-"));
  const staging = await mkdtemp(`${target}.partial-${stagingOwnerTag()}`);
  try {
    const written = await client.artifacts.downloadUnder(root, undefined, path.join(staging, "files"));
    if (written.length > 0) {
      await rename(path.join(staging, "files"), target);
    } else {
      // An empty listing: the files are one file (a bare model.onnx registered by its path).
      const slash = root.lastIndexOf("/");
      await client.artifacts.downloadFileUnder(root.slice(0, Math.max(slash, 0)), root.slice(slash + 1), path.join(staging, "file"));
      await rename(path.join(staging, "file"), target);
    }
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
  return result;
};
