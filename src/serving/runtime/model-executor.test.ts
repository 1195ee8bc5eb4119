import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CairnError } from "../../core/errors.js";
import { constantOfShapeModel, loopModel, writeOnnxFile } from "../test-support/onnx-models.js";
import { DEFAULT_EXECUTION_LIMITS, ExecutionFailure } from "./execution-limits.js";
import { ModelExecutor } from "./model-executor.js";

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "cairn-executor-"));
});
afterAll(async () => rm(dir, { recursive: true, force: true }));

const one = { intraOpThreads: 1, interOpThreads: 1 };
const int64 = (n: number) => ({ type: "int64" as const, dims: [1], data: BigInt64Array.of(BigInt(n)) });
const float = (x: number) => ({ type: "float32" as const, dims: [1], data: Float32Array.of(x) });

describe("ModelExecutor", () => {
  it("kills a run that outlives the timeout, fails the runs queued behind it uncounted, and answers the next run from a fresh process", async () => {
    const path = await writeOnnxFile(dir, "loop.onnx", loopModel());
    const executor = await ModelExecutor.start(path, one, { ...DEFAULT_EXECUTION_LIMITS, timeoutMs: 700 });
    try {
      const firstPid = executor.pid;
      const stuck = executor.run({ x: float(1), n: int64(2_000_000_000) }).catch((e: unknown) => e);
      await new Promise((resolve) => setTimeout(resolve, 100));
      const queued = executor.run({ x: float(2), n: int64(1) }).catch((e: unknown) => e);
      const timedOut = await stuck;
      expect(timedOut).toBeInstanceOf(ExecutionFailure);
      expect((timedOut as ExecutionFailure).kind).toBe("timeout");
      expect((timedOut as ExecutionFailure).status).toBe(504);
      expect((timedOut as Error).message).toBe("inference exceeded the 0.7 s inference timeout (--inference-timeout); its executor was stopped and is replaced");
      const behind = await queued;
      expect(behind).toBeInstanceOf(CairnError);
      expect(behind).not.toBeInstanceOf(ExecutionFailure);
      expect((behind as Error).message).toBe("another request to this model exceeded 0.7 s and its executor was replaced; retry");
      expect(await executor.run({ x: float(3), n: int64(5) })).toEqual({ y: { type: "float32", dims: [1], data: Float32Array.of(3) } });
      expect(executor.restarts).toBe(1);
      expect(executor.pid).not.toBe(firstPid);
    } finally {
      await executor.close();
    }
  });

  it("refuses outputs above the cap from their dims, and keeps its process", async () => {
    const path = await writeOnnxFile(dir, "zeros.onnx", constantOfShapeModel());
    const executor = await ModelExecutor.start(path, one, { ...DEFAULT_EXECUTION_LIMITS, maxOutputElements: 10 });
    try {
      const pid = executor.pid;
      expect((await executor.run({ n: int64(10) })).y?.dims).toEqual([10]);
      const refused = (await executor.run({ n: int64(11) }).catch((e: unknown) => e)) as ExecutionFailure;
      expect(refused).toBeInstanceOf(ExecutionFailure);
      expect([refused.kind, refused.status, refused.code]).toEqual(["output-size", 422, "REQUEST_LIMIT_EXCEEDED"]);
      expect(refused.message).toBe(
        "the model's outputs hold 11 elements (y [11]), above the output cap of 10 elements (--max-output-elements); refused before encoding",
      );
      expect(executor.pid).toBe(pid);
      expect(executor.restarts).toBe(0);
    } finally {
      await executor.close();
    }
  });

  it("a load that outlives the load timeout is an execution failure, and its process is gone", async () => {
    const path = await writeOnnxFile(dir, "loop2.onnx", loopModel());
    const before = ModelExecutor.running;
    const error = (await ModelExecutor.start(path, one, { ...DEFAULT_EXECUTION_LIMITS, loadTimeoutMs: 1 }).catch((e: unknown) => e)) as ExecutionFailure;
    expect(error).toBeInstanceOf(ExecutionFailure);
    expect(error.message).toBe("loading the ONNX model exceeded the 0.001 s load timeout; its executor was stopped");
    expect(ModelExecutor.running).toBe(before);
  });
});
