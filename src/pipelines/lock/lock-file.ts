import { stringify } from "yaml";
import { parseLimitedYamlData } from "../../core/limited-yaml.js";
import { PipelineError } from "../errors.js";
import { isDirHash, parseHashInfo, type HashInfo } from "../data/hash-info.js";

/**
 * `cairn.lock`, beside the pipeline file: what each stage last ran with and produced. DVC's `dvc.lock` (schema 2.0)
 * with sha256 instead of md5, written under its own name so that a DVC project's own lock is never touched:
 *
 *   schema: '2.0'
 *   stages:
 *     train:
 *       cmd: node train.mjs
 *       deps:
 *       - path: data/prepared      # workspace-relative (the stage's wdir applied), POSIX
 *         hash: sha256
 *         sha256: 9a…c2.dir
 *         size: 1200
 *         nfiles: 3
 *       params:
 *         params.yaml:
 *           train.epochs: 20
 *       outs:                       # outs, metrics and plots, in that order
 *       - path: model.onnx
 *         hash: sha256
 *         sha256: 5e…0f
 *         size: 890
 */
export const LOCK_FILE = "cairn.lock";

export interface LockEntry extends HashInfo {
  path: string;
}

export interface LockStage {
  cmd: string | string[];
  deps: LockEntry[];
  /** file -> key path -> value used. */
  params: Record<string, Record<string, unknown>>;
  outs: LockEntry[];
}

export interface LockFile {
  stages: Record<string, LockStage>;
}

const entries = (value: unknown, file: string, stage: string, field: string): LockEntry[] => {
  if (value === undefined) return [];
  if (!Array.isArray(value)) throw new PipelineError(`${field} must be a list`, { file, stage });
  return value.map((item: unknown, index) => {
    const where = `${field}[${index}]`;
    const info = parseHashInfo(item, { file, stage, field: where });
    const path = (item as Record<string, unknown>).path;
    if (typeof path !== "string" || path === "") throw new PipelineError(`${where}.path must be a non-empty string`, { file, stage });
    return { path, ...info };
  });
};

const params = (value: unknown, file: string, stage: string): Record<string, Record<string, unknown>> => {
  if (value === undefined) return {};
  if (typeof value !== "object" || value === null || Array.isArray(value)) throw new PipelineError("params must be a mapping of file to values", { file, stage });
  const out: Record<string, Record<string, unknown>> = {};
  for (const [paramsFile, values] of Object.entries(value)) {
    if (typeof values !== "object" || values === null || Array.isArray(values)) throw new PipelineError(`params.${paramsFile} must be a mapping`, { file, stage });
    out[paramsFile] = { ...(values as Record<string, unknown>) };
  }
  return out;
};

export const parseLockFile = (text: string, file: string): LockFile => {
  let data: unknown;
  try {
    data = parseLimitedYamlData(text, file, { maxBytes: 64 * 1024 * 1024, maxDepth: 64, maxAliasCount: 0 });
  } catch (error) {
    throw new PipelineError(`malformed lock file: ${(error as Error).message}`, { file });
  }
  if (data === null || data === undefined) return { stages: {} };
  if (typeof data !== "object" || Array.isArray(data)) throw new PipelineError("malformed lock file: expected a mapping", { file });
  const record = data as Record<string, unknown>;
  if (record.schema !== undefined && record.schema !== "2.0") throw new PipelineError(`malformed lock file: unsupported schema '${String(record.schema)}'`, { file });
  const stages = record.stages ?? {};
  if (typeof stages !== "object" || stages === null || Array.isArray(stages)) throw new PipelineError("malformed lock file: 'stages' must be a mapping", { file });
  const result: Record<string, LockStage> = {};
  for (const [stage, raw] of Object.entries(stages)) result[stage] = parseLockStage(raw, file, stage);
  return { stages: result };
};

/** One stage's entry (a lock file's, or a run-cache entry's, which has the same shape). */
export const parseLockStage = (raw: unknown, file: string, stage: string): LockStage => {
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) throw new PipelineError("malformed lock file: stage entry must be a mapping", { file, stage });
  const entry = raw as Record<string, unknown>;
  const cmd = entry.cmd;
  const isCmd = typeof cmd === "string" || (Array.isArray(cmd) && cmd.every((part) => typeof part === "string"));
  if (!isCmd) throw new PipelineError("malformed lock file: cmd must be a string or a list of strings", { file, stage });
  return { cmd: cmd as string | string[], deps: entries(entry.deps, file, stage, "deps"), params: params(entry.params, file, stage), outs: entries(entry.outs, file, stage, "outs") };
};

const serializeEntry = (entry: LockEntry): Record<string, unknown> => ({
  path: entry.path,
  hash: "sha256",
  sha256: entry.hash,
  size: entry.size,
  ...(isDirHash(entry.hash) ? { nfiles: entry.nfiles ?? 0 } : {}),
});

/** One stage's entry as a plain value for YAML (the lock file's and the run cache's shape). */
export const serializeLockStage = (stage: LockStage): Record<string, unknown> => ({
  cmd: stage.cmd,
  ...(stage.deps.length === 0 ? {} : { deps: stage.deps.map(serializeEntry) }),
  ...(Object.keys(stage.params).length === 0 ? {} : { params: stage.params }),
  ...(stage.outs.length === 0 ? {} : { outs: stage.outs.map(serializeEntry) }),
});

/** Stages in the given order (the pipeline file's), so that diffs of the lock file stay small. */
export const serializeLockFile = (lock: LockFile): string =>
  stringify({
    schema: "2.0",
    stages: Object.fromEntries(Object.entries(lock.stages).map(([name, stage]) => [name, serializeLockStage(stage)])),
  });
