import { spawn, type ChildProcess } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import * as ort from "onnxruntime-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { multiOutputClassifierModel, writeMlflowModelDir, writePickledModelDir } from "../serving/test-support/onnx-models.js";

/** `cairn serve` as a user runs it: a child process on a built MLflow model, answers checked against onnxruntime. */
const repoRoot = fileURLToPath(new URL("../..", import.meta.url));
let dir: string;
let modelDir: string;

const spawnCairn = (args: string[]): ChildProcess =>
  spawn(process.execPath, ["--import", "tsx", path.join(repoRoot, "src/cli/main.ts"), ...args], {
    cwd: repoRoot,
    env: { ...process.env, CAIRN_TRACKING_URI: "http://127.0.0.1:9" },
    stdio: ["ignore", "pipe", "pipe"],
  });

const collect = (child: ChildProcess): { stdout: () => string; stderr: () => string; exit: Promise<number | null> } => {
  let stdout = "";
  let stderr = "";
  child.stdout?.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr?.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  return { stdout: () => stdout, stderr: () => stderr, exit: new Promise((resolve) => child.once("close", (code) => resolve(code))) };
};

const rows = [
  [0.5, -1.25, 2, 0.75],
  [-0.3, 0.1, -2.5, 1.5],
];

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "cairn-serve-cli-"));
  modelDir = await writeMlflowModelDir(path.join(dir, "classifier"), multiOutputClassifierModel(), {
    signature: { inputs: [{ type: "tensor", "tensor-spec": { dtype: "float32", shape: [-1, 4] } }] },
  });
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** The address `cairn serve` prints on its first line once it listens. */
const listeningUrl = (child: ChildProcess, out: ReturnType<typeof collect>): Promise<string> =>
  new Promise<string>((resolve, reject) => {
    child.stdout?.on("data", () => {
      const match = /^Serving .+ at (http:\/\/\S+) /.exec(out.stdout());
      if (match?.[1]) resolve(match[1]);
    });
    child.once("exit", (code) => reject(new Error(`cairn serve exited with ${code}: ${out.stderr()}`)));
  });

describe("cairn serve (process)", () => {
  it("with --inference-worker answers concurrent requests (merged on the worker thread) exactly as onnxruntime does", async () => {
    const child = spawnCairn(["serve", modelDir, "--port", "0", "--inference-worker", "--max-batch-size", "64"]);
    const out = collect(child);
    const url = await listeningUrl(child, out);
    try {
      const many = Array.from({ length: 24 }, (_, i) => [i / 24, 1 - i / 24, (i % 5) / 5, 0.5]);
      const session = await ort.InferenceSession.create(path.join(modelDir, "model.onnx"));
      const direct = await session.run({ x: new ort.Tensor("float32", Float32Array.from(many.flat()), [many.length, 4]) });
      const probabilities = Array.from(direct.probabilities?.data as Float32Array);
      await session.release();
      const answers = await Promise.all(
        many.map(async (row) => {
          const response = await fetch(`${url}/v2/models/classifier/infer`, {
            method: "POST",
            headers: { "content-type": "application/json" },
            body: JSON.stringify({ inputs: [{ name: "x", shape: [1, 4], datatype: "FP32", data: row }] }),
          });
          expect(response.status).toBe(200);
          return ((await response.json()) as { outputs: { name: string; data: number[] }[] }).outputs.find((o) => o.name === "probabilities")?.data;
        }),
      );
      expect(answers.flat()).toEqual(probabilities);
    } finally {
      child.kill("SIGTERM");
    }
    expect(await out.exit).toBe(0);
    expect(out.stderr()).toBe("");
  });

  it("serves an MLflow model folder over both protocols with onnxruntime's answers, and stops on SIGTERM with exit 0", async () => {
    const child = spawnCairn(["serve", modelDir, "--port", "0", "--max-batch-size", "8", "--max-latency-ms", "1"]);
    const out = collect(child);
    const url = await listeningUrl(child, out);
    try {
      const session = await ort.InferenceSession.create(path.join(modelDir, "model.onnx"));
      const direct = await session.run({ x: new ort.Tensor("float32", Float32Array.from(rows.flat()), [2, 4]) });
      const labels = Array.from(direct.label?.data as BigInt64Array, Number);
      const probabilities = Array.from(direct.probabilities?.data as Float32Array);
      await session.release();

      const scoring = await fetch(`${url}/invocations`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ inputs: rows }) });
      expect(scoring.status).toBe(200);
      const predictions = ((await scoring.json()) as { predictions: { label: number[]; probabilities: number[][] } }).predictions;
      expect(predictions.label).toEqual(labels);
      expect(predictions.probabilities.flat()).toEqual(probabilities);

      const infer = await fetch(`${url}/v2/models/classifier/infer`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ id: "r1", inputs: [{ name: "x", shape: [2, 4], datatype: "FP32", data: rows.flat() }] }),
      });
      expect(infer.status).toBe(200);
      const answer = (await infer.json()) as { model_name: string; id: string; outputs: { name: string; shape: number[]; datatype: string; data: number[] }[] };
      expect(answer.model_name).toBe("classifier");
      expect(answer.id).toBe("r1");
      expect(answer.outputs).toEqual([
        { name: "label", shape: [2], datatype: "INT64", data: labels },
        { name: "probabilities", shape: [2, 3], datatype: "FP32", data: probabilities },
      ]);
    } finally {
      child.kill("SIGTERM");
    }
    expect(await out.exit).toBe(0);
    expect(out.stderr()).toBe("");
  });

  it("exits 2 with one line for a bad flag, and 1 with one line for a pickled or missing model", async () => {
    const badFlag = collect(spawnCairn(["serve", modelDir, "--max-batch-size", "0"]));
    expect(await badFlag.exit).toBe(2);
    expect(badFlag.stderr()).toBe("cairn: error: --max-batch-size must be an integer from 1 to 100000, got '0'\n");

    const missing = collect(spawnCairn(["serve", path.join(dir, "nothing.onnx"), "--port", "0"]));
    const code = await missing.exit;
    expect(code).not.toBe(0);
    expect(missing.stdout()).toBe("");
    expect(missing.stderr()).toMatch(/^cairn: error: .*nothing\.onnx.*\n$/);

    const pickled = collect(spawnCairn(["serve", await writePickledModelDir(path.join(dir, "pickled")), "--port", "0"]));
    expect(await pickled.exit).not.toBe(0);
    expect(pickled.stdout()).toBe("");
    expect(pickled.stderr()).toMatch(/^cairn: error: .*Cairn executes only ONNX models; .*loading a pickled model would run arbitrary code.*\n$/);
  });
});
