import { stringify } from "yaml";
import { parseLimitedYamlData } from "../../core/limited-yaml.js";
import { PipelineError } from "../errors.js";
import { isDirHash, parseHashInfo, type HashInfo } from "./hash-info.js";
import { isSafeRelpath } from "./dir-manifest.js";

/**
 * `PATH.cairn`, written by `cairn add PATH` beside the data and committed to git instead of it. DVC's `.dvc` shape
 * with sha256:
 *
 *   outs:
 *   - path: images          # relative to the pointer file's folder
 *     hash: sha256
 *     sha256: 3f…e1.dir
 *     size: 52000
 *     nfiles: 1000          # directories only
 */
export const POINTER_SUFFIX = ".cairn";

export interface PointerOut extends HashInfo {
  /** Relative to the pointer file's folder, POSIX separators, inside it. */
  path: string;
}

export interface PointerFile {
  outs: PointerOut[];
}

export const parsePointerFile = (text: string, file: string): PointerFile => {
  let data: unknown;
  try {
    data = parseLimitedYamlData(text, file);
  } catch (error) {
    throw new PipelineError(`malformed pointer file: ${(error as Error).message}`, { file });
  }
  if (typeof data !== "object" || data === null || Array.isArray(data)) throw new PipelineError("malformed pointer file: expected a mapping with 'outs'", { file });
  const outs = (data as { outs?: unknown }).outs;
  if (!Array.isArray(outs) || outs.length === 0) throw new PipelineError("malformed pointer file: 'outs' must be a non-empty list", { file });
  return {
    outs: outs.map((out: unknown, index) => {
      const field = `outs[${index}]`;
      const info = parseHashInfo(out, { file, field });
      const record = out as Record<string, unknown>;
      if (record.hash !== undefined && record.hash !== "sha256") throw new PipelineError(`${field}.hash: only sha256 is supported`, { file });
      const path = record.path;
      if (typeof path !== "string" || !isSafeRelpath(path)) throw new PipelineError(`${field}.path must be a relative path inside the pointer's folder`, { file });
      return { path, ...info };
    }),
  };
};

export const serializePointerFile = (pointer: PointerFile): string =>
  stringify({
    outs: pointer.outs.map((out) => ({
      path: out.path,
      hash: "sha256",
      sha256: out.hash,
      size: out.size,
      ...(isDirHash(out.hash) ? { nfiles: out.nfiles ?? 0 } : {}),
    })),
  });
