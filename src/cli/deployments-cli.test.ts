import { spawn } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import * as ort from "onnxruntime-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CairnClient } from "../sdk/client.js";
import { startTempServer, type TempServer } from "../server/test-support/temp-server.js";
import { registerLogisticVersions } from "../serving/test-support/registered-models.js";
import { repoRoot, runCli, type CliResult } from "./test-support/run-cli.js";

/** `cairn deployments` and `cairn predict` as a user runs them: child processes against a real server. */
let server: TempServer;
let dir: string;
const modelFiles: string[] = [];
const row = [0.5, -1.25, 2, 0.75];

const cairn = (args: string[]): Promise<CliResult> => runCli(["--tracking-uri", server.url, "--user", "cli-test", ...args]);

const direct = async (version: 1 | 2, rows: number[][]): Promise<number[]> => {
  const session = await ort.InferenceSession.create(modelFiles[version - 1] as string);
  const out = await session.run({ x: new ort.Tensor("float32", Float32Array.from(rows.flat()), [rows.length, 4]) });
  await session.release();
  return Array.from(out.prob?.data as Float32Array);
};

beforeAll(async () => {
  server = await startTempServer("cairn-cli-deployments-");
  dir = await mkdtemp(path.join(tmpdir(), "cairn-cli-deployments-"));
  const client = new CairnClient({ trackingUri: server.url, user: "setup" });
  modelFiles.push(...(await registerLogisticVersions(client, dir, "fraud", [21, 22])));
});

afterAll(async () => {
  await server?.close();
  await rm(dir, { recursive: true, force: true });
});

describe("cairn deployments and cairn predict (process)", () => {
  it("creates, lists, canaries, promotes, rolls back and shows a deployment", async () => {
    const created = await cairn(["deployments", "create", "fraud-live", "models:/fraud@champion", "--max-batch-size", "16", "--sample-rate", "0.5"]);
    expect(created).toEqual({ code: 0, stdout: "Created deployment fraud-live serving models:/fraud@champion (version 1).\n", stderr: "" });

    const listed = await cairn(["deployments", "list", "--json"]);
    expect(listed.code).toBe(0);
    expect(JSON.parse(listed.stdout)).toMatchObject([{ name: "fraud-live", primary_version: "1", max_batch_size: 16, prediction_log_sample_rate: 0.5 }]);
    const table = await cairn(["deployments", "list"]);
    expect(table.stdout.split("\n")[0]).toMatch(/^NAME\s+STATE\s+MODEL\s+PRIMARY\s+CANARY\s+SHADOW\s+UPDATED \(UTC\)$/);
    expect(table.stdout.split("\n")[1]).toMatch(/^fraud-live\s+serving\s+models:\/fraud@champion\s+1\s+-\s+-\s+\d{4}-/);

    const canary = await cairn(["deployments", "canary", "fraud-live", "2", "--weight", "0.25", "--sticky"]);
    expect(canary).toEqual({ code: 0, stdout: "Deployment fraud-live: canary v2 25% sticky, primary version 1.\n", stderr: "" });
    const plain = await cairn(["deployments", "canary", "fraud-live", "2", "--weight", "0.5", "--no-sticky", "--json"]);
    expect(JSON.parse(plain.stdout)).toMatchObject({ primary_version: "1", canary: { version: "2", weight: 0.5, sticky: false } });
    const byDefault = await cairn(["deployments", "canary", "fraud-live", "2", "--weight", "0.5", "--json"]);
    expect(JSON.parse(byDefault.stdout)).toMatchObject({ canary: { version: "2", weight: 0.5, sticky: true } });
    expect(await cairn(["deployments", "promote", "fraud-live"])).toEqual({ code: 0, stdout: "Deployment fraud-live: version 2 is now the primary.\n", stderr: "" });
    expect(await cairn(["deployments", "rollback", "fraud-live"])).toEqual({
      code: 0,
      stdout: "Deployment fraud-live: rolled back; version 1 is the primary.\n",
      stderr: "",
    });

    const shown = await cairn(["deployments", "show", "fraud-live", "--json"]);
    const data = JSON.parse(shown.stdout) as { deployment: { primary_version: string }; history: { reason: string; actor: string }[] };
    expect(data.deployment.primary_version).toBe("1");
    expect(data.history.map((h) => h.reason)).toEqual(expect.arrayContaining(["create", "canary", "promote", "rollback"]));
    expect(data.history.every((h) => h.actor === "cli-test")).toBe(true);
    const human = await cairn(["deployments", "show", "fraud-live"]);
    expect(human.stdout).toMatch(/^Deployment fraud-live\n {2}model: +models:\/fraud@champion\n {2}primary: +version 1\n/);
    expect(human.stdout).toMatch(/History \(UTC\)\n {2}\d{4}-\d\d-\d\d \d\d:\d\d:\d\d: create \(primary\): - -> v1 {2}by cli-test\n/);
  });

  it("predicts from a JSON or CSV file over MLflow scoring and from an OIP request, with onnxruntime's answers", async () => {
    const expected = await direct(1, [row, row.map((v) => v * 2)]);
    const jsonFile = path.join(dir, "rows.json");
    await writeFile(jsonFile, JSON.stringify({ inputs: { x: [row, row.map((v) => v * 2)] } }));
    const json = await cairn(["predict", "fraud-live", "--input", jsonFile, "--json", "--request-id", "cli-req-1"]);
    expect(json.code).toBe(0);
    // With --json stdout is the data alone, and nothing is said on stderr; the serving version joins it when the server sends it.
    const parsed = JSON.parse(json.stdout) as Record<string, unknown>;
    expect(parsed).toMatchObject({ protocol: "mlflow", predictions: { prob: expected.map((p) => [p]) }, request_id: "cli-req-1" });
    expect(parsed.version ?? "1").toBe("1");
    expect(json.stderr).toBe("");

    const csvFile = path.join(dir, "rows.csv");
    await writeFile(csvFile, `a,b,c,d\n${row.join(",")}\n${row.map((v) => v * 2).join(",")}\n`);
    const csv = await cairn(["predict", "fraud-live", "--input", csvFile]);
    expect(csv.code).toBe(0);
    const round = (p: number): string => String(Number(p.toPrecision(6)));
    // A DataFrame input answers in records (as MLflow's ONNX flavor does): one column per output.
    expect(csv.stdout).toBe(`ROW  prob\n0    ${round(expected[0] as number)}\n1    ${round(expected[1] as number)}\n`);
    // What the table shows is said on stderr: the version that answered, how many predictions, and MLflow's form.
    expect(csv.stderr).toMatch(
      /^fraud-live: version 1 \(x-cairn-model-version\), 2 predictions; MLflow's output for a DataFrame input: records, one column per model output; an output with several values per row is flattened into that many records per row \(docs\/serving\.md\)\.\n$/,
    );

    const oipFile = path.join(dir, "infer.json");
    await writeFile(oipFile, JSON.stringify({ id: "cli-oip", inputs: [{ name: "x", shape: [1, 4], datatype: "FP32", data: row }] }));
    const oip = await cairn(["predict", "fraud-live", "--input", oipFile, "--protocol", "oip", "--json"]);
    expect(JSON.parse(oip.stdout)).toEqual({
      protocol: "oip",
      model_name: "fraud-live",
      model_version: "1",
      id: "cli-oip",
      outputs: [{ name: "prob", shape: [1, 1], datatype: "FP32", data: [expected[0]] }],
    });
    const oipTable = await cairn(["predict", "fraud-live", "--input", oipFile, "--protocol", "oip"]);
    expect(oipTable.stdout).toBe(`ROW  prob\n0    ${round(expected[0] as number)}\n`);
    expect(oipTable.stderr).toBe("fraud-live: version 1 (model_version), 1 prediction; Open Inference Protocol outputs: one column per output tensor, one line per index of its first dimension.\n");
  });

  it("updates a deployment's options and shows the shadow report, live and saved", async () => {
    const updated = await cairn(["deployments", "update", "fraud-live", "--max-batch-size", "8", "--max-latency-ms", "3", "--inference-worker"]);
    expect(updated).toEqual({
      code: 0,
      stdout: "Deployment fraud-live: max batch size 8, max latency 3 ms, log sample rate 50%, inference worker on, log max age server's, log max rows server's.\n",
      stderr: "",
    });
    const json = await cairn(["deployments", "update", "fraud-live", "--no-inference-worker", "--sample-rate", "1", "--json"]);
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout)).toMatchObject({ name: "fraud-live", max_batch_size: 8, max_latency_ms: 3, prediction_log_sample_rate: 1, inference_worker: false });
    expect(await cairn(["deployments", "update", "fraud-live"])).toEqual({
      code: 2,
      stdout: "",
      stderr: "cairn: error: give at least one of --max-batch-size, --max-latency-ms, --sample-rate, --inference-worker, --no-inference-worker, --log-max-age, --log-max-rows\n",
    });
    expect(await cairn(["deployments", "update", "fraud-live", "--log-max-age", "7d", "--log-max-rows", "250000"])).toEqual({
      code: 0,
      stdout: "Deployment fraud-live: max batch size 8, max latency 3 ms, log sample rate 100%, inference worker off, log max age 7d, log max rows 250000.\n",
      stderr: "",
    });
    expect(await cairn(["deployments", "update", "fraud-live", "--log-max-rows", "0"])).toEqual({
      code: 2,
      stdout: "",
      stderr: "cairn: error: --log-max-rows must be an integer from 1 to 1000000000, got '0'\n",
    });
    expect(await cairn(["deployments", "update", "fraud-live", "--max-latency-ms", "0"])).toEqual({
      code: 1,
      stdout: "",
      stderr: "cairn: error: INVALID_PARAMETER_VALUE: Invalid value 0 for parameter 'max_latency_ms': expected a positive number.\n",
    });
    const shown = await cairn(["deployments", "show", "fraud-live"]);
    expect(shown.stdout).toMatch(/\n {2}inference worker: +off\n {2}log max age: +7d\n {2}log max rows: +250000\n/);

    const worker = await cairn(["deployments", "create", "fraud-worker", "models:/fraud/2", "--inference-worker", "--json"]);
    expect(JSON.parse(worker.stdout)).toMatchObject({ name: "fraud-worker", primary_version: "2", inference_worker: true });
    expect((await cairn(["deployments", "delete", "fraud-worker"])).code).toBe(0);

    expect((await cairn(["deployments", "shadow", "fraud-live", "2", "--share", "1"])).code).toBe(0);
    const client = new CairnClient({ trackingUri: server.url, user: "setup" });
    for (let i = 0; i < 4; i += 1) await client.serving.infer("fraud-live", { inputs: [{ name: "x", shape: [1, 4], datatype: "FP32", data: row }] });
    for (let attempt = 0; attempt < 50 && (await client.serving.shadowReport("fraud-live")).compared !== 4; attempt += 1) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const live = JSON.parse((await cairn(["deployments", "shadow-report", "fraud-live", "--json"])).stdout) as Record<string, unknown>;
    expect(live).toMatchObject({ deployment: "fraud-live", primary_version: "1", candidate_version: "2", share: 1, mirrored: 4, compared: 4, candidate_errors: 0 });
    const human = await cairn(["deployments", "shadow-report", "fraud-live"]);
    expect(human.stdout).toMatch(/^Shadow report of fraud-live\n {2}deployment: +"fraud-live"\n/);
    expect(human.stdout).toMatch(/\n {2}compared: +4\n/);

    // Dropping the shadow saves its comparison; --all lists the saved ones.
    expect((await cairn(["deployments", "rollback", "fraud-live"])).code).toBe(0);
    const all = await cairn(["deployments", "shadow-report", "fraud-live", "--all", "--json"]);
    // Each saved comparison is combined across replicas: here one server, one part.
    expect(JSON.parse(all.stdout)).toEqual([
      { ...live, updated_timestamp: expect.any(Number), replicas: 1, parts: [{ replica: expect.any(String), updated_timestamp: expect.any(Number), released: false }] },
    ]);
    const table = await cairn(["deployments", "shadow-report", "fraud-live", "--all"]);
    const lines = table.stdout.split("\n");
    expect(lines[0]).toMatch(/^SINCE \(UTC\)\s+PRIMARY\s+CANDIDATE\s+SHARE\s+MIRRORED\s+COMPARED\s+AGREEMENT\s+SAVED \(UTC\)$/);
    expect(lines[1]).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\s+v1\s+v2\s+100%\s+4\s+4\s+[\d.]+\s+\d{4}-/);
  }, 90_000);

  it("cairn serve models:/ resolves the alias through --tracking-uri and serves that version", async () => {
    const { CAIRN_TRACKING_URI: _c, MLFLOW_TRACKING_URI: _m, ...base } = process.env;
    const child = spawn(
      process.execPath,
      ["--import", "tsx", path.join(repoRoot, "src/cli/main.ts"), "--tracking-uri", server.url, "serve", "models:/fraud@champion", "--port", "0"],
      { cwd: repoRoot, env: { ...base, TMPDIR: dir }, stdio: ["ignore", "pipe", "pipe"] },
    );
    let stdout = "";
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.once("close", (code) => resolve(code)));
    const url = await new Promise<string>((resolve, reject) => {
      child.stdout.on("data", (chunk: Buffer) => {
        stdout += chunk.toString();
        const match = /^Serving models:\/fraud@champion at (http:\/\/\S+) /.exec(stdout);
        if (match?.[1]) resolve(match[1]);
      });
      child.once("exit", (code) => reject(new Error(`cairn serve exited with ${code}: ${stderr}`)));
    });
    try {
      const answer = await fetch(`${url}/v2/models/fraud/infer`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ inputs: [{ name: "x", shape: [1, 4], datatype: "FP32", data: row }] }),
      });
      expect(await answer.json()).toMatchObject({ model_name: "fraud", model_version: "1", outputs: [{ name: "prob", data: await direct(1, [row]) }] });
    } finally {
      child.kill("SIGTERM");
    }
    expect(await exited).toBe(0);
  });

  it("prints one error line: exit 1 for a server refusal, 2 for a bad flag", async () => {
    const badShape = path.join(dir, "bad.json");
    await writeFile(badShape, JSON.stringify({ inputs: [{ name: "x", shape: [1, 3], datatype: "FP32", data: [1, 2, 3] }] }));
    const refused = await cairn(["predict", "fraud-live", "--input", badShape, "--protocol", "oip"]);
    expect(refused.code).toBe(1);
    expect(refused.stdout).toBe("");
    expect(refused.stderr).toMatch(/^cairn: error: HTTP_400: .*'x'.*\n$/);

    const missing = await cairn(["deployments", "show", "nope"]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/^cairn: error: RESOURCE_DOES_NOT_EXIST: .*nope.*\n$/);

    const badWeight = await cairn(["deployments", "canary", "fraud-live", "2", "--weight", "50"]);
    expect(badWeight).toEqual({ code: 2, stdout: "", stderr: "cairn: error: --weight must be a number from 0 to 1, got '50'\n" });

    expect(await cairn(["deployments", "delete", "fraud-live"])).toEqual({ code: 0, stdout: "Deleted deployment fraud-live.\n", stderr: "" });
  });
});
