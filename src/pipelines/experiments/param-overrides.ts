import { readFile, rename, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { isMap, isSeq, parseDocument, type Document } from "yaml";
import { parseLimitedYamlData } from "../../core/limited-yaml.js";
import { PipelineError } from "../errors.js";
import { DEFAULT_PARAMS_FILE } from "../tracking/stage-params.js";

/**
 * `cairn exp run --set-param` (`-S`), in DVC's form: `train.lr=0.1` sets a key of params.yaml, `conf/other.yaml:seed=7`
 * a key of another params file (workspace-relative). The value is YAML (`0.1` a number, `true` a boolean, `adam` a
 * string, `[8, 4]` a list). Only keys that already exist can be set: a typo must not silently add a param no stage
 * reads.
 */
export interface ParamOverride {
  /** Workspace-relative POSIX params file. */
  file: string;
  /** Dotted key path ("train.lr"; a list item by its index, "layers.0"). */
  key: string;
  /** The value as typed (kept in the queue, re-parsed when the experiment runs). */
  text: string;
  value: unknown;
}

export const MAX_OVERRIDES = 100;
const MAX_VALUE_TEXT = 10_000;
const MAX_PARAMS_FILE_BYTES = 16 * 1024 * 1024;
const PARAMS_FILE = /\.(ya?ml|json)$/i;

const parseValue = (text: string, label: string): unknown => {
  try {
    return parseLimitedYamlData(text, label, { maxBytes: MAX_VALUE_TEXT, maxDepth: 16, maxAliasCount: 0 }) ?? null;
  } catch (error) {
    throw new PipelineError(`${label}: the value is not valid YAML (${(error as Error).message.split("\n")[0]})`);
  }
};

const checkFile = (file: string, label: string): void => {
  const parts = file.split("/");
  if (file === "" || file.includes("\\") || path.posix.isAbsolute(file) || parts.some((part) => part === "" || part === "." || part === "..")) {
    throw new PipelineError(`${label}: the params file '${file}' must be a path inside the workspace`);
  }
  if (!PARAMS_FILE.test(file)) throw new PipelineError(`${label}: the params file '${file}' is not YAML or JSON (.yaml, .yml, .json)`);
};

/** One `-S` argument. */
export const parseParamOverride = (argument: string): ParamOverride => {
  const label = `--set-param '${argument.length > 200 ? `${argument.slice(0, 200)}...` : argument}'`;
  const equals = argument.indexOf("=");
  if (equals <= 0) throw new PipelineError(`${label}: expected KEY=VALUE or FILE:KEY=VALUE`);
  const name = argument.slice(0, equals);
  const text = argument.slice(equals + 1);
  if (text.length > MAX_VALUE_TEXT) throw new PipelineError(`${label}: the value is longer than ${MAX_VALUE_TEXT} characters`);
  const colon = name.indexOf(":");
  const file = colon < 0 ? DEFAULT_PARAMS_FILE : name.slice(0, colon);
  const key = colon < 0 ? name : name.slice(colon + 1);
  checkFile(file, label);
  if (key === "" || key.split(".").some((part) => part === "")) throw new PipelineError(`${label}: '${key}' is not a key path such as train.lr`);
  return { file, key, text, value: parseValue(text, label) };
};

/** Several `-S` arguments; the same key twice is an error (which one would win is not obvious). */
export const parseParamOverrides = (argumentsGiven: readonly string[]): ParamOverride[] => {
  if (argumentsGiven.length > MAX_OVERRIDES) throw new PipelineError(`at most ${MAX_OVERRIDES} --set-param values are accepted`);
  const overrides = argumentsGiven.map(parseParamOverride);
  const seen = new Set<string>();
  for (const override of overrides) {
    const id = `${override.file}:${override.key}`;
    if (seen.has(id)) throw new PipelineError(`--set-param: the key '${override.key}' of ${override.file} is set twice`);
    seen.add(id);
  }
  return overrides;
};

const keyPath = (key: string): (string | number)[] => key.split(".");

interface Edited {
  absolute: string;
  text: string;
}

const editYaml = (source: string, file: string, overrides: readonly ParamOverride[]): string => {
  const document: Document = parseDocument(source);
  if (document.errors.length > 0) throw new PipelineError(`malformed params file: ${document.errors[0]?.message.split("\n")[0] ?? ""}`, { file });
  for (const override of overrides) {
    const segments = keyPath(override.key);
    // hasIn is false for a key under a scalar, and for an index past a list's end.
    if (!(isMap(document.contents) || isSeq(document.contents)) || !document.hasIn(segments)) {
      throw new PipelineError(`--set-param: the key '${override.key}' does not exist in ${override.file}`, { file: override.file });
    }
    document.setIn(segments, override.value);
  }
  return document.toString();
};

const editJson = (source: string, file: string, overrides: readonly ParamOverride[]): string => {
  let data: unknown;
  try {
    data = JSON.parse(source);
  } catch (error) {
    throw new PipelineError(`malformed params file: ${(error as Error).message}`, { file });
  }
  for (const override of overrides) {
    const segments = override.key.split(".");
    let node: unknown = data;
    for (let i = 0; i < segments.length; i += 1) {
      const segment = segments[i] as string;
      const holder = node as Record<string, unknown> | unknown[];
      const exists =
        typeof node === "object" &&
        node !== null &&
        (Array.isArray(node) ? /^\d+$/.test(segment) && Number(segment) < node.length : Object.prototype.hasOwnProperty.call(node, segment));
      if (!exists) throw new PipelineError(`--set-param: the key '${override.key}' does not exist in ${override.file}`, { file: override.file });
      if (i === segments.length - 1) {
        if (Array.isArray(holder)) holder[Number(segment)] = override.value;
        else holder[segment] = override.value;
      } else {
        node = Array.isArray(holder) ? holder[Number(segment)] : holder[segment];
      }
    }
  }
  return `${JSON.stringify(data, null, 2)}\n`;
};

/** Every params file with its overrides applied, in memory: nothing is written unless every key exists. */
const editAll = async (root: string, overrides: readonly ParamOverride[]): Promise<Edited[]> => {
  const byFile = new Map<string, ParamOverride[]>();
  for (const override of overrides) byFile.set(override.file, [...(byFile.get(override.file) ?? []), override]);
  const edited: Edited[] = [];
  for (const [file, list] of byFile) {
    const absolute = path.join(root, ...file.split("/"));
    let source: string;
    try {
      source = await readFile(absolute, "utf8");
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      throw new PipelineError(code === "ENOENT" ? "--set-param: the params file does not exist" : `--set-param: cannot read the params file (${code ?? ""})`, { file });
    }
    if (source.length > MAX_PARAMS_FILE_BYTES) throw new PipelineError(`the params file is larger than ${MAX_PARAMS_FILE_BYTES} bytes`, { file });
    edited.push({ absolute, text: file.toLowerCase().endsWith(".json") ? editJson(source, file, list) : editYaml(source, file, list) });
  }
  return edited;
};

/** Checks that every key exists (at queue time), changing nothing. */
export const checkParamOverrides = async (root: string, overrides: readonly ParamOverride[]): Promise<void> => {
  await editAll(root, overrides);
};

/** Sets the values in the workspace's params files (comments and layout of YAML kept); each file replaced atomically. */
export const applyParamOverrides = async (root: string, overrides: readonly ParamOverride[]): Promise<void> => {
  for (const { absolute, text } of await editAll(root, overrides)) {
    const partial = `${absolute}.cairn-partial`;
    try {
      await writeFile(partial, text);
      await rename(partial, absolute);
    } catch (error) {
      await rm(partial, { force: true });
      throw error;
    }
  }
};
