import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTempServer, type TempServer } from "../../server/test-support/temp-server.js";
import { dataObjectKey } from "./data-object-key.js";
import {
  MODEL_HASH,
  PREPARED_FILES,
  PREPARED_HASH,
  RAW_BYTES,
  RAW_HASH,
  dataInput,
  mlflowPost,
  seedPipeline,
  type SeededPipeline,
} from "./test-support/pipeline-seed.js";

/** The data version read routes against a real server seeded over MLflow's REST API as the tracker writes. */
let server: TempServer;
let seeded: SeededPipeline;

const get = async (query: string): Promise<{ status: number; body: any }> => {
  const response = await fetch(`${server.url}/api/2.0/cairn/${query}`);
  return { status: response.status, body: await response.json() };
};
const mlflow = (apiPath: string, body: unknown): Promise<any> => mlflowPost(server.url, apiPath, body);

const runView = (runId: string, runName: string, startOffset: number, name: string, stage?: string, status = "FINISHED") => ({
  run_id: runId,
  run_name: runName,
  experiment_id: seeded.experimentId,
  experiment_name: "churn-pipeline",
  status,
  start_time: 1_700_000_000_000 + startOffset,
  name,
  ...(stage === undefined ? {} : { stage }),
});

beforeAll(async () => {
  server = await startTempServer("cairn-data-versions-");
  seeded = await seedPipeline(server);
}, 60_000);
afterAll(async () => server.close());

describe("GET data/versions/get", () => {
  it("answers a directory version: names, size and files from the stored manifest, its runs and the model versions downstream", async () => {
    expect(await get(`data/versions/get?hash=${PREPARED_HASH}`)).toEqual({
      status: 200,
      body: {
        data_version: {
          hash: PREPARED_HASH,
          short_hash: PREPARED_HASH.slice(0, 12),
          is_dir: true,
          size: 10,
          nfiles: 2,
          names: ["data/prepared"],
          files_state: "ok",
          files: PREPARED_FILES,
          produced_by: [runView(seeded.prepareRunId, "prepare", 1000, "data/prepared", "prepare")],
          used_by: [runView(seeded.trainRunId, "train", 2000, "data/prepared", "train")],
          model_versions: [{ name: "churn", version: seeded.version, run_id: seeded.trainRunId }],
        },
      },
    });
  });

  it("pages the files (at most max_files per page) with the shared page token", async () => {
    const first = await get(`data/versions/get?hash=${PREPARED_HASH}&max_files=1`);
    expect(first.body.data_version.files).toEqual([PREPARED_FILES[0]]);
    const token = first.body.data_version.next_page_token as string;
    expect(typeof token).toBe("string");
    const second = await get(`data/versions/get?hash=${PREPARED_HASH}&max_files=1&page_token=${token}`);
    expect(second.body.data_version.files).toEqual([PREPARED_FILES[1]]);
    expect(second.body.data_version.next_page_token).toBeUndefined();
  });

  it("answers a file version (size from the recorded profile) and a directory whose manifest the server does not hold", async () => {
    expect((await get(`data/versions/get?hash=${RAW_HASH}`)).body.data_version).toEqual({
      hash: RAW_HASH,
      short_hash: RAW_HASH.slice(0, 12),
      is_dir: false,
      size: RAW_BYTES.length,
      names: ["data/raw.csv"],
      files_state: "not-a-directory",
      files: [],
      produced_by: [],
      used_by: [runView(seeded.prepareRunId, "prepare", 1000, "data/raw.csv", "prepare")],
      model_versions: [{ name: "churn", version: seeded.version, run_id: seeded.trainRunId }],
    });
    expect((await get(`data/versions/get?hash=${MODEL_HASH}`)).body.data_version).toEqual({
      hash: MODEL_HASH,
      short_hash: MODEL_HASH.slice(0, 12),
      is_dir: true,
      size: 2,
      nfiles: 1,
      names: ["model"],
      files_state: "absent",
      files: [],
      produced_by: [runView(seeded.trainRunId, "train", 2000, "model", "train")],
      used_by: [runView(seeded.evaluateRunId, "evaluate", 3000, "model", "evaluate", "FAILED")],
      model_versions: [{ name: "churn", version: seeded.version, run_id: seeded.trainRunId }],
    });
  });

  it("does not list a manifest whose bytes do not hash to its name", async () => {
    const hash = `${"c".repeat(64)}.dir`;
    const file = path.join(server.dir, "artifacts", ...dataObjectKey(hash).split("/"));
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(file, "[]");
    const answer = (await get(`data/versions/get?hash=${hash}`)).body.data_version;
    expect([answer.files_state, answer.files, answer.size, answer.names]).toEqual(["invalid", [], undefined, []]);
  });

  it("refuses a malformed hash, bound or token naming the field, and answers 404 for a version nobody recorded", async () => {
    const refused = async (query: string, field: string) => {
      const answer = await get(query);
      expect(answer.status, query).toBe(400);
      expect(answer.body.error_code, query).toBe("INVALID_PARAMETER_VALUE");
      expect(answer.body.message, query).toContain(`'${field}'`);
    };
    await refused("data/versions/get", "hash");
    await refused("data/versions/get?hash=abc", "hash");
    await refused(`data/versions/get?hash=${"A".repeat(64)}`, "hash");
    await refused(`data/versions/get?hash=${"a".repeat(64)}.DIR`, "hash");
    await refused(`data/versions/get?hash=..%2F..%2Fetc%2Fpasswd`, "hash");
    await refused(`data/versions/get?hash=${"a".repeat(10_000)}`, "hash");
    await refused(`data/versions/get?hash=${PREPARED_HASH}&max_files=0`, "max_files");
    await refused(`data/versions/get?hash=${PREPARED_HASH}&max_files=1001`, "max_files");
    await refused(`data/versions/get?hash=${PREPARED_HASH}&max_files=x`, "max_files");
    await refused(`data/versions/get?hash=${PREPARED_HASH}&page_token=nope!`, "page_token");
    expect(await get(`data/versions/get?hash=${"d".repeat(64)}`)).toEqual({
      status: 404,
      body: { error_code: "RESOURCE_DOES_NOT_EXIST", message: `Data version '${"d".repeat(64)}' not found` },
    });
  });
});

describe("GET data/versions/runs", () => {
  it("pages the runs that used a version, newest first, without deleted runs; and the runs that produced it", async () => {
    const extra: string[] = [];
    for (const offset of [10_000, 11_000, 12_000]) {
      const created = await mlflow("runs/create", { experiment_id: "0", run_name: `reader-${offset}`, start_time: 1_700_000_000_000 + offset });
      const runId = created.run.info.run_id as string;
      await mlflow("runs/log-inputs", { run_id: runId, datasets: [dataInput("prepared", PREPARED_HASH, "cairn.input")] });
      extra.push(runId);
    }
    await mlflow("runs/delete", { run_id: extra[2] });
    const reader = (index: number) => ({
      run_id: extra[index],
      run_name: `reader-${10_000 + 1000 * index}`,
      experiment_id: "0",
      experiment_name: "Default",
      status: "RUNNING",
      start_time: 1_700_000_010_000 + 1000 * index,
      name: "prepared",
    });
    const first = await get(`data/versions/runs?hash=${PREPARED_HASH}&relation=used&max_results=2`);
    expect(first.status).toBe(200);
    expect(first.body.runs).toEqual([reader(1), reader(0)]);
    const second = await get(`data/versions/runs?hash=${PREPARED_HASH}&relation=used&max_results=2&page_token=${first.body.next_page_token}`);
    expect(second.body).toEqual({ runs: [runView(seeded.trainRunId, "train", 2000, "data/prepared", "train")] });
    expect((await get(`data/versions/runs?hash=${PREPARED_HASH}&relation=produced`)).body).toEqual({
      runs: [runView(seeded.prepareRunId, "prepare", 1000, "data/prepared", "prepare")],
    });
    // The version's own answer shows the first page of each list and names the second.
    const version = (await get(`data/versions/get?hash=${PREPARED_HASH}`)).body.data_version;
    expect(version.names).toEqual(["data/prepared", "prepared"]);
    expect(version.used_by.map((run: { run_id: string }) => run.run_id)).toEqual([extra[1], extra[0], seeded.trainRunId]);
    for (const runId of extra.slice(0, 2)) await mlflow("runs/delete", { run_id: runId });
  });

  it("refuses a malformed hash, relation, bound or token naming the field", async () => {
    for (const [query, field] of [
      ["data/versions/runs?relation=used", "hash"],
      [`data/versions/runs?hash=${PREPARED_HASH}`, "relation"],
      [`data/versions/runs?hash=${PREPARED_HASH}&relation=both`, "relation"],
      [`data/versions/runs?hash=${PREPARED_HASH}&relation=used&max_results=1001`, "max_results"],
      [`data/versions/runs?hash=${PREPARED_HASH}&relation=used&max_results=-1`, "max_results"],
      [`data/versions/runs?hash=${PREPARED_HASH}&relation=used&page_token=${"x".repeat(300)}`, "page_token"],
    ] as const) {
      const answer = await get(query);
      expect(answer.status, query).toBe(400);
      expect(answer.body.message, query).toContain(`'${field}'`);
    }
  });
});
