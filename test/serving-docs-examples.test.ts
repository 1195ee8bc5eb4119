import { mkdtemp, readFile, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startStandaloneServer, type StandaloneServer } from "../src/serving/standalone.js";
import { buildOnnxModel, multiOutputClassifierModel, randomFloats, writeMlflowModelDir, writeOnnxFile } from "../src/serving/test-support/onnx-models.js";

/**
 * docs/serving.md shows what the MLflow scoring protocol answers for each kind of input and output; every example
 * there marked `<!-- example: NAME -->` is the exact body a real `cairn serve` returns for the request beside it,
 * checked here so the page cannot drift from the server.
 */
let dir: string;
const servers: StandaloneServer[] = [];

/** A classifier with ONE multi-column output: x [batch,4] -> probabilities [batch,3]. */
const probabilitiesOnlyModel = (): Uint8Array =>
  buildOnnxModel({
    name: "probabilities_only",
    inputs: [{ name: "x", type: "float32", shape: ["batch", 4] }],
    outputs: [{ name: "probabilities", type: "float32", shape: ["batch", 3] }],
    initializers: [
      { name: "W", dims: [4, 3], values: randomFloats(12, 3, 1.5) },
      { name: "B", dims: [3], values: randomFloats(3, 4, 0.2) },
    ],
    nodes: [
      { op: "Gemm", inputs: ["x", "W", "B"], outputs: ["logits"] },
      { op: "Softmax", inputs: ["logits"], outputs: ["probabilities"], attributes: { axis: { kind: "int", value: 1 } } },
    ],
  });

const columns = ["f0", "f1", "f2", "f3"];
const signature = (outputs: Array<{ name: string; dims: number[]; dtype: string }>) => ({
  inputs: columns.map((name) => ({ name, type: "float" as const })),
  outputs: outputs.map((o) => ({ type: "tensor" as const, "tensor-spec": { dtype: o.dtype, shape: o.dims } })),
});

const serve = async (name: string, bytes: Uint8Array, outputs: Array<{ name: string; dims: number[]; dtype: string }>): Promise<string> => {
  const modelDir = await writeMlflowModelDir(path.join(dir, name), bytes, { signature: signature(outputs) });
  const server = await startStandaloneServer({ model: modelDir, port: 0 });
  servers.push(server);
  return server.url;
};

const invoke = async (url: string, body: unknown): Promise<{ version: string | null; answer: unknown }> => {
  const response = await fetch(`${url}/invocations`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
  expect(response.status).toBe(200);
  return { version: response.headers.get("x-cairn-model-version"), answer: JSON.parse(await response.text()) };
};

/** The JSON block that follows `<!-- example: NAME -->` in docs/serving.md. */
const documented = async (name: string): Promise<unknown> => {
  const page = await readFile(path.join(import.meta.dirname, "..", "docs", "serving.md"), "utf8");
  const match = new RegExp(`<!-- example: ${name} -->\\s*\`\`\`json\\n([\\s\\S]*?)\\n\`\`\``).exec(page);
  if (match?.[1] === undefined) throw new Error(`docs/serving.md has no example '${name}'`);
  return JSON.parse(match[1]);
};

const twoRows = { dataframe_split: { columns, data: [[0.5, -1, 2, 0.1], [1.5, 0.3, -0.7, 1]] } };

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), "cairn-docs-examples-"));
});
afterAll(async () => {
  await Promise.all(servers.map((server) => server.close()));
  await rm(dir, { recursive: true, force: true });
});

describe("docs/serving.md: what the MLflow scoring protocol returns", () => {
  it("a DataFrame input to a one-output, three-column model: MLflow's flattening, one record per value", async () => {
    const url = await serve("probabilities", probabilitiesOnlyModel(), [{ name: "probabilities", dims: [-1, 3], dtype: "float32" }]);
    const { version, answer } = await invoke(url, twoRows);
    expect(version).toBe("1");
    expect((answer as { predictions: unknown[] }).predictions).toHaveLength(6);
    expect(answer).toEqual(await documented("flattened-records"));
  });

  it("a tensor input to the same model without a column signature: an object of outputs, rows kept", async () => {
    const server = await startStandaloneServer({ model: await writeOnnxFile(dir, "probabilities.onnx", probabilitiesOnlyModel()), port: 0 });
    servers.push(server);
    const url = server.url;
    const { answer } = await invoke(url, { inputs: { x: twoRows.dataframe_split.data } });
    expect(answer).toEqual(await documented("tensor-outputs"));
  });

  it("a DataFrame input to a model with outputs of different sizes: one record per row (where MLflow fails)", async () => {
    const url = await serve("classifier", multiOutputClassifierModel(), [
      { name: "label", dims: [-1], dtype: "int64" },
      { name: "probabilities", dims: [-1, 3], dtype: "float32" },
    ]);
    const { answer } = await invoke(url, twoRows);
    expect((answer as { predictions: unknown[] }).predictions).toHaveLength(2);
    expect(answer).toEqual(await documented("per-row-records"));
  });
});
