import { createHash } from "node:crypto";
import { Transform } from "node:stream";

/**
 * A model version's files as they were when the version was pinned: every file below the version's root, by its
 * path relative to the root ("" when the root is one file), with its size and sha256.
 */
export interface FileDigest {
  path: string;
  size: number;
  sha256: string;
}

/** Where the files are (the artifact store key of the version's source) and what they are. */
export interface FileManifest {
  rootKey: string;
  /** The source names one file (a bare model.onnx registered by its path), not a folder. */
  rootIsFile: boolean;
  files: FileDigest[];
}

/** The most files one version may pin: beyond it a registration is refused rather than hashed without end. */
export const MAX_MANIFEST_FILES = 10_000;

/** The first difference between what was recorded and what is there, named for the error and the audit event. */
export interface ManifestMismatch {
  path: string;
  problem: "changed" | "missing" | "added";
  expected?: { size: number; sha256: string };
  actual?: { size: number; sha256: string };
}

const byPath = (a: FileDigest, b: FileDigest): number => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0);

/** Compares a manifest with the digests of the files found now; undefined when they are the same set of bytes. */
export const compareManifest = (expected: readonly FileDigest[], actual: readonly FileDigest[]): ManifestMismatch | undefined => {
  const found = new Map(actual.map((file) => [file.path, file]));
  for (const file of [...expected].sort(byPath)) {
    const now = found.get(file.path);
    if (now === undefined) return { path: file.path, problem: "missing", expected: { size: file.size, sha256: file.sha256 } };
    if (now.size !== file.size || now.sha256 !== file.sha256) {
      return { path: file.path, problem: "changed", expected: { size: file.size, sha256: file.sha256 }, actual: { size: now.size, sha256: now.sha256 } };
    }
    found.delete(file.path);
  }
  const added = [...found.values()].sort(byPath)[0];
  return added === undefined ? undefined : { path: added.path, problem: "added", actual: { size: added.size, sha256: added.sha256 } };
};

/** One sha256 over the whole manifest (sorted), for the audit event of a registration: one value names every byte. */
export const manifestDigest = (files: readonly FileDigest[]): string =>
  createHash("sha256")
    .update(JSON.stringify([...files].sort(byPath).map((file) => [file.path, file.size, file.sha256])))
    .digest("hex");

/** A pass-through stream that counts and hashes what flows through it (a copy verified without a second read). */
export class DigestingStream extends Transform {
  private readonly hash = createHash("sha256");
  size = 0;

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: (error?: Error | null, data?: Buffer) => void): void {
    this.size += chunk.length;
    this.hash.update(chunk);
    done(null, chunk);
  }

  /** Call once the stream has ended. */
  digest(): string {
    return this.hash.digest("hex");
  }
}

/** The full key of a manifest entry: the root itself for a one-file root. */
export const keyOfEntry = (rootKey: string, path: string): string => (path === "" ? rootKey : rootKey === "" ? path : `${rootKey}/${path}`);
