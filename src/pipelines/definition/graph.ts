import { PipelineError } from "../errors.js";
import type { ResolvedOut, ResolvedPipeline, ResolvedStage } from "./resolved-pipeline.js";

/**
 * The stage graph: an edge from the stage that writes an output to each stage that reads it (a dependency or params
 * file equal to the output, inside an output directory, or containing it). `order` is topological and stable: of
 * the stages whose upstream is done, the one earliest in the pipeline file comes next, so the same file always
 * runs (and prints) in the same order.
 */
export interface PipelineEdge {
  from: string;
  to: string;
  /** The consumer's dependency paths that make the edge, sorted. */
  paths: string[];
}

export interface PipelineGraph {
  edges: PipelineEdge[];
  /** Stage names, upstream before downstream, file order among equals. */
  order: string[];
  /** The named stages and everything they depend on (transitively), in `order`. */
  upstreamOf(names: readonly string[]): string[];
  /** The named stages and everything that depends on them (transitively), in `order`. */
  downstreamOf(names: readonly string[]): string[];
}

export interface OutputOwner {
  stage: ResolvedStage;
  out: ResolvedOut;
}

/** Outputs by path, for "who writes this path" lookups in O(path depth) plus a scan for outputs inside a folder. */
export class OutputIndex {
  private readonly byPath = new Map<string, OutputOwner>();
  /** Output paths sorted by UTF-16 code units, so the outputs inside a folder `d` follow `d/` contiguously. */
  private readonly sorted: string[];

  constructor(pipeline: ResolvedPipeline) {
    for (const stage of pipeline.stages) for (const out of stage.outs) if (!this.byPath.has(out.path)) this.byPath.set(out.path, { stage, out });
    this.sorted = [...this.byPath.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  }

  /** Outputs strictly inside the folder `path` ("" is the root: all of them). */
  private inside(path: string): OutputOwner[] {
    const prefix = path === "" ? "" : `${path}/`;
    let low = 0;
    let high = this.sorted.length;
    while (low < high) {
      const middle = (low + high) >> 1;
      if ((this.sorted[middle] as string) < prefix) low = middle + 1;
      else high = middle;
    }
    const found: OutputOwner[] = [];
    for (let i = low; i < this.sorted.length && (this.sorted[i] as string).startsWith(prefix); i += 1) {
      const outPath = this.sorted[i] as string;
      if (outPath !== path) found.push(this.byPath.get(outPath) as OutputOwner);
    }
    return found;
  }

  /** Outputs equal to `path`, containing it, or inside it. */
  overlapping(path: string): OutputOwner[] {
    const found: OutputOwner[] = [];
    const exact = this.byPath.get(path);
    if (exact !== undefined) found.push(exact);
    for (let slash = path.lastIndexOf("/"); slash > 0; slash = path.lastIndexOf("/", slash - 1)) {
      const owner = this.byPath.get(path.slice(0, slash));
      if (owner !== undefined) found.push(owner);
    }
    found.push(...this.inside(path));
    return found;
  }
}

/** The files a stage reads: its deps and its params files. */
export const stageInputs = (stage: ResolvedStage): string[] => [...new Set([...stage.deps, ...stage.params.map((param) => param.file)])];

/** A smallest-index-first queue (file order among ready stages). */
class IndexHeap {
  private readonly items: number[] = [];
  get size(): number {
    return this.items.length;
  }
  push(value: number): void {
    const items = this.items;
    items.push(value);
    let i = items.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if ((items[parent] as number) <= value) break;
      items[i] = items[parent] as number;
      i = parent;
    }
    items[i] = value;
  }
  pop(): number {
    const items = this.items;
    const top = items[0] as number;
    const last = items.pop() as number;
    if (items.length > 0) {
      let i = 0;
      for (;;) {
        const left = 2 * i + 1;
        if (left >= items.length) break;
        const right = left + 1;
        const child = right < items.length && (items[right] as number) < (items[left] as number) ? right : left;
        if ((items[child] as number) >= last) break;
        items[i] = items[child] as number;
        i = child;
      }
      items[i] = last;
    }
    return top;
  }
}

/** One cycle among the stages Kahn's algorithm could not order, as names in path order. */
const findCycle = (remaining: Set<number>, next: Map<number, Set<number>>): number[] => {
  const state = new Map<number, "open" | "done">();
  const stack: number[] = [];
  const visit = (node: number): number[] | undefined => {
    state.set(node, "open");
    stack.push(node);
    for (const target of next.get(node) ?? []) {
      if (!remaining.has(target)) continue;
      if (state.get(target) === "open") return stack.slice(stack.indexOf(target));
      if (state.get(target) === undefined) {
        const found = visit(target);
        if (found !== undefined) return found;
      }
    }
    stack.pop();
    state.set(node, "done");
    return undefined;
  };
  for (const node of remaining) {
    if (state.get(node) !== undefined) continue;
    const found = visit(node);
    if (found !== undefined) return found;
  }
  return [...remaining];
};

export const buildGraph = (pipeline: ResolvedPipeline): PipelineGraph => {
  const stages = pipeline.stages;
  const indexOf = new Map(stages.map((stage, index) => [stage.name, index]));
  const outputs = new OutputIndex(pipeline);
  const edgeMap = new Map<string, PipelineEdge>();
  const next = new Map<number, Set<number>>();
  const prev = new Map<number, Set<number>>();
  stages.forEach((stage, to) => {
    for (const path of stageInputs(stage)) {
      for (const owner of outputs.overlapping(path)) {
        const from = indexOf.get(owner.stage.name) as number;
        if (from === to) throw new PipelineError(`'${path}' is both a dependency and an output of this stage (a cycle)`, { file: pipeline.file, stage: stage.name });
        const key = `${from}\0${to}`;
        const edge = edgeMap.get(key) ?? { from: owner.stage.name, to: stage.name, paths: [] };
        if (!edge.paths.includes(path)) edge.paths.push(path);
        edgeMap.set(key, edge);
        if (!next.has(from)) next.set(from, new Set());
        (next.get(from) as Set<number>).add(to);
        if (!prev.has(to)) prev.set(to, new Set());
        (prev.get(to) as Set<number>).add(from);
      }
    }
  });

  const indegree = stages.map((_, index) => prev.get(index)?.size ?? 0);
  const ready = new IndexHeap();
  indegree.forEach((count, index) => {
    if (count === 0) ready.push(index);
  });
  const order: number[] = [];
  while (ready.size > 0) {
    const node = ready.pop();
    order.push(node);
    for (const target of next.get(node) ?? []) {
      indegree[target] = (indegree[target] as number) - 1;
      if (indegree[target] === 0) ready.push(target);
    }
  }
  if (order.length < stages.length) {
    const done = new Set(order);
    const remaining = new Set(stages.map((_, index) => index).filter((index) => !done.has(index)));
    const cycle = findCycle(remaining, next).map((index) => (stages[index] as ResolvedStage).name);
    throw new PipelineError(`the stages form a cycle: ${[...cycle, cycle[0]].join(" -> ")}`, { file: pipeline.file, stage: cycle[0] as string });
  }

  const position = new Map(order.map((node, rank) => [node, rank]));
  const edges = [...edgeMap.values()]
    .map((edge) => ({ ...edge, paths: edge.paths.sort() }))
    .sort((a, b) => {
      const fromA = position.get(indexOf.get(a.from) as number) as number;
      const fromB = position.get(indexOf.get(b.from) as number) as number;
      return fromA - fromB || (position.get(indexOf.get(a.to) as number) as number) - (position.get(indexOf.get(b.to) as number) as number);
    });
  const names = order.map((index) => (stages[index] as ResolvedStage).name);

  const reach = (targets: readonly string[], links: Map<number, Set<number>>): string[] => {
    const seen = new Set<number>();
    const pending = resolveTargets(pipeline, targets).map((name) => indexOf.get(name) as number);
    while (pending.length > 0) {
      const node = pending.pop() as number;
      if (seen.has(node)) continue;
      seen.add(node);
      for (const linked of links.get(node) ?? []) pending.push(linked);
    }
    return order.filter((index) => seen.has(index)).map((index) => (stages[index] as ResolvedStage).name);
  };

  return {
    edges,
    order: names,
    upstreamOf: (targets) => reach(targets, prev),
    downstreamOf: (targets) => reach(targets, next),
  };
};

/**
 * Stage names as the user gives them: an exact name, or the name of a foreach/matrix group (`build` for every
 * `build@...`), as DVC accepts. Unknown names are an error listing what exists.
 */
export const resolveTargets = (pipeline: ResolvedPipeline, targets: readonly string[]): string[] => {
  const names = pipeline.stages.map((stage) => stage.name);
  const exact = new Set(names);
  const resolved: string[] = [];
  for (const target of targets) {
    if (exact.has(target)) {
      resolved.push(target);
      continue;
    }
    const group = names.filter((name) => name.startsWith(`${target}@`));
    if (group.length === 0) {
      const known = names.length > 20 ? `${names.slice(0, 20).join(", ")}, ...` : names.join(", ");
      throw new PipelineError(`unknown stage '${target}' (stages: ${known || "none"})`, { file: pipeline.file });
    }
    resolved.push(...group);
  }
  return [...new Set(resolved)];
};
