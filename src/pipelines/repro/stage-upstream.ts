import type { ResolvedPipeline, ResolvedStage } from "../definition/resolved-pipeline.js";
import { PipelineError } from "../errors.js";

/** Whether an output path feeds a dependency path: the same path, or one inside the other (a folder and its files). */
export const pathsOverlap = (out: string, dep: string): boolean => out === dep || dep.startsWith(`${out}/`) || out.startsWith(`${dep}/`);

/** The stages whose outputs feed each stage (direct upstream), in the pipeline file's order. */
export const upstreamOf = (pipeline: ResolvedPipeline): Map<string, string[]> => {
  const result = new Map<string, string[]>();
  for (const stage of pipeline.stages) {
    const upstream = pipeline.stages.filter(
      (other) => other.name !== stage.name && other.outs.some((out) => stage.deps.some((dep) => pathsOverlap(out.path, dep))),
    );
    result.set(
      stage.name,
      upstream.map((other) => other.name),
    );
  }
  return result;
};

/** The stage producing (an out overlapping) `dep`, if any. */
export const producerOf = (pipeline: ResolvedPipeline, dep: string): ResolvedStage | undefined =>
  pipeline.stages.find((stage) => stage.outs.some((out) => pathsOverlap(out.path, dep)));

/**
 * The stages `cairn repro TARGETS` works on: the targets and everything upstream of them (all stages when no target
 * is given), in the pipeline file's order. An unknown name is an error listing the known ones.
 */
export const selectStages = (pipeline: ResolvedPipeline, upstream: Map<string, string[]>, targets: readonly string[] | undefined): ResolvedStage[] => {
  if (targets === undefined || targets.length === 0) return pipeline.stages;
  const known = new Set(pipeline.stages.map((stage) => stage.name));
  const wanted = new Set<string>();
  const visit = (name: string): void => {
    if (wanted.has(name)) return;
    wanted.add(name);
    for (const parent of upstream.get(name) ?? []) visit(parent);
  };
  for (const target of targets) {
    if (!known.has(target)) {
      const names = [...known].slice(0, 20).join(", ");
      throw new PipelineError(`unknown stage '${target}' (stages: ${names}${known.size > 20 ? ", ..." : ""})`, { file: pipeline.file });
    }
    visit(target);
  }
  return pipeline.stages.filter((stage) => wanted.has(stage.name));
};
