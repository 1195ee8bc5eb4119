import { createHash } from "node:crypto";
import type { LockStage } from "../lock/lock-file.js";

/**
 * JSON with object keys sorted at every level and no spaces: the same value always gives the same bytes, whoever
 * wrote it and in whatever order its maps were built (params come from YAML in the file's order).
 */
export const canonicalJson = (value: unknown): string => {
  if (Array.isArray(value)) return `[${value.map((item) => canonicalJson(item === undefined ? null : item)).join(",")}]`;
  if (typeof value === "object" && value !== null) {
    const record = value as Record<string, unknown>;
    const keys = Object.keys(record)
      .filter((key) => record[key] !== undefined)
      .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${keys.map((key) => `${JSON.stringify(key)}:${canonicalJson(record[key])}`).join(",")}}`;
  }
  return JSON.stringify(value) ?? "null";
};

/**
 * The run-cache key of a stage about to run: sha256 of canonical JSON {cmd, deps [{path, hash}] sorted by path,
 * params}. Sizes are left out (the hash decides); a list cmd stays a list (its order matters).
 */
export const runCacheKey = (input: Pick<LockStage, "cmd" | "deps" | "params">): string => {
  const deps = input.deps
    .map((dep) => ({ path: dep.path, hash: dep.hash }))
    .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return createHash("sha256").update(canonicalJson({ cmd: input.cmd, deps, params: input.params })).digest("hex");
};
