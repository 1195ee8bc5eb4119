import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import * as ort from "onnxruntime-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startStandaloneServer, type StandaloneServer } from "../src/serving/standalone.js";
import type { ElementType } from "../src/serving/tensor.js";
import {
  identityModel,
  logisticRegressionModel,
  multiOutputClassifierModel,
  sileroVadPath,
  writeMlflowModelDir,
  writeOnnxFile,
} from "../src/serving/test-support/onnx-models.js";

/** Real ONNX models behind a real `cairn serve` on loopback; every answer is compared with onnxruntime-node itself. */
let dir: string;
const servers: StandaloneServer[] = [];

const serve = async (model: string, extra: { maxBodyBytes?: number; maxBatchSize?: number } = {}): Promise<StandaloneServer> => {
  const server = await startStandaloneServer({ model, port: 0, ...extra });
  servers.push(server);
  return server;
};

const post = async (url: string, body: string, contentType = "application/json") => {
  const response = await fetch(url, { method: "POST", body, headers: { "content-type": contentType } });
  const text = await response.text();
  return {
    status: response.status,
    text,
    json: (): unknown => JSON.parse(text),
    type: response.headers.get("content-type") ?? "",
    modelVersion: response.headers.get("x-cairn-model-version"),
  };
};

const direct = async (file: string, feeds: Record<string, ort.Tensor>): Promise<Record<string, ort.Tensor>> => {
  const session = await ort.InferenceSession.create(file);
  try {
    return await session.run(feeds);
  } finally {
    await session.release();
  }
};

const rows = [
  [0.5, -1.25, 2, 0.75],
  [1, 2, 3, 4],
  [-0.3, 0.1, 0.2, -2.5],
];
const flat = rows.flat();

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), "cairn-protocols-"));
});
afterAll(async () => {
  for (const server of servers) await server.close();
  await rm(dir, { recursive: true, force: true });
});

describe("logistic regression as an MLflow model directory with a column signature", () => {
  let server: StandaloneServer;
  let expected: number[];
  let lrFile: string;
  beforeAll(async () => {
    const modelDir = await writeMlflowModelDir(path.join(dir, "lr"), logisticRegressionModel(), {
      signature: { inputs: ["a", "b", "c", "d"].map((name) => ({ name, type: "float" as const })), outputs: [{ type: "tensor", "tensor-spec": { dtype: "float32", shape: [-1, 1] } }] },
    });
    lrFile = path.join(modelDir, "model.onnx");
    server = await serve(modelDir);
    const out = await direct(lrFile, { x: new ort.Tensor("float32", Float32Array.from(flat), [3, 4]) });
    expected = Array.from(out.prob?.data as Float32Array);
  });

  const records = (): Array<{ prob: number }> => expected.map((prob) => ({ prob }));

  it("answers dataframe_split, dataframe_records, instances, inputs and CSV with onnxruntime's predictions as records", async () => {
    const split = await post(`${server.url}/invocations`, JSON.stringify({ dataframe_split: { columns: ["a", "b", "c", "d"], data: rows } }));
    expect(split.status).toBe(200);
    expect(split.modelVersion).toBe("1");
    expect(split.json()).toEqual({ predictions: records() });
    // Columns in another order map through the signature's names.
    const reordered = await post(
      `${server.url}/invocations`,
      JSON.stringify({ dataframe_split: { columns: ["d", "c", "b", "a"], data: rows.map((r) => [...r].reverse()) }, params: {} }),
    );
    expect(reordered.json()).toEqual({ predictions: records() });
    const recs = rows.map(([a, b, c, d]) => ({ a, b, c, d }));
    expect((await post(`${server.url}/invocations`, JSON.stringify({ dataframe_records: recs }))).json()).toEqual({ predictions: records() });
    expect((await post(`${server.url}/invocations`, JSON.stringify({ instances: recs }))).json()).toEqual({ predictions: records() });
    expect((await post(`${server.url}/invocations`, JSON.stringify({ inputs: rows }))).json()).toEqual({ predictions: records() });
    const csv = `a,b,c,d\n${rows.map((r) => r.join(",")).join("\n")}\n`;
    const fromCsv = await post(`${server.url}/invocations`, csv, "text/csv; charset=utf-8");
    expect(fromCsv.status).toBe(200);
    expect(fromCsv.json()).toEqual({ predictions: records() });
  });

  it("answers the Open Inference Protocol, with and without a version, nested or flat data", async () => {
    const request = { id: "req-1", inputs: [{ name: "x", shape: [3, 4], datatype: "FP32", data: rows }] };
    for (const url of [`${server.url}/v2/models/lr/infer`, `${server.url}/v2/models/lr/versions/1/infer`]) {
      const answer = await post(url, JSON.stringify(request));
      expect(answer.status).toBe(200);
      expect(answer.modelVersion).toBe("1");
      expect(answer.json()).toEqual({
        model_name: "lr",
        model_version: "1",
        id: "req-1",
        outputs: [{ name: "prob", shape: [3, 1], datatype: "FP32", data: expected }],
      });
    }
    const flatData = await post(`${server.url}/v2/models/lr/infer`, JSON.stringify({ inputs: [{ name: "x", shape: [3, 4], datatype: "FP32", data: flat }] }));
    expect((flatData.json() as { outputs: Array<{ data: number[] }> }).outputs[0]?.data).toEqual(expected);
  });

  it("serves metadata, readiness and MLflow's health routes", async () => {
    expect(await (await fetch(`${server.url}/v2/models/lr`)).json()).toEqual({
      name: "lr",
      versions: ["1"],
      platform: "onnxruntime_onnx",
      inputs: [{ name: "x", datatype: "FP32", shape: [-1, 4] }],
      outputs: [{ name: "prob", datatype: "FP32", shape: [-1, 1] }],
    });
    expect((await fetch(`${server.url}/v2/models/lr/ready`)).status).toBe(200);
    expect((await fetch(`${server.url}/v2/models/lr/versions/1/ready`)).status).toBe(200);
    expect((await fetch(`${server.url}/v2/models/lr/versions/7/ready`)).status).toBe(404);
    expect((await fetch(`${server.url}/v2/models/nope`)).status).toBe(404);
    expect(await (await fetch(`${server.url}/v2/health/live`)).json()).toEqual({ live: true });
    expect(await (await fetch(`${server.url}/v2/health/ready`)).json()).toEqual({ ready: true });
    expect(((await (await fetch(`${server.url}/v2`)).json()) as { name: string }).name).toBe("cairn");
    expect((await fetch(`${server.url}/ping`)).status).toBe(200);
    expect(await (await fetch(`${server.url}/health`)).text()).toBe("OK");
    expect((await fetch(`${server.url}/version`)).status).toBe(200);
  });

  const oip = (inputs: unknown[]): string => JSON.stringify({ inputs });
  const x = (over: Record<string, unknown>): Record<string, unknown> => ({ name: "x", shape: [1, 4], datatype: "FP32", data: [1, 2, 3, 4], ...over });

  it.each([
    ["wrong datatype", oip([x({ datatype: "INT64" })]), "Input 'x': expected datatype FP32, received INT64."],
    ["wrong shape", oip([x({ shape: [1, 3], data: [1, 2, 3] })]), "Input 'x': expected shape [-1, 4], received [1, 3]."],
    ["data length", oip([x({ shape: [2, 4] })]), "Input 'x': shape [2, 4] needs 8 elements, data has 4."],
    ["missing input", oip([]), "inputs must be a non-empty list of input tensors."],
    ["extra input", oip([x({}), x({ name: "z" })]), "Unknown input 'z': the model's inputs are 'x'."],
    ["wrong element", oip([x({ data: [1, "two", 3, 4] })]), 'Input \'x\': expected float32 values, received "two" at element 1.'],
    ["unknown datatype", oip([x({ datatype: "FLOAT" })]), "Input 'x': unknown datatype 'FLOAT'; one of BOOL, UINT8, UINT16, UINT32, UINT64, INT8, INT16, INT32, INT64, FP16, FP32, FP64, BYTES."],
    ["unknown output", JSON.stringify({ inputs: [x({})], outputs: [{ name: "nope" }] }), "Unknown output 'nope': the model's outputs are 'prob'."],
    ["bad JSON", "{", "The inference request is not valid JSON: Expected property name or '}' in JSON at position 1"],
  ])("OIP refuses %s with a 400 naming it", async (_case, body, message) => {
    const answer = await post(`${server.url}/v2/models/lr/infer`, body);
    expect(answer.status).toBe(400);
    expect(answer.json()).toEqual({ error: message });
  });

  it.each([
    ["two formats", { inputs: rows, instances: rows }, "exactly one of the input fields"],
    ["no format", { data: rows }, "Received dictionary with input fields: [\"data\"]"],
    ["missing column", { dataframe_split: { columns: ["a", "b", "c"], data: [[1, 2, 3]] } }, "Missing column 'd': the model expects columns 'a', 'b', 'c', 'd'."],
    ["extra column", { dataframe_split: { columns: ["a", "b", "c", "d", "e"], data: [[1, 2, 3, 4, 5]] } }, "Unknown column 'e': the model expects columns 'a', 'b', 'c', 'd'."],
    ["wrong shape", { inputs: [[1, 2, 3]] }, "Input 'x': expected shape [-1, 4], received [1, 3]."],
    ["wrong type", { inputs: [[1, 2, true, 4]] }, "Input 'x': expected float32 values, received true at element 2."],
    ["params not an object", { inputs: rows, params: [1] }, "params must be a JSON object of parameter values."],
    ["a list body", [1, 2], "Received a list."],
  ])("MLflow scoring refuses %s with BAD_REQUEST", async (_case, body, message) => {
    const answer = await post(`${server.url}/invocations`, JSON.stringify(body));
    expect(answer.status).toBe(400);
    const error = answer.json() as { error_code: string; message: string };
    expect(error.error_code).toBe("BAD_REQUEST");
    expect(error.message).toContain(message);
  });

  it("refuses bad CSV (400) and other content types or charsets (415, plain text as MLflow)", async () => {
    const ragged = await post(`${server.url}/invocations`, "a,b,c,d\n1,2,3\n", "text/csv");
    expect(ragged.status).toBe(400);
    expect((ragged.json() as { message: string }).message).toContain("Expected 4 fields in line 2, saw 3");
    const notNumber = await post(`${server.url}/invocations`, "a,b,c,d\n1,2,x,4\n", "text/csv");
    expect(notNumber.status).toBe(400);
    expect((notNumber.json() as { message: string }).message).toBe('Input \'x\': expected float32 values, received "x" at element 2.');
    const xml = await post(`${server.url}/invocations`, "<a/>", "application/xml");
    expect(xml.status).toBe(415);
    expect(xml.type).toContain("text/plain");
    expect(xml.text).toBe("This predictor only supports the following content types: Types: ['text/csv', 'application/json']. Got 'application/xml'.");
    const latin = await post(`${server.url}/invocations`, "a,b,c,d\n1,2,3,4\n", "text/csv; charset=latin-1");
    expect(latin.status).toBe(415);
    expect(latin.text).toBe("The scoring server only supports UTF-8");
  });
});

describe("limits", () => {
  it("answers an oversized body with 413 on both protocols", async () => {
    const file = await writeOnnxFile(dir, "small.onnx", logisticRegressionModel());
    const server = await serve(file, { maxBodyBytes: 1000 });
    const big = JSON.stringify({ inputs: Array.from({ length: 200 }, () => [1, 2, 3, 4]) });
    const mlflow = await post(`${server.url}/invocations`, big);
    expect(mlflow.status).toBe(413);
    expect(mlflow.json()).toEqual({ error_code: "INVALID_PARAMETER_VALUE", message: "Request body exceeds the serving limit of 1000 bytes." });
    const v2 = await post(`${server.url}/v2/models/small/infer`, JSON.stringify({ inputs: [{ name: "x", shape: [200, 4], datatype: "FP32", data: Array(800).fill(1) }] }));
    expect(v2.status).toBe(413);
    expect(v2.json()).toEqual({ error: "Request body exceeds the serving limit of 1000 bytes." });
  });
});

describe("multi-output classifier", () => {
  it("returns every output: records per row for a DataFrame, a dict for tensors, the requested subset on OIP", async () => {
    const file = await writeOnnxFile(dir, "clf.onnx", multiOutputClassifierModel());
    const server = await serve(file);
    const out = await direct(file, { x: new ort.Tensor("float32", Float32Array.from(flat), [3, 4]) });
    const labels = Array.from(out.label?.data as BigInt64Array, Number);
    const probs = Array.from(out.probabilities?.data as Float32Array);
    const probRows = [probs.slice(0, 3), probs.slice(3, 6), probs.slice(6, 9)];
    const split = await post(`${server.url}/invocations`, JSON.stringify({ dataframe_split: { columns: ["0", "1", "2", "3"], data: rows } }));
    expect(split.json()).toEqual({ predictions: labels.map((label, i) => ({ label, probabilities: probRows[i] })) });
    const tensors = await post(`${server.url}/invocations`, JSON.stringify({ inputs: { x: rows } }));
    expect(tensors.json()).toEqual({ predictions: { label: labels, probabilities: probRows } });
    const v2 = await post(`${server.url}/v2/models/clf/infer`, JSON.stringify({ inputs: [{ name: "x", shape: [3, 4], datatype: "FP32", data: flat }], outputs: [{ name: "label" }] }));
    expect((v2.json() as { outputs: unknown }).outputs).toEqual([{ name: "label", shape: [3], datatype: "INT64", data: labels }]);
  });
});

describe("Silero VAD (third-party, stateful, int64 scalar)", () => {
  it("gives onnxruntime's outputs through both protocols", async () => {
    const server = await serve(sileroVadPath);
    const samples = Array.from({ length: 512 }, (_, i) => Math.sin(i / 7) * 0.3);
    const state = Array.from({ length: 128 }, (_, i) => (i % 5) / 10);
    const out = await direct(sileroVadPath, {
      input: new ort.Tensor("float32", Float32Array.from(samples), [1, 512]),
      sr: new ort.Tensor("int64", BigInt64Array.from([16000n]), []),
      h: new ort.Tensor("float32", Float32Array.from(state), [2, 1, 64]),
      c: new ort.Tensor("float32", Float32Array.from(state), [2, 1, 64]),
    });
    const v2 = await post(
      `${server.url}/v2/models/silero_vad_legacy/infer`,
      JSON.stringify({
        inputs: [
          { name: "input", shape: [1, 512], datatype: "FP32", data: samples },
          { name: "sr", shape: [], datatype: "INT64", data: [16000] },
          { name: "h", shape: [2, 1, 64], datatype: "FP32", data: state },
          { name: "c", shape: [2, 1, 64], datatype: "FP32", data: state },
        ],
      }),
    );
    expect(v2.status).toBe(200);
    const outputs = (v2.json() as { outputs: Array<{ name: string; shape: number[]; data: number[] }> }).outputs;
    for (const name of ["output", "hn", "cn"]) {
      const mine = outputs.find((o) => o.name === name);
      expect(mine?.shape).toEqual(out[name]?.dims);
      expect(mine?.data).toEqual(Array.from(out[name]?.data as Float32Array));
    }
    const nested = (values: number[]) => [values.slice(0, 64), values.slice(64)].map((half) => [half]);
    const mlflow = await post(`${server.url}/invocations`, JSON.stringify({ inputs: { input: [samples], sr: 16000, h: nested(state), c: nested(state) } }));
    expect(mlflow.status).toBe(200);
    expect((mlflow.json() as { predictions: { output: number[][] } }).predictions.output).toEqual([Array.from(out.output?.data as Float32Array)]);
    const missing = await post(`${server.url}/invocations`, JSON.stringify({ inputs: { input: [samples], sr: 16000, h: nested(state) } }));
    expect(missing.status).toBe(400);
    expect((missing.json() as { message: string }).message).toBe("Missing input 'c' (float32 [2, -1, 64]).");
    const fractional = await post(`${server.url}/invocations`, JSON.stringify({ inputs: { input: [samples], sr: 16000.5, h: nested(state), c: nested(state) } }));
    expect((fractional.json() as { message: string }).message).toBe("Input 'sr': expected int64 values, received 16000.5 at element 0.");
  });
});

describe("every datatype round trips through an Identity model", () => {
  const cases: Array<[ElementType, string, unknown[]]> = [
    ["bool", "BOOL", [true, false, false, true]],
    ["uint8", "UINT8", [0, 255, 7, 128]],
    ["uint16", "UINT16", [0, 65535, 7, 300]],
    ["uint32", "UINT32", [0, 4294967295, 7, 70000]],
    ["uint64", "UINT64", [0, 9007199254740991, 7, 1]],
    ["int8", "INT8", [-128, 127, 0, -1]],
    ["int16", "INT16", [-32768, 32767, 0, -1]],
    ["int32", "INT32", [-2147483648, 2147483647, 0, -1]],
    ["int64", "INT64", [-9007199254740991, 9007199254740991, 0, -1]],
    ["float16", "FP16", [0.5, -2, 65504, 0.0999755859375]],
    ["float32", "FP32", [0.5, -2.25, 3.4028234663852886e38, 1e-7]],
    ["float64", "FP64", [0.1, -2.5e300, 1e-300, 3.141592653589793]],
    ["string", "BYTES", ["a", "", "héllo", "x y"]],
  ];
  it.each(cases)("%s (%s)", async (type, datatype, data) => {
    const file = await writeOnnxFile(dir, `id-${type}.onnx`, identityModel(type, 2));
    const server = await serve(file, { maxBatchSize: 1 });
    const answer = await post(`${server.url}/v2/models/id-${type}/infer`, JSON.stringify({ inputs: [{ name: "x", shape: [2, 2], datatype, data }] }));
    expect(answer.status).toBe(200);
    const expectedData = type === "float32" ? Array.from(Float32Array.from(data as number[])) : data;
    expect((answer.json() as { outputs: unknown }).outputs).toEqual([{ name: "y", shape: [2, 2], datatype, data: expectedData }]);
    const metadata = (await (await fetch(`${server.url}/v2/models/id-${type}`)).json()) as { inputs: Array<{ datatype: string }> };
    expect(metadata.inputs[0]?.datatype).toBe(datatype);
    const mlflow = await post(`${server.url}/invocations`, JSON.stringify({ inputs: [data.slice(0, 2), data.slice(2)] }));
    expect(mlflow.json()).toEqual({ predictions: { y: [expectedData.slice(0, 2), expectedData.slice(2)] } });
  });
});

describe("/metrics of the standalone server", () => {
  it("counts requests, refused ones, batches and the model load under the model's name", async () => {
    const file = await writeOnnxFile(dir, "metered.onnx", logisticRegressionModel());
    const server = await serve(file);
    const infer = `${server.url}/v2/models/metered/infer`;
    const good = JSON.stringify({ inputs: [{ name: "x", shape: [1, 4], datatype: "FP32", data: rows[0] }] });
    for (let i = 0; i < 3; i += 1) expect((await post(infer, good)).status).toBe(200);
    expect((await post(`${server.url}/invocations`, JSON.stringify({ inputs: [rows[1]] }))).status).toBe(200);
    const wrongShape = JSON.stringify({ inputs: [{ name: "x", shape: [1, 3], datatype: "FP32", data: [1, 2, 3] }] });
    expect((await post(infer, wrongShape)).status).toBe(400);

    const response = await fetch(`${server.url}/metrics`);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toContain("text/plain");
    const text = await response.text();
    const sample = (name: string): number | undefined => {
      const line = text.split("\n").find((candidate) => candidate.startsWith(`${name} `));
      return line === undefined ? undefined : Number(line.slice(name.length + 1));
    };
    expect(sample('cairn_serving_requests_total{deployment="metered",version="1",protocol="oip"}')).toBe(3);
    expect(sample('cairn_serving_errors_total{deployment="metered",version="1",protocol="oip"}')).toBe(0);
    // The malformed request never reached a version: counted, as an error, under version "none".
    expect(sample('cairn_serving_requests_total{deployment="metered",version="none",protocol="oip"}')).toBe(1);
    expect(sample('cairn_serving_errors_total{deployment="metered",version="none",protocol="oip"}')).toBe(1);
    expect(sample('cairn_serving_requests_total{deployment="metered",version="1",protocol="mlflow"}')).toBe(1);
    expect(sample('cairn_serving_errors_total{deployment="metered",version="1",protocol="mlflow"}')).toBe(0);
    // Four requests reached the runtime one at a time: four runs of one row (the bad one was refused before).
    expect(sample('cairn_serving_batch_size_count{deployment="metered",version="1"}')).toBe(4);
    expect(sample('cairn_serving_batch_size_sum{deployment="metered",version="1"}')).toBe(4);
    expect(sample('cairn_serving_model_load_seconds_count{deployment="metered",version="1"}')).toBe(1);
  });
});
