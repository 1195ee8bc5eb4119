import { writeFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CairnClient } from "../sdk/client.js";
import { startTempServer, type TempServer } from "../server/test-support/temp-server.js";
import { runCli, type CliResult } from "./test-support/run-cli.js";

/** `cairn data profiles ...` as a user runs them: child processes against a real server with a real SQLite file. */
let server: TempServer;
let client: CairnClient;
let runId: string;
let csv: string;

const cairn = (...args: string[]): Promise<CliResult> => runCli(["--tracking-uri", server.url, "--user", "cli-test", ...args]);

beforeAll(async () => {
  server = await startTempServer("cairn-cli-profiles-");
  client = new CairnClient({ trackingUri: server.url, user: "setup" });
  runId = (await client.runs.create({ experimentId: "0" })).info.run_id;
  csv = path.join(server.dir, "train.csv");
  await writeFile(csv, ["age,city", "31,Oslo", "45,Lima", "27,Oslo", "52,Pune"].join("\n") + "\n");
  await client.registry.createModel({ name: "churn" });
  await client.registry.createVersion({ name: "churn", source: `runs:/${runId}/model`, runId });
  await client.registry.createVersion({ name: "churn", source: `runs:/${runId}/model`, runId });
});

afterAll(async () => {
  await server?.close();
});

describe("cairn data profiles (process)", () => {
  it("attaches a data file's profile to a run, shows it, makes it a version's training profile and shows that", async () => {
    const uri = `runs:/${runId}/profiles/training.json`;
    expect(await cairn("data", "profiles", "attach", runId, "training", "--data", csv)).toEqual({
      code: 0,
      stdout: `Attached profile 'training' (4 rows, 2 columns) to run ${runId}: ${uri}\n`,
      stderr: "",
    });
    const run = await client.runs.get(runId);
    expect(run.data.tags).toContainEqual({ key: "cairn.profile.training", value: "profiles/training.json" });

    const shown = await cairn("data", "profiles", "show", runId, "training", "--json");
    expect(shown.code, shown.stderr).toBe(0);
    expect(JSON.parse(shown.stdout)).toMatchObject({ schema_version: 1, row_count: 4, columns: [{ name: "age" }, { name: "city" }] });
    const table = (await cairn("data", "profiles", "show", runId, "training")).stdout.split("\n");
    expect(table[0]).toBe(`Profile 'training' of run ${runId}: 4 rows`);
    expect(table[1]).toMatch(/^COLUMN +TYPE +MISSING +DISTINCT +MIN +MAX +MEAN +STD +MEDIAN +TOP VALUES$/);
    expect(table[2]).toMatch(/^age +BIGINT +0 \(0%\) +4 +27 +52 +38\.75 /);

    expect(await cairn("data", "profiles", "set-training", "churn", "1", "training", "--json")).toEqual({
      code: 0,
      stdout: `${JSON.stringify({ name: "churn", version: "1", profile_name: "training", uri }, null, 2)}\n`,
      stderr: "",
    });
    expect((await client.registry.getVersion("churn", "1")).tags).toContainEqual({ key: "cairn.training_profile", value: uri });
    const training = await cairn("data", "profiles", "training", "churn", "1");
    expect(training.code, training.stderr).toBe(0);
    expect(training.stdout.split("\n")[0]).toBe("Training profile of churn version 1: 4 rows");
    expect(training.stdout).toMatch(/\ncity +VARCHAR +0 \(0%\) +3 +- +- +- +- +- +Oslo \(2\), Lima \(1\), Pune \(1\)\n/);
  });

  it("attaches a profile JSON written by `cairn data profile --json`, with --run-id naming the run for set-training", async () => {
    const other = (await client.runs.create({ experimentId: "0" })).info.run_id;
    const profiled = await cairn("data", "profile", csv, "--json");
    const file = path.join(server.dir, "profile.json");
    await writeFile(file, profiled.stdout);
    expect((await cairn("data", "profiles", "attach", other, "holdout", "--profile", file)).code).toBe(0);
    expect(await cairn("data", "profiles", "set-training", "churn", "2", "holdout", "--run-id", other)).toEqual({
      code: 0,
      stdout: `The training profile of churn version 2 is now runs:/${other}/profiles/holdout.json.\n`,
      stderr: "",
    });
    expect(JSON.parse((await cairn("data", "profiles", "training", "churn", "2", "--json")).stdout)).toEqual(JSON.parse(profiled.stdout));
  });

  it("fails with the message: no training profile, a profile not attached, a bad profile, both or neither source", async () => {
    await client.registry.createVersion({ name: "churn", source: `runs:/${runId}/model`, runId });
    expect(await cairn("data", "profiles", "training", "churn", "3")).toEqual({
      code: 1,
      stdout: "",
      stderr: "cairn: error: RESOURCE_DOES_NOT_EXIST: model version churn v3 has no training profile (tag cairn.training_profile)\n",
    });
    expect(await cairn("data", "profiles", "set-training", "churn", "3", "nothing")).toEqual({
      code: 1,
      stdout: "",
      stderr: `cairn: error: RESOURCE_DOES_NOT_EXIST: run ${runId} has no profile artifact profiles/nothing.json\n`,
    });
    const bad = path.join(server.dir, "bad.json");
    await writeFile(bad, JSON.stringify({ schema_version: 7 }));
    expect(await cairn("data", "profiles", "attach", runId, "bad", "--profile", bad)).toEqual({
      code: 1,
      stdout: "",
      stderr: "cairn: error: INVALID_PARAMETER_VALUE: profile.schema_version must be 1, got 7\n",
    });
    await writeFile(bad, "{not json");
    const notJson = await cairn("data", "profiles", "attach", runId, "bad", "--profile", bad);
    expect(notJson.code).toBe(2);
    expect(notJson.stderr).toMatch(/^cairn: error: --profile: '.*bad\.json' is not valid JSON: /);
    const usage = "cairn: error: give exactly one of --profile FILE.json (a profile JSON) or --data FILE (a data file profiled now)\n";
    expect(await cairn("data", "profiles", "attach", runId, "x")).toEqual({ code: 2, stdout: "", stderr: usage });
    expect(await cairn("data", "profiles", "attach", runId, "x", "--profile", bad, "--data", csv)).toEqual({ code: 2, stdout: "", stderr: usage });
    expect((await cairn("data", "profiles", "training", "churn", "v1")).stderr).toBe("cairn: error: VERSION must be a version number (1, 2, 3...), got 'v1'\n");
  });
});
