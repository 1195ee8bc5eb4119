import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { parse } from "yaml";
import { buildGraph } from "../src/pipelines/definition/graph.js";
import { loadPipeline } from "../src/pipelines/definition/load-pipeline.js";
import { percentile } from "./stats.js";

/**
 * Issue 13: `cairn repro` of a 20-stage pipeline with nothing changed must take < 300 ms, and reading the pipeline
 * is the first thing it does. Measures loadPipeline + buildGraph of a 20-stage dvc.yaml (params, vars, foreach,
 * metrics, interpolation) against the floor of merely parsing the same file with the `yaml` package, in this run.
 */
const ITERATIONS = 300;

const pipelineText = (): string => {
  const lines = ["vars:", "  - shared: {tool: node}", "stages:"];
  for (let i = 0; i < 16; i += 1) {
    const dep = i === 0 ? "data/raw.csv" : `data/step${i - 1}`;
    lines.push(
      `  step${i}:`,
      `    cmd: \${shared.tool} steps/step${i}.mjs --lr \${train.lr} --seed \${seed}`,
      `    deps: [steps/step${i}.mjs, ${dep}]`,
      "    params: [train.epochs, prepare]",
      `    outs: [data/step${i}]`,
    );
  }
  lines.push(
    "  evaluate:",
    "    foreach: [train, test, valid]",
    "    do:",
    "      cmd: node evaluate.mjs ${item}",
    "      deps: [data/step15]",
    "      metrics:",
    "        - metrics/${item}.json: {cache: false}",
    "  report:",
    "    cmd: node report.mjs",
    "    deps: [metrics]",
    "    outs: [report.md]",
  );
  return `${lines.join("\n")}\n`;
};

const summary = (times: number[]) => {
  const sorted = [...times].sort((a, b) => a - b);
  return { p50_ms: Number(percentile(sorted, 50).toFixed(3)), p99_ms: Number(percentile(sorted, 99).toFixed(3)) };
};

export const runPipelineDefinitionBenchmarks = async () => {
  const root = await mkdtemp(path.join(tmpdir(), "cairn-bench-definition-"));
  try {
    const text = pipelineText();
    await writeFile(path.join(root, "dvc.yaml"), text);
    await writeFile(path.join(root, "params.yaml"), "train: {lr: 0.01, epochs: 20}\nseed: 7\nprepare: {split: 0.2, shuffle: true}\n");
    const coldStarted = performance.now();
    const first = await loadPipeline(root);
    buildGraph(first);
    const coldMs = performance.now() - coldStarted;
    for (let i = 0; i < 50; i += 1) {
      parse(text);
      buildGraph(await loadPipeline(root));
    }
    const loadTimes: number[] = [];
    const parseTimes: number[] = [];
    for (let i = 0; i < ITERATIONS; i += 1) {
      let started = performance.now();
      parse(text);
      parseTimes.push(performance.now() - started);
      started = performance.now();
      buildGraph(await loadPipeline(root));
      loadTimes.push(performance.now() - started);
    }
    const load = summary(loadTimes);
    const baseline = summary(parseTimes);
    return {
      suite: "pipeline-definition",
      stages: first.stages.length,
      pipeline_bytes: text.length,
      first_load_ms: Number(coldMs.toFixed(3)),
      load_and_graph: load,
      baseline_yaml_parse: baseline,
      ratio_p50: Number((load.p50_ms / baseline.p50_ms).toFixed(2)),
    };
  } finally {
    await rm(root, { recursive: true, force: true });
  }
};
