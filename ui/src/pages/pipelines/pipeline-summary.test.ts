import { describe, expect, it } from "vitest";
import { parsePipelineSummary } from "./pipeline-summary";
import { HASH, RUN, SUMMARY_JSON } from "./test-pipeline";

const withStage = (index: number, change: Record<string, unknown>) => ({
  ...SUMMARY_JSON,
  stages: SUMMARY_JSON.stages.map((stage, at) => (at === index ? { ...stage, ...change } : stage)),
});

describe("parsePipelineSummary", () => {
  it("reads the stages, their states, runs and data versions, and the edges", () => {
    const summary = parsePipelineSummary(SUMMARY_JSON);
    expect(summary.pipelineFile).toBe("dvc.yaml");
    expect(summary.gitCommit).toBe("0123456789abcdef0123456789abcdef01234567");
    expect(summary.stages.map((stage) => [stage.name, stage.state, stage.runId])).toEqual([
      ["prepare", "ran", RUN.prepare],
      ["train", "cached", RUN.train],
      ["evaluate", "failed", RUN.evaluate],
      ["report", "skipped", undefined],
    ]);
    expect(summary.stages[0]?.outs).toEqual([{ path: "data/prepared", hash: HASH.prepared, size: 10, nfiles: 2 }]);
    expect(summary.edges).toEqual(SUMMARY_JSON.edges);
    expect(parsePipelineSummary(withStage(0, { cmd: ["node a.mjs", "node b.mjs"] })).stages[0]?.cmd).toBe("node a.mjs && node b.mjs");
  });

  it("refuses a file that is not one, saying where", () => {
    const refused = (value: unknown): string => {
      try {
        parsePipelineSummary(value);
      } catch (error) {
        return (error as Error).message;
      }
      return "accepted";
    };
    expect(refused([])).toBe("cairn-pipeline.json: expected an object");
    expect(refused({ ...SUMMARY_JSON, version: 2 })).toBe("version: expected 1, got 2");
    expect(refused(withStage(1, { state: "done" }))).toBe("stages[1].state: expected one of ran, cached, skipped, failed");
    expect(refused(withStage(1, { name: "prepare" }))).toBe("stages[1].name: stage 'prepare' appears twice");
    expect(refused(withStage(0, { run_id: "../x" }))).toBe("stages[0].run_id: expected 32 hex digits");
    expect(refused(withStage(0, { outs: [{ path: "p", hash: "ABC" }] }))).toBe("stages[0].outs[0].hash: expected a sha256 hash");
    expect(refused(withStage(0, { outs: [{ path: "p", hash: HASH.raw, size: -1 }] }))).toBe("stages[0].outs[0].size: expected a non-negative integer");
    expect(refused({ ...SUMMARY_JSON, edges: [{ from: "prepare", to: "nowhere" }] })).toBe("edges[0].to: no stage 'nowhere'");
    expect(refused({ ...SUMMARY_JSON, stages: Array.from({ length: 501 }, (_, i) => ({ name: `s${i}`, state: "ran" })) })).toBe("stages: more than 500 entries");
  });
});
