import { createHash } from "node:crypto";
import { PipelineError } from "../errors.js";
import { SHA256_HEX } from "./hash-info.js";

/**
 * A directory's version: the list of its files (relative POSIX paths, sorted by code unit) with each file's sha256
 * and size. Its bytes are canonical JSON (no spaces, keys in this order), so the same directory content always has
 * the same manifest hash, whoever wrote it. Empty directories are not recorded (as git and DVC).
 */
export interface DirEntry {
  relpath: string;
  sha256: string;
  size: number;
}

/** A path inside a directory: no empty, "." or ".." segment, no backslash, not absolute, no NUL. */
export const isSafeRelpath = (relpath: string): boolean =>
  relpath.length > 0 &&
  relpath.length <= 4096 &&
  !relpath.startsWith("/") &&
  !relpath.includes("\\") &&
  !relpath.includes("\0") &&
  relpath.split("/").every((segment) => segment !== "" && segment !== "." && segment !== "..");

export const serializeManifest = (entries: readonly DirEntry[]): Buffer => {
  const sorted = [...entries].sort((a, b) => (a.relpath < b.relpath ? -1 : a.relpath > b.relpath ? 1 : 0));
  return Buffer.from(JSON.stringify(sorted.map(({ relpath, sha256, size }) => ({ relpath, sha256, size }))), "utf8");
};

/** The ".dir" hash of a manifest's bytes. */
export const manifestHash = (bytes: Buffer): string => `${createHash("sha256").update(bytes).digest("hex")}.dir`;

/** Parses an untrusted manifest (a cache object, a download): every entry checked, order and uniqueness enforced. */
export const parseManifest = (bytes: Buffer, file: string): DirEntry[] => {
  let value: unknown;
  try {
    value = JSON.parse(bytes.toString("utf8"));
  } catch {
    throw new PipelineError("directory manifest is not valid JSON", { file });
  }
  if (!Array.isArray(value)) throw new PipelineError("directory manifest must be a JSON array", { file });
  const entries: DirEntry[] = [];
  let previous: string | undefined;
  for (const [index, item] of value.entries()) {
    const entry = item as Partial<DirEntry> | null;
    if (typeof entry !== "object" || entry === null) throw new PipelineError(`entry ${index} is not an object`, { file });
    const { relpath, sha256, size } = entry;
    if (typeof relpath !== "string" || !isSafeRelpath(relpath)) throw new PipelineError(`entry ${index}: unsafe or missing relpath`, { file });
    if (typeof sha256 !== "string" || !SHA256_HEX.test(sha256)) throw new PipelineError(`entry ${index} (${relpath}): sha256 must be 64 lowercase hex digits`, { file });
    if (typeof size !== "number" || !Number.isSafeInteger(size) || size < 0) throw new PipelineError(`entry ${index} (${relpath}): size must be a non-negative integer`, { file });
    if (previous !== undefined && !(previous < relpath)) throw new PipelineError(`entry ${index} (${relpath}): entries must be sorted and unique`, { file });
    previous = relpath;
    entries.push({ relpath, sha256, size });
  }
  return entries;
};
