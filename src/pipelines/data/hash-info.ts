import { PipelineError } from "../errors.js";

/**
 * The identity of a data version: the sha256 of a file's bytes (64 lowercase hex), or for a directory the sha256 of
 * its manifest followed by ".dir" (see dir-manifest.ts). `size` is bytes (a directory's: the sum of its files'),
 * `nfiles` is set for directories only. This is what pointer files, lock files, the run cache, remotes and the
 * server's data-version references all carry.
 */
export interface HashInfo {
  hash: string;
  size: number;
  nfiles?: number;
}

export const SHA256_HEX = /^[0-9a-f]{64}$/;
export const OBJECT_HASH = /^[0-9a-f]{64}(\.dir)?$/;

export const isDirHash = (hash: string): boolean => hash.endsWith(".dir");

/** The 64 hex digits of a file or directory hash (without ".dir"). */
export const hexOf = (hash: string): string => (isDirHash(hash) ? hash.slice(0, -4) : hash);

export const isObjectHash = (value: unknown): value is string => typeof value === "string" && OBJECT_HASH.test(value);

/** Parses an untrusted HashInfo (from a pointer file, a lock file, a run-cache entry, a server answer). */
export const parseHashInfo = (value: unknown, where: { file?: string; stage?: string; field: string }): HashInfo => {
  const fail = (why: string): never => {
    throw new PipelineError(`${where.field}: ${why}`, where);
  };
  if (typeof value !== "object" || value === null || Array.isArray(value)) return fail("expected a mapping");
  const record = value as Record<string, unknown>;
  const hash = record.sha256;
  if (!isObjectHash(hash)) return fail("sha256 must be 64 lowercase hex digits (with '.dir' for a directory)");
  const size = record.size;
  if (typeof size !== "number" || !Number.isSafeInteger(size) || size < 0) return fail("size must be a non-negative integer");
  const nfiles = record.nfiles;
  if (isDirHash(hash)) {
    if (typeof nfiles !== "number" || !Number.isSafeInteger(nfiles) || nfiles < 0) return fail("nfiles must be a non-negative integer for a directory");
    return { hash, size, nfiles };
  }
  if (nfiles !== undefined) return fail("nfiles is only allowed for a directory");
  return { hash, size };
};
