import { afterAll, describe, expect, it } from "vitest";
import { CairnError } from "../../core/errors.js";
import type { TensorMap, TensorSpec } from "../tensor.js";
import { runCodecJob, type CodecJob } from "./codec-jobs.js";

type MlflowDecode = Extract<CodecJob, { kind: "decode-mlflow" }>;
import { CodecPool, CodecPoolBusyError } from "./codec-pool.js";

/**
 * The codecs answer the same through the pool's worker threads as on the event loop: the same tensors (same typed
 * array types, dims and values), the same JSON bytes, and the same errors (code, status, message) for malformed
 * bodies, for both MLflow scoring formats, CSV and the Open Inference Protocol. The pool under test sends every job
 * to a worker (thresholds 0); the reference runs the job inline.
 */
const pool = new CodecPool({ threads: 2, inlineBodyBytes: 0, inlineOutputBytes: 0 });
afterAll(async () => pool.close());

const spec = (name: string, type: TensorSpec["type"], shape: TensorSpec["shape"]): TensorSpec => ({ name, type, shape });
const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);

/** What a job gave, in a comparable form: tensors with their array class, answers as text, errors field by field. */
const outcome = async (run: () => unknown): Promise<unknown> => {
  try {
    const result = await run();
    if (result instanceof Uint8Array) return { text: new TextDecoder().decode(result) };
    const { feeds, ...rest } = result as { feeds: TensorMap };
    const tensors = Object.fromEntries(
      Object.entries(feeds).map(([name, t]) => [name, { type: t.type, dims: t.dims, array: t.data.constructor.name, values: Array.from(t.data as ArrayLike<unknown>, String) }]),
    );
    return { tensors, ...rest };
  } catch (error) {
    const e = error as Error;
    return { error: { cairn: e instanceof CairnError, code: (e as CairnError).code, status: (e as CairnError).status, message: e.message } };
  }
};

/** Each job's body is copied per run: the pool moves a body's buffer to the worker. */
const same = async (make: () => CodecJob): Promise<unknown> => {
  const inline = await outcome(() => runCodecJob(make()));
  const job = make();
  const pooled = await outcome(() => pool.run(job));
  expect(pooled).toEqual(inline);
  // It did run on a worker: the body's buffer moved there (detached here).
  if ("body" in job) expect(job.body.byteLength).toBe(0);
  return inline;
};

const one = [spec("x", "float32", [null, 2])];
const two = [spec("a", "float32", [null]), spec("b", "int64", [null, 1])];
const mlflow = (text: string, inputs: TensorSpec[] = one, contentType = "application/json", signatureColumns?: string[]) => (): MlflowDecode => ({
  kind: "decode-mlflow",
  body: bytes(text),
  contentType,
  model: signatureColumns === undefined ? { inputs } : { inputs, signatureColumns },
});

describe("MLflow scoring bodies through the pool", () => {
  const valid: Array<[string, () => CodecJob]> = [
    ["dataframe_split", mlflow('{"dataframe_split": {"columns": ["q", "p"], "data": [[1, 2], [3, 4]]}}', [spec("x", "float64", [null, 2])], "application/json", ["p", "q"])],
    ["dataframe_records, several inputs", mlflow('{"dataframe_records": [{"a": 1, "b": 2}, {"a": 3, "b": "9007199254740993"}]}', two)],
    ["instances as a list", mlflow('{"instances": [[1, 2], [3, null]]}')],
    ["instances as records", mlflow('{"instances": [{"a": 1, "b": 2}]}', two)],
    ["inputs as a dict, with params", mlflow('{"inputs": {"a": [1.5, 2], "b": [[1], [2]]}, "params": {"k": 1}}', two)],
    ["inputs as a list", mlflow('{"inputs": [[0.5, "NaN"]]}')],
    ["CSV", mlflow('p,q\n1.5,""\n"3",4\n', one, "text/csv")],
    ["CSV with a BOM and CRLF", mlflow('\ufeffp,q\r\n1,2\r\n', one, "text/csv; charset=utf-8")],
    ["strings", mlflow('{"inputs": {"s": ["é", "\\u00e9x"]}}', [spec("s", "string", [null])])],
  ];
  it.each(valid)("decodes %s to the same tensors", async (_name, make) => {
    const result = (await same(make)) as { tensors?: unknown };
    expect(result.tensors).toBeDefined();
  });

  const malformed: Array<[string, () => CodecJob, number]> = [
    ["invalid JSON", mlflow('{"inputs": [1, 2'), 400],
    ["no format", mlflow('{"data": [1]}'), 400],
    ["two formats", mlflow('{"inputs": [[1, 2]], "instances": [[1, 2]]}'), 400],
    ["a list body", mlflow("[1, 2]"), 400],
    ["a wrong element type", mlflow('{"inputs": [[1, "x"]]}'), 400],
    ["a ragged list", mlflow('{"inputs": [[1, 2], [3]]}'), 400],
    ["a wrong shape", mlflow('{"inputs": [[1, 2, 3]]}'), 400],
    ["an unknown column", mlflow('{"dataframe_records": [{"a": 1, "b": 2, "c": 3}]}', two), 400],
    ["an int64 out of range", mlflow('{"dataframe_records": [{"a": 1, "b": "99999999999999999999"}]}', two), 400],
    ["params not an object", mlflow('{"inputs": [[1, 2]], "params": [1]}'), 400],
    ["nesting too deep", mlflow(`{"inputs": ${"[".repeat(10_000)}`), 400],
    ["a bad CSV row", mlflow("p,q\n1\n", one, "text/csv"), 400],
    ["an unterminated CSV quote", mlflow('p,q\n"1,2\n', one, "text/csv"), 400],
    ["an unsupported content type", mlflow("{}", one, "text/plain"), 415],
    ["a non-UTF-8 charset", mlflow("{}", one, "application/json; charset=latin-1"), 415],
  ];
  it.each(malformed)("refuses %s with the same error", async (_name, make, status) => {
    const result = (await same(make)) as { error?: { cairn: boolean; status: number; message: string } };
    expect(result.error?.cairn).toBe(true);
    expect(result.error?.status).toBe(status);
  });
});

describe("Open Inference Protocol bodies through the pool", () => {
  const inputs = [spec("s", "string", [null]), spec("h", "float16", [2]), spec("n", "int32", [null, 2])];
  const outputs = [spec("y", "float32", [null])];
  const oip = (body: unknown) => (): CodecJob => ({
    kind: "decode-oip",
    body: bytes(typeof body === "string" ? body : JSON.stringify(body)),
    inputs,
    outputs,
  });
  const s = { name: "s", shape: [1], datatype: "BYTES", data: ["hi"] };
  const h = { name: "h", shape: [2], datatype: "FP16", data: [[1], [0.1]] };
  const n = { name: "n", shape: [1, 2], datatype: "INT32", data: [3, -4] };
  it("decodes a request (id, every input, requested outputs) to the same tensors", async () => {
    const result = (await same(oip({ id: "7", inputs: [s, h, n], outputs: [{ name: "y" }] }))) as Record<string, unknown>;
    expect(result.id).toBe("7");
    expect(result.outputs).toEqual(["y"]);
  });
  it.each([
    ["invalid JSON", "{"],
    ["no inputs", { inputs: [] }],
    ["an unknown input", { inputs: [s, h, n, { ...s, name: "z" }] }],
    ["a repeated input", { inputs: [s, s, h, n] }],
    ["a wrong datatype", { inputs: [s, h, { ...n, datatype: "FP32" }] }],
    ["a wrong element count", { inputs: [s, h, { ...n, data: [1] }] }],
    ["an int32 out of range", { inputs: [s, h, { ...n, data: [1, 2 ** 40] }] }],
    ["an unknown output", { inputs: [s, h, n], outputs: [{ name: "q" }] }],
    ["a missing input", { inputs: [s, h] }],
  ] as Array<[string, unknown]>)("refuses %s with the same error", async (_name, body) => {
    const result = (await same(oip(body))) as { error?: { status: number } };
    expect(result.error?.status).toBe(400);
  });
});

describe("answers encoded through the pool", () => {
  const outputs = (): TensorMap => ({
    label: { type: "int64", dims: [3], data: BigInt64Array.from([1n, 0n, 2n]) },
    p: { type: "float32", dims: [3, 2], data: Float32Array.from([0.5, 0.25, NaN, 1, 0.125, -0]) },
    ok: { type: "bool", dims: [3], data: Uint8Array.from([1, 0, 1]) },
    s: { type: "string", dims: [3], data: ["a", "ü", '"q"'] },
  });
  const order = ["label", "p", "ok", "s"];
  it.each(["records", "tensors"] as const)("MLflow predictions as %s: the same JSON bytes", async (form) => {
    const result = (await same(() => ({ kind: "encode-mlflow", outputs: outputs(), order, form }))) as { text: string };
    expect(JSON.parse(result.text)).toHaveProperty("predictions");
  });
  it("an Open Inference response: the same JSON bytes, and the caller's tensors left intact", async () => {
    const kept = outputs();
    const result = (await same(() => ({ kind: "encode-oip", modelName: "m", version: "3", id: "r1", outputs: kept, order: ["p", "label"] }))) as { text: string };
    expect(result.text).toBe(
      '{"model_name":"m","model_version":"3","id":"r1","outputs":[{"name":"p","shape":[3,2],"datatype":"FP32","data":[0.5,0.25,null,1,0.125,0]},' +
        '{"name":"label","shape":[3],"datatype":"INT64","data":[1,0,2]}]}',
    );
    // The prediction log keeps the outputs after the answer is encoded: they are copied to the worker, not moved.
    expect(Array.from(kept.label?.data as BigInt64Array)).toEqual([1n, 0n, 2n]);
  });
});

describe("the pool's bounds", () => {
  const big = (): MlflowDecode => ({
    kind: "decode-mlflow",
    body: bytes(`{"inputs": [${Array.from({ length: 200_000 }, () => "[0.123456, 0.234567]").join(",")}]}`),
    contentType: "application/json",
    model: { inputs: one },
  });
  it("refuses a job with a 503 when its queue is full, and runs the admitted ones", async () => {
    const small = new CodecPool({ threads: 1, maxQueuedJobs: 1, inlineBodyBytes: 64 * 1024 });
    try {
      const jobs = [small.run(big()), small.run(big()), small.run(big())];
      // What the routes ask before reading a body: a large one is refused now, a small one (decoded inline) never.
      expect(small.refusesBody(1024 * 1024)).toBe(true);
      expect(small.refusesBody(64 * 1024)).toBe(false);
      const settled = await Promise.allSettled(jobs);
      expect(settled.map((s) => s.status)).toEqual(["fulfilled", "fulfilled", "rejected"]);
      const refused = (settled[2] as PromiseRejectedResult).reason as CairnError;
      expect(refused).toBeInstanceOf(CodecPoolBusyError);
      expect([refused.code, refused.status]).toEqual(["TEMPORARILY_UNAVAILABLE", 503]);
      expect(small.load()).toEqual({ running: 0, queued: 0, queuedBytes: 0 });
      expect(small.refusesBody(1024 * 1024)).toBe(false);
    } finally {
      await small.close();
    }
  });
  it("always admits an encode (the prediction is made), even with the queue full", async () => {
    const small = new CodecPool({ threads: 1, inlineBodyBytes: 0, inlineOutputBytes: 0, maxQueuedJobs: 0 });
    const outputs: TensorMap = { y: { type: "float32", dims: [2], data: Float32Array.from([0.5, 1]) } };
    try {
      const settled = await Promise.allSettled([
        small.run(big()),
        small.run(big()),
        small.run({ kind: "encode-mlflow", outputs, order: ["y"], form: "tensors" }),
      ]);
      expect(settled.map((s) => s.status)).toEqual(["fulfilled", "rejected", "fulfilled"]);
      expect(new TextDecoder().decode((settled[2] as PromiseFulfilledResult<Uint8Array>).value)).toBe('{"predictions":{"y":[0.5,1]}}');
    } finally {
      await small.close();
    }
  });
  it("refuses a job whose bytes would overflow the queue's byte bound", async () => {
    const small = new CodecPool({ threads: 1, inlineBodyBytes: 0, maxQueuedBytes: 1024 });
    try {
      const settled = await Promise.allSettled([small.run(big()), small.run(big())]);
      expect(settled.map((s) => s.status)).toEqual(["fulfilled", "rejected"]);
    } finally {
      await small.close();
    }
  });
  it("fails only the job of a worker that runs out of memory, as an internal error, and serves the next on a new worker", async () => {
    const tight = new CodecPool({ threads: 1, inlineBodyBytes: 0, workerHeapMb: 24 });
    const huge = (): MlflowDecode => ({ ...big(), body: bytes(`{"inputs": [${Array.from({ length: 1_500_000 }, () => "[0.1, 0.2]").join(",")}]}`) });
    try {
      const failed = await tight.run(huge()).then(() => undefined, (error: unknown) => error);
      expect(failed).toBeInstanceOf(Error);
      expect(failed).not.toBeInstanceOf(CairnError);
      expect((failed as Error).message).toMatch(/^codec worker failed: /);
      const next = await tight.run(mlflow('{"inputs": [[1, 2]]}')());
      expect(Array.from(next.feeds.x?.data as Float32Array)).toEqual([1, 2]);
    } finally {
      await tight.close();
    }
  });
  it("keeps small jobs on the loop (no worker started)", async () => {
    const inline = new CodecPool({ threads: 1 });
    const job = mlflow('{"inputs": [[1, 2]]}')();
    const result = await inline.run(job);
    expect(Array.from(result.feeds.x?.data as Float32Array)).toEqual([1, 2]);
    // Not moved to a worker: the body's buffer is still attached.
    expect(job.body.byteLength).toBeGreaterThan(0);
    expect(inline.load().running).toBe(0);
    await inline.close();
  });
});
