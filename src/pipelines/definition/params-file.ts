import { readFile } from "node:fs/promises";
import { parseLimitedYamlData } from "../../core/limited-yaml.js";
import { PipelineError } from "../errors.js";
import { setOwn } from "./own-keys.js";

/**
 * Params files (`params.yaml` and the files a stage's `params` or the pipeline's `vars` name): YAML or JSON
 * mappings, read within bounds (a params file is hand-written configuration: 16 MiB, 64 levels, no alias bombs).
 * TOML and Python params files, which DVC also reads, are refused with a clear message.
 */
export const PARAMS_LIMITS = { maxBytes: 16 * 1024 * 1024, maxDepth: 64, maxAliasCount: 100 };

export type ParamsData = Record<string, unknown>;

const isMapping = (value: unknown): value is Record<string, unknown> => typeof value === "object" && value !== null && !Array.isArray(value);

/** Parses a params file's text; `label` (the workspace-relative path) names it in errors. */
export const parseParamsText = (text: string, label: string, kind = "params file"): ParamsData => {
  const lower = label.toLowerCase();
  if (lower.endsWith(".toml") || lower.endsWith(".py")) {
    throw new PipelineError(`${kind}s in TOML or Python are not supported (use YAML or JSON)`, { file: label });
  }
  let data: unknown;
  try {
    data = lower.endsWith(".json") ? (JSON.parse(text) as unknown) : parseLimitedYamlData(text, label, PARAMS_LIMITS);
  } catch (error) {
    throw new PipelineError(`malformed ${kind}: ${(error as Error).message}`, { file: label });
  }
  if (data === null || data === undefined) return {};
  if (!isMapping(data)) throw new PipelineError(`malformed ${kind}: expected a mapping of names to values`, { file: label });
  return data;
};

/** Reads and parses a params file; undefined when it does not exist. */
export const readParamsFile = async (absolute: string, label: string): Promise<ParamsData | undefined> => {
  let text: string;
  try {
    text = await readFile(absolute, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT" || code === "ENOTDIR") return undefined;
    throw new PipelineError(`cannot read params file: ${(error as Error).message}`, { file: label });
  }
  if (text.length > PARAMS_LIMITS.maxBytes) throw new PipelineError(`params file is larger than ${PARAMS_LIMITS.maxBytes} bytes`, { file: label });
  return parseParamsText(text, label);
};

/** The value at a dotted key path ("train.lr", "layers.0"); `found: false` when any part is missing. */
export const lookupParam = (data: ParamsData, key: string): { found: true; value: unknown } | { found: false } => {
  let current: unknown = data;
  for (const part of key.split(".")) {
    if (isMapping(current) && Object.hasOwn(current, part)) current = current[part];
    else if (Array.isArray(current) && /^\d+$/.test(part) && Number(part) < current.length) current = current[Number(part)];
    else return { found: false };
  }
  return { found: true, value: current };
};

/**
 * The named keys of a params file as a nested mapping (what `vars: [file.yaml:a,b.c]` brings in): `b.c` keeps its
 * nesting (`{b: {c: ...}}`), as DVC does.
 */
export const pickParams = (data: ParamsData, keys: string[], label: string): ParamsData => {
  const out: ParamsData = {};
  for (const key of keys) {
    const found = lookupParam(data, key);
    if (!found.found) throw new PipelineError(`key '${key}' not found`, { file: label });
    const parts = key.split(".");
    let target = out;
    parts.slice(0, -1).forEach((part) => {
      const next = Object.hasOwn(target, part) ? target[part] : undefined;
      if (!isMapping(next)) setOwn(target, part, {});
      target = target[part] as ParamsData;
    });
    setOwn(target, parts[parts.length - 1] ?? key, found.value);
  }
  return out;
};
