import type { ResolvedPipeline } from "../definition/resolved-pipeline.js";
import { flattenValues, parseValuesFile } from "./flatten.js";
import type { FileSource } from "./revision-files.js";
import { diffValues, type ValueChange } from "./value-diff.js";

/**
 * `cairn params diff`: the params the pipeline's stages use (a key naming a section stands for its leaves), read
 * from two sources. Only changed values unless `all`, which also lists unchanged ones and every other key of the
 * same params files. Which files and keys come from the workspace's pipeline file; their values from each side.
 */
export const paramsDiff = async (pipeline: ResolvedPipeline, a: FileSource, b: FileSource, options: { all: boolean }): Promise<ValueChange[]> => {
  /** File -> the keys stages use, or "every" for a top-level `params:` file (DVC 3) whose keys all count. */
  const used = new Map<string, string[] | "every">();
  for (const stage of pipeline.stages) {
    for (const param of stage.params) {
      const keys = used.get(param.file) ?? [];
      if (keys !== "every" && !keys.includes(param.key)) keys.push(param.key);
      used.set(param.file, keys);
    }
  }
  for (const file of pipeline.paramsFiles ?? []) used.set(file, "every");
  const rows: ValueChange[] = [];
  for (const [file, keys] of used) {
    const read = async (source: FileSource) => {
      const text = await source.read(file);
      return text === undefined ? undefined : flattenValues(parseValuesFile(text, file, source.label, "params file"));
    };
    const [left, right] = [await read(a), await read(b)];
    const wanted =
      options.all || keys === "every"
        ? undefined
        : [...new Set([...Object.keys(left ?? {}), ...Object.keys(right ?? {})])].filter((name) => keys.some((key) => name === key || name.startsWith(`${key}.`)));
    rows.push(...diffValues(file, left, right, wanted, options.all));
  }
  return rows;
};
