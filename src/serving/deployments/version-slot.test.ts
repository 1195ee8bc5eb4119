import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadModel } from "../model/load-model.js";
import type { ExecutionFailure } from "../runtime/execution-limits.js";
import { loopModel, writeOnnxFile } from "../test-support/onnx-models.js";
import { VersionSlot } from "./version-slot.js";

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "cairn-slot-"));
});
afterAll(async () => rm(dir, { recursive: true, force: true }));

const feeds = (n: number) => ({
  x: { type: "float32" as const, dims: [1], data: Float32Array.of(1) },
  n: { type: "int64" as const, dims: [1], data: BigInt64Array.of(BigInt(n)) },
});

describe("VersionSlot: marking a version failed", () => {
  it("counts one crash once however many requests it failed, and reports the third in a row with the deployment and version", async () => {
    const model = await loadModel(await writeOnnxFile(dir, "loop.onnx", loopModel()), { limits: { timeoutMs: 60_000 } });
    const reported: string[] = [];
    const slot = new VersionSlot("4", model, { run: (f) => model.run(f) }, undefined, {
      deployment: "churn",
      onFailed: (failed, failure) => {
        reported.push(`${failed.version}: ${failure.message}`);
        failed.markFailed({ version: failed.version, kind: failure.kind, reason: failure.limit, time: 1 });
      },
    });
    try {
      const crash = async (requests: number): Promise<unknown[]> => {
        const runs = Array.from({ length: requests }, () => slot.run(feeds(2_000_000_000)).catch((e: unknown) => e));
        // After a crash the next run starts a fresh executor first.
        for (let i = 0; i < 100 && model.executor?.pid === undefined; i++) await new Promise((resolve) => setTimeout(resolve, 50));
        await new Promise((resolve) => setTimeout(resolve, 300));
        const pid = model.executor?.pid;
        if (pid === undefined) throw new Error("no executor");
        process.kill(pid, "SIGKILL");
        return Promise.all(runs);
      };
      const first = await crash(3);
      expect(first.map((e) => (e as Error).message)).toEqual(
        Array(3).fill("Deployment 'churn' version 4: the model's executor process was killed by SIGKILL while running it"),
      );
      expect(reported).toEqual([]);
      await crash(1);
      expect(reported).toEqual([]);
      await crash(1);
      expect(reported).toEqual(["4: Deployment 'churn' version 4: the model's executor process was killed by SIGKILL while running it"]);
      expect(slot.failure).toEqual({ version: "4", kind: "crash", reason: "a crash of its executor process", time: 1 });
      const refused = (await slot.run(feeds(1)).catch((e: unknown) => e)) as ExecutionFailure;
      expect(refused.status).toBe(503);
      expect(refused.message).toBe(
        "Deployment 'churn' version 4 is marked failed and takes no traffic (a crash of its executor process); redeploy it (delete and create the deployment) or deploy another version.",
      );
    } finally {
      await model.close();
    }
  }, 60_000);
});
