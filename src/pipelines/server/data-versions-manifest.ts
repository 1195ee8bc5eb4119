import { createHash } from "node:crypto";
import type { ArtifactStore } from "../../artifacts/store.js";
import { CairnError, ErrorCode } from "../../core/errors.js";
import { type DirEntry, parseManifest } from "../data/dir-manifest.js";
import { hexOf } from "../data/hash-info.js";
import { dataObjectKey } from "./data-object-key.js";

/**
 * Reads data objects the server holds (pushed by `cairn push` to the default remote): the artifact store keeps them
 * under `.cairn-data/` with the cache's layout (design: `.cairn-data/files/sha256/ab/<62 hex>[.dir]`). A directory's
 * manifest is parsed once and kept (it is content-addressed, so it never changes) in a small LRU; a manifest whose
 * bytes do not hash to its name, or that does not parse, is treated as absent rather than shown.
 */
/** 64 MiB: about 500,000 files; a bigger manifest is not listed (the page says files are unavailable). */
export const MAX_MANIFEST_BYTES = 64 * 1024 * 1024;
const CACHED_MANIFESTS = 8;

export type ManifestRead = { state: "ok"; entries: DirEntry[] } | { state: "absent" | "too-large" | "invalid" };

export class DataObjectReader {
  private readonly manifests = new Map<string, DirEntry[]>();

  constructor(
    private readonly store: ArtifactStore,
    /** Tests lower it to check the refusal without writing 64 MiB. */
    private readonly maxManifestBytes = MAX_MANIFEST_BYTES,
  ) {}

  /** The stored object's size, or undefined when the server does not hold it. */
  async objectSize(hash: string): Promise<number | undefined> {
    const stat = await this.store.stat(dataObjectKey(hash));
    return stat === undefined || stat.isDir ? undefined : stat.size;
  }

  async manifest(hash: string): Promise<ManifestRead> {
    const cached = this.manifests.get(hash);
    if (cached !== undefined) {
      this.manifests.delete(hash);
      this.manifests.set(hash, cached);
      return { state: "ok", entries: cached };
    }
    const size = await this.objectSize(hash);
    if (size === undefined) return { state: "absent" };
    if (size > this.maxManifestBytes) return { state: "too-large" };
    const bytes = await this.readAll(hash);
    if (bytes === undefined) return { state: "absent" };
    if (createHash("sha256").update(bytes).digest("hex") !== hexOf(hash)) return { state: "invalid" };
    let entries: DirEntry[];
    try {
      entries = parseManifest(bytes, dataObjectKey(hash));
    } catch {
      return { state: "invalid" };
    }
    this.manifests.set(hash, entries);
    if (this.manifests.size > CACHED_MANIFESTS) this.manifests.delete(this.manifests.keys().next().value as string);
    return { state: "ok", entries };
  }

  private async readAll(hash: string): Promise<Buffer | undefined> {
    let content;
    try {
      content = await this.store.read(dataObjectKey(hash));
    } catch (error) {
      // Removed between stat and read (gc): absent, as if never stored.
      if (error instanceof CairnError && error.code === ErrorCode.RESOURCE_DOES_NOT_EXIST) return undefined;
      throw error;
    }
    const chunks: Buffer[] = [];
    let total = 0;
    for await (const chunk of content.stream as AsyncIterable<Buffer>) {
      total += chunk.length;
      if (total > this.maxManifestBytes) {
        content.stream.destroy();
        return undefined;
      }
      chunks.push(chunk);
    }
    return Buffer.concat(chunks);
  }
}
