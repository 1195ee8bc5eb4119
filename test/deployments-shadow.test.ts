import { afterEach, describe, expect, it } from "vitest";
import { buildOnnxModel, identityModel, shiftedModel } from "../src/serving/test-support/onnx-models.js";
import { ctx, DeploymentsKit, floats, values } from "./deployments-kit.js";

let kit: DeploymentsKit;
afterEach(async () => kit?.close());

describe("shadow", () => {
  it("answers from the primary only and reports exact agreement, differences and latencies for a known pair", async () => {
    kit = await DeploymentsKit.open();
    const v1 = await kit.register("pair", identityModel("float32", 2));
    const v2 = await kit.register("pair", shiftedModel());
    await kit.service.create("pair-prod", `models:/pair/${v1}`, {}, ctx);
    await kit.service.setShadow("pair-prod", { version: v2 }, 1, ctx);
    const served = kit.service.get("pair-prod")!;

    // [1, 2]: identity argmax 1, shifted [1, 3] argmax 1 (agree); [2, 1.5]: argmax 0 vs [2, 2.5] argmax 1 (disagree).
    const agreeing = floats([[1, 2]]);
    const disagreeing = floats([[2, 1.5]]);
    for (let i = 0; i < 30; i += 1) {
      const input = i % 3 === 0 ? disagreeing : agreeing;
      const result = await served.infer({ x: input }, { requestId: `r${i}`, protocol: "oip" });
      expect(result.version).toBe(v1);
      expect(values(result.outputs.y)).toEqual(values(input));
      expect(values(result.outputs.y)).toEqual(values((await kit.direct("pair", v1, { x: input })).y));
    }
    await new Promise((r) => setTimeout(r, 100));
    const report = await kit.service.report("pair-prod");
    // Per request two elements: |0| and |1|; relative 0 and 1/2 (agreeing) or 0 and 1/1.5 (disagreeing).
    const rel = (20 * (0 + 1 / 2) + 10 * (0 + 1 / 1.5)) / 60;
    expect(report).toMatchObject({
      deployment: "pair-prod",
      primary_version: v1,
      candidate_version: v2,
      share: 1,
      mirrored: 30,
      compared: 30,
      primary_errors: 0,
      candidate_errors: 0,
      class_compared: 30,
      same_class: 20,
      agreement_rate: 20 / 30,
      abs_diff: { mean: 0.5, max: 1 },
      rel_diff: { max: 1 / 1.5 },
    });
    expect(report.rel_diff.mean).toBeCloseTo(rel, 12);
    expect(report.latency.primary.count).toBe(30);
    expect(report.latency.candidate.count).toBe(30);
    for (const side of [report.latency.primary, report.latency.candidate]) {
      expect(side.p50_ms).toBeGreaterThan(0);
      expect(side.p99_ms).toBeGreaterThanOrEqual(side.p50_ms as number);
    }

    // Promote makes the candidate the primary; its last report stays readable.
    await kit.service.promote("pair-prod", ctx);
    const after = await served.infer({ x: agreeing }, { requestId: "after", protocol: "oip" });
    expect(after.version).toBe(v2);
    expect(values(after.outputs.y)).toEqual([1, 3]);
    expect((await kit.service.report("pair-prod")).compared).toBe(30);
    expect(kit.actions()).toEqual(["serving.deployment.create", "serving.deployment.shadow", "serving.deployment.promote"]);
  });

  it("mirrors only its share, and a candidate that fails never reaches the caller", async () => {
    kit = await DeploymentsKit.open();
    const v1 = await kit.register("pair", identityModel("float32", 2));
    // Same input name and type but a fixed width of 3: every mirrored request fails on the candidate.
    const v2 = await kit.register(
      "pair",
      buildOnnxModel({
        inputs: [{ name: "x", type: "float32", shape: [1, 3] }],
        outputs: [{ name: "y", type: "float32", shape: [1, 3] }],
        nodes: [{ op: "Identity", inputs: ["x"], outputs: ["y"] }],
      }),
    );
    await kit.service.create("pair-prod", `models:/pair/${v1}`, {}, ctx);
    await kit.service.setShadow("pair-prod", { version: v2 }, 0.5, ctx);
    const served = kit.service.get("pair-prod")!;
    for (let i = 0; i < 400; i += 1) {
      const result = await served.infer({ x: floats([[i, 1]]) }, { requestId: `r${i}`, protocol: "mlflow" });
      expect(values(result.outputs.y)).toEqual([i, 1]);
    }
    await new Promise((r) => setTimeout(r, 100));
    const report = await kit.service.report("pair-prod");
    expect(report.mirrored).toBeGreaterThan(140);
    expect(report.mirrored).toBeLessThan(260);
    expect(report.candidate_errors).toBe(report.mirrored);
    expect(report.compared).toBe(0);
    expect(report.agreement_rate).toBeNull();
    expect(kit.errors.length).toBe(report.mirrored);

    // Rollback drops the shadow; the primary keeps serving.
    expect((await kit.service.rollback("pair-prod", ctx)).policy).toEqual({ primary: v1 });
    expect(served.versions()).toEqual([v1]);
  });
});
