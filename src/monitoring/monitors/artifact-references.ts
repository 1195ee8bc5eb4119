import { createHash } from "node:crypto";
import { createWriteStream } from "node:fs";
import { mkdir, rename, rm, stat } from "node:fs/promises";
import path from "node:path";
import { pipeline } from "node:stream/promises";
import { storeKeyOfArtifactUri } from "../../artifacts/artifact-uri.js";
import type { ArtifactStore } from "../../artifacts/store.js";
import { stagingOwnerTag } from "../../stores/artifact-stores/local/stale.js";
import { invalidParameter } from "../../core/errors.js";
import type { Dataset } from "../../validation/dataset.js";
import { openDataset } from "../../validation/duckdb/open-dataset.js";

const SCHEME = "mlflow-artifacts:";

/**
 * Opens a monitor's reference data. A monitor is created through the API by any client, so its reference may not be
 * a path on the server's disk (that would let a client make the server read any file it can): it must be a file in
 * the artifact store, named by its mlflow-artifacts:/ URI (upload it with `cairn artifacts upload`), confined by the
 * artifact domain's path rules. The file is copied once into a local cache (DuckDB reads local files), keyed by its
 * store key, size and modification time.
 */
export const artifactReferenceOpener = (store: ArtifactStore, cacheDir: string) => async (uri: string): Promise<Dataset> => {
  if (uri.slice(0, SCHEME.length).toLowerCase() !== SCHEME) {
    throw invalidParameter(
      `A monitor's reference data must be a file in the artifact store, given as an ${SCHEME}/ URI (upload it with 'cairn artifacts upload'); got '${uri.slice(0, 200)}'.`,
    );
  }
  const key = storeKeyOfArtifactUri("monitor", uri);
  const info = await store.stat(key);
  if (info === undefined || info.isDir) throw invalidParameter(`The monitor's reference '${uri.slice(0, 200)}' is not a file in the artifact store.`);
  const digest = createHash("sha256").update(`${key}\u0000${info.size}\u0000${info.modifiedAtMs}`).digest("hex").slice(0, 32);
  // The extension tells openDataset the format; the rest of the name is the digest, so no client text reaches the disk.
  const extension = path.extname(key).toLowerCase().replace(/[^.a-z0-9]/g, "");
  const local = path.join(cacheDir, `${digest}${extension}`);
  const cached = await stat(local).catch(() => undefined);
  if (cached?.size !== info.size) {
    await mkdir(cacheDir, { recursive: true });
    const partial = `${local}.${stagingOwnerTag()}.partial`;
    try {
      await pipeline((await store.read(key)).stream, createWriteStream(partial));
      await rename(partial, local);
    } finally {
      await rm(partial, { force: true });
    }
  }
  return openDataset(local);
};
