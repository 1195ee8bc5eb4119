import { buildGraph } from "../definition/graph.js";
import type { ResolvedPipeline, ResolvedStage } from "../definition/resolved-pipeline.js";

/**
 * The repro engine's view of the stage graph (definition/graph.ts): each stage's direct upstream stages (an out of
 * theirs is, contains or is inside one of its deps or params files), and the stages `cairn repro TARGETS` works on.
 */
export interface ReproGraph {
  upstream: Map<string, string[]>;
  /** The targets (exact names or foreach/matrix groups) and everything upstream, in the pipeline file's order. */
  select(targets: readonly string[] | undefined): ResolvedStage[];
}

export const reproGraph = (pipeline: ResolvedPipeline): ReproGraph => {
  const graph = buildGraph(pipeline);
  const upstream = new Map<string, string[]>(pipeline.stages.map((stage) => [stage.name, []]));
  for (const edge of graph.edges) upstream.get(edge.to)?.push(edge.from);
  return {
    upstream,
    select: (targets) => {
      if (targets === undefined || targets.length === 0) return pipeline.stages;
      const wanted = new Set(graph.upstreamOf(targets));
      return pipeline.stages.filter((stage) => wanted.has(stage.name));
    },
  };
};
