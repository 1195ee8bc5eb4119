import { storeKeyOfArtifactUri } from "../../artifacts/artifact-uri.js";
import type { ArtifactStore } from "../../artifacts/store.js";
import { DEFAULT_YAML_LIMITS, parseLimitedYamlData } from "../../core/limited-yaml.js";
import { parseSignature, signatureColumns } from "../../serving/model/signature.js";

/** An MLmodel file is a few KiB; a larger one is not read into memory. */
export const MAX_MLMODEL_BYTES = 1024 * 1024;
const CACHE_SIZE = 1000;

export interface RegisteredSignatureOptions {
  store: ArtifactStore;
  /** Where a version's files are (the registry's download URI, as the deployments' materializer uses). */
  downloadUri: (name: string, version: string) => Promise<string>;
}

/**
 * The feature names of a model version's signature as registered: the columns of the column-based signature in the
 * MLmodel file of the version's files in the artifact store. Read from the registry, not from a loaded model, so a
 * monitor names its features the same whichever version is loaded now (a window that outlives an alias move was
 * named input_0.. when the names came only from loaded versions). undefined for a bare .onnx file, an MLmodel without
 * a signature, or a tensor-based one: such a model needs the monitor's own `features`. Cached per version and source.
 */
export const registeredSignature = (options: RegisteredSignatureOptions): ((modelName: string, version: string) => Promise<string[] | undefined>) => {
  const cache = new Map<string, Promise<string[] | undefined>>();
  const read = async (uri: string): Promise<string[] | undefined> => {
    const key = storeKeyOfArtifactUri("", uri);
    const entry = await options.store.stat(key);
    if (entry === undefined || !entry.isDir) return undefined;
    const mlmodelKey = key === "" ? "MLmodel" : `${key.replace(/\/+$/, "")}/MLmodel`;
    const info = await options.store.stat(mlmodelKey);
    if (info === undefined || info.isDir) return undefined;
    if (info.size > MAX_MLMODEL_BYTES) throw new Error(`the MLmodel file at '${mlmodelKey}' is ${info.size} bytes; at most ${MAX_MLMODEL_BYTES} are read`);
    const chunks: Buffer[] = [];
    for await (const chunk of (await options.store.read(mlmodelKey)).stream) chunks.push(Buffer.from(chunk as Uint8Array));
    const doc = parseLimitedYamlData(Buffer.concat(chunks).toString("utf8"), mlmodelKey, { ...DEFAULT_YAML_LIMITS, maxBytes: MAX_MLMODEL_BYTES, maxAliasCount: 50 });
    if (typeof doc !== "object" || doc === null) return undefined;
    return signatureColumns(parseSignature((doc as Record<string, unknown>).signature, `${mlmodelKey}`));
  };
  return async (modelName, version) => {
    const uri = await options.downloadUri(modelName, version);
    const id = `${modelName}\u0000${version}\u0000${uri}`;
    let names = cache.get(id);
    if (names === undefined) {
      names = read(uri);
      // A failed read (the store down) is not remembered: the next run tries again.
      names.catch(() => cache.delete(id));
      if (cache.size >= CACHE_SIZE) cache.delete(cache.keys().next().value as string);
      cache.set(id, names);
    }
    return names;
  };
};
