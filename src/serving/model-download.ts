import { mkdir, mkdtemp, rename, rm, stat } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { invalidParameter } from "../core/errors.js";
import type { ModelVersion } from "../protocol/mlflow/registry-entities.js";
import { parseModelUri } from "../registry/model-uri.js";
import { proxiedRoot } from "../sdk/artifact-paths.js";
import { CairnClient } from "../sdk/client.js";

/**
 * `cairn serve models:/...`: the version a models:/ URI names, resolved through a tracking server's registry API
 * (as MLflow's client does), and its files downloaded once into a cache folder (registered versions are immutable,
 * so a complete download is reused; a partial one never is: it is written under a temporary name and renamed).
 */
export interface DownloadedModel {
  name: string;
  version: string;
  localPath: string;
}

const resolveVersion = async (client: CairnClient, uri: string): Promise<ModelVersion> => {
  const parsed = parseModelUri(uri);
  switch (parsed.kind) {
    case "version":
      return client.registry.getVersion(parsed.name, parsed.version);
    case "alias":
      return client.registry.getVersionByAlias(parsed.name, parsed.alias);
    case "stage":
    case "latest": {
      const versions = await client.registry.getLatestVersions(parsed.name, parsed.kind === "stage" ? [parsed.stage] : undefined);
      const newest = versions.sort((a, b) => Number(b.version) - Number(a.version))[0];
      if (newest === undefined) throw invalidParameter(`No model version of '${parsed.name}' matches ${uri}.`);
      return newest;
    }
  }
};

const exists = async (p: string): Promise<boolean> => stat(p).then(() => true, () => false);

const safeSegment = (text: string): string => encodeURIComponent(text).replace(/^\.+/, (dots) => "%2E".repeat(dots.length));

export const downloadRegisteredModel = async (
  uri: string,
  trackingUri: string,
  cacheDir = path.join(os.tmpdir(), "cairn-serve-cache"),
): Promise<DownloadedModel> => {
  const client = new CairnClient({ trackingUri });
  const version = await resolveVersion(client, uri);
  const target = path.join(cacheDir, safeSegment(version.name), safeSegment(String(version.version)));
  const result = { name: version.name, version: String(version.version), localPath: target };
  if (await exists(target)) return result;

  const downloadUri = await client.registry.getDownloadUri(version.name, version.version);
  const runId = version.run_id;
  if (!runId) throw invalidParameter(`Model version ${version.name}/${version.version} has no run; cairn serve downloads a run's artifacts only.`);
  const runRoot = await client.artifacts.proxyRoot(runId);
  const wanted = proxiedRoot(downloadUri);
  if (wanted === undefined || (wanted !== runRoot && !wanted.startsWith(`${runRoot}/`))) {
    throw invalidParameter(`Model version ${version.name}/${version.version} is stored at ${downloadUri}, outside its run's artifacts.`);
  }
  const relative = wanted.slice(runRoot.length).replace(/^\/+/, "");
  await mkdir(path.dirname(target), { recursive: true });
  const staging = await mkdtemp(`${target}.partial-`);
  try {
    await client.artifacts.download(runId, relative || undefined, staging);
    await rename(path.join(staging, ...relative.split("/").filter(Boolean)), target);
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
  return result;
};
