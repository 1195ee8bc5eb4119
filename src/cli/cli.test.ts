import { spawn } from "node:child_process";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CAIRN_VERSION } from "../core/version.js";
import type { Experiment, FileInfo, Run } from "../protocol/mlflow/entities.js";
import { CairnClient } from "../sdk/client.js";
import { CairnApiError } from "../sdk/errors.js";
import { unusedPort } from "../sdk/test-support/recording-server.js";
import { startTempServer, type TempServer } from "../server/test-support/temp-server.js";
import { repoRoot, runCli, type CliResult } from "./test-support/run-cli.js";

let tmp: string;
let server: TempServer;
let client: CairnClient;
let deadUri: string;

/** Runs the real CLI in a child process, with no tracking variables inherited from this shell. */
const cli = (args: string[], env: Record<string, string> = {}, cwd = repoRoot): Promise<CliResult> => runCli(args, { env, cwd });

/** The CLI against the test server. */
const cairn = (...args: string[]): Promise<CliResult> => cli(["--tracking-uri", server.url, ...args]);

beforeAll(async () => {
  server = await startTempServer("cairn-cli-");
  tmp = server.dir;
  client = new CairnClient({ trackingUri: server.url });
  deadUri = `http://127.0.0.1:${await unusedPort()}`;
});

afterAll(async () => {
  await server?.close();
});

describe("cairn experiments", () => {
  it("creates, lists (JSON and table), deletes and restores", async () => {
    const created = await cairn("experiments", "create", "cli-exp", "--json");
    expect(created.code).toBe(0);
    const { experiment_id: id, name } = JSON.parse(created.stdout) as { experiment_id: string; name: string };
    expect(name).toBe("cli-exp");
    expect((await client.experiments.get(id)).name).toBe("cli-exp");

    const listed = await cairn("experiments", "list", "--json");
    expect(listed.code).toBe(0);
    const experiments = JSON.parse(listed.stdout) as Experiment[];
    expect(experiments.map((e) => [e.experiment_id, e.name, e.lifecycle_stage]).sort()).toEqual([
      ["0", "Default", "active"],
      [id, "cli-exp", "active"],
    ]);

    const table = await cairn("experiments", "list");
    const lines = table.stdout.trimEnd().split("\n");
    expect(lines[0]).toMatch(/^ID {2}NAME {5}STAGE {3}CREATED \(UTC\) {8}ARTIFACT LOCATION$/);
    const row = lines.find((line) => line.includes("cli-exp")) ?? "";
    expect(row.indexOf("cli-exp")).toBe(lines[0]?.indexOf("NAME"));
    expect(row.indexOf("active")).toBe(lines[0]?.indexOf("STAGE"));
    expect(row.endsWith(`mlflow-artifacts:/${id}`)).toBe(true);
    expect(table.stdout).not.toContain("\u001b[");

    const deleted = await cairn("experiments", "delete", id);
    expect(deleted).toEqual({ code: 0, stdout: `Deleted experiment ${id}.\n`, stderr: "" });
    expect((await client.experiments.get(id)).lifecycle_stage).toBe("deleted");
    const deletedList = JSON.parse((await cairn("experiments", "list", "--view", "deleted", "--json")).stdout) as Experiment[];
    expect(deletedList.map((e) => e.experiment_id)).toEqual([id]);
    const restored = await cairn("experiments", "restore", id, "--json");
    expect(JSON.parse(restored.stdout)).toEqual({ experiment_id: id, lifecycle_stage: "active" });
  });
});

describe("cairn runs", () => {
  it("lists with experiment name, filter, order and limit; shows; deletes", async () => {
    const experimentId = await client.experiments.create({ name: "cli-runs" });
    const ids: string[] = [];
    for (let i = 0; i < 4; i += 1) {
      const run = await client.runs.create({ experimentId, runName: `run-${i}`, startTime: 1_700_000_000_000 + i * 1000 });
      await client.runs.logMetric(run.info.run_id, "acc", i / 10, { step: 1, timestamp: 5 });
      await client.runs.logParam(run.info.run_id, "lr", `0.${i}`);
      ids.push(run.info.run_id);
    }
    await client.runs.update(ids[0] ?? "", { status: "FINISHED", endTime: 1_700_000_125_000 });

    const filtered = await cairn("runs", "list", "--experiment", "cli-runs", "--filter", "metrics.acc >= 0.1", "--order-by", "metrics.acc ASC", "--json");
    expect(filtered.code).toBe(0);
    expect((JSON.parse(filtered.stdout) as Run[]).map((r) => r.info.run_name)).toEqual(["run-1", "run-2", "run-3"]);

    const limited = await cairn("runs", "list", "--experiment", experimentId, "--max-results", "2", "--json");
    expect((JSON.parse(limited.stdout) as Run[]).map((r) => r.info.run_name)).toEqual(["run-3", "run-2"]);

    const table = await cairn("runs", "list", "--experiment", "cli-runs");
    const lines = table.stdout.trimEnd().split("\n");
    expect(lines[0]).toBe("RUN ID                            NAME   EXPERIMENT  STATUS    STARTED (UTC)        DURATION");
    expect(lines[4]).toBe(`${ids[0]}  run-0  ${experimentId.padEnd(10)}  FINISHED  2023-11-14 22:13:20  2m 05s`);
    expect(lines).toHaveLength(5);

    const shown = await cairn("runs", "show", ids[2] ?? "", "--json");
    const run = JSON.parse(shown.stdout) as Run;
    expect(run.info.run_id).toBe(ids[2]);
    expect(run.data.params).toEqual([{ key: "lr", value: "0.2" }]);
    expect(run.data.metrics).toEqual([{ key: "acc", value: 0.2, timestamp: 5, step: 1 }]);

    const human = await cairn("runs", "show", ids[2] ?? "");
    expect(human.stdout).toContain(`Run ${ids[2]}\n  name:          run-2\n`);
    expect(human.stdout).toContain("Params\n  lr: 0.2\n\nMetrics (latest)\n  acc: 0.2 (step 1)\n");

    expect(await cairn("runs", "delete", ids[3] ?? "")).toEqual({ code: 0, stdout: `Deleted run ${ids[3]}.\n`, stderr: "" });
    const deleted = JSON.parse((await cairn("runs", "list", "--experiment", "cli-runs", "--view", "deleted", "--json")).stdout) as Run[];
    expect(deleted.map((r) => r.info.run_id)).toEqual([ids[3]]);
  });
});

describe("cairn artifacts", () => {
  it("uploads a folder, lists it, and downloads it back", async () => {
    const run = await client.runs.create({ experimentId: "0" });
    const runId = run.info.run_id;
    const src = path.join(tmp, "upload");
    await mkdir(path.join(src, "sub"), { recursive: true });
    await writeFile(path.join(src, "a.txt"), "alpha");
    await writeFile(path.join(src, "sub", "b.txt"), "bravo!");

    const uploaded = await cairn("artifacts", "upload", runId, src, "--artifact-path", "out", "--json");
    expect(uploaded.code).toBe(0);
    expect(JSON.parse(uploaded.stdout)).toEqual({
      run_id: runId,
      artifact_uri: `mlflow-artifacts:/0/${runId}/artifacts/out`,
      uploaded: ["out/a.txt", "out/sub/b.txt"],
      uris: [`mlflow-artifacts:/0/${runId}/artifacts/out/a.txt`, `mlflow-artifacts:/0/${runId}/artifacts/out/sub/b.txt`],
    });

    const listed = await cairn("artifacts", "list", runId, "out", "--json");
    expect(JSON.parse(listed.stdout) as FileInfo[]).toEqual([
      { path: "out/a.txt", is_dir: false, file_size: 5 },
      { path: "out/sub", is_dir: true },
    ]);
    const table = await cairn("artifacts", "list", runId, "out");
    expect(table.stdout).toBe("PATH       TYPE  SIZE\nout/a.txt  file  5 B\nout/sub    dir   -\n");

    const dest = path.join(tmp, "down");
    const downloaded = await cairn("artifacts", "download", runId, "--dest", dest, "--json");
    expect(downloaded.code).toBe(0);
    expect(JSON.parse(downloaded.stdout)).toEqual({ run_id: runId, files: [path.join(dest, "out/a.txt"), path.join(dest, "out/sub/b.txt")] });
    expect(await readFile(path.join(dest, "out", "sub", "b.txt"), "utf8")).toBe("bravo!");

    const missing = await cairn("artifacts", "download", runId, "--dest", dest, "nothing.txt");
    expect(missing.code).toBe(1);
    expect(missing.stderr).toBe(`cairn: error: RESOURCE_DOES_NOT_EXIST: No artifact 'nothing.txt' in run ${runId}\n`);
  });
});

describe("errors and exit codes", () => {
  it("prints the server's error as one line and exits 1", async () => {
    const expected = (await client.runs.get("nope").then(
      () => undefined,
      (e: unknown) => e,
    )) as CairnApiError;
    const result = await cairn("runs", "show", "nope");
    expect(result).toEqual({ code: 1, stdout: "", stderr: `cairn: error: ${expected.errorCode}: ${expected.message}\n` });
    expect(expected.errorCode).toBe("RESOURCE_DOES_NOT_EXIST");
  });

  it("exits 2 on a usage error and 3 when the server is unreachable", async () => {
    expect(await cairn("runs", "list", "--max-results", "0")).toEqual({
      code: 2,
      stdout: "",
      stderr: "cairn: error: --max-results must be an integer from 1 to 50000, got '0'\n",
    });
    expect(await cairn("runs", "list", "--view", "gone")).toMatchObject({ code: 2, stderr: "cairn: error: --view must be one of active, deleted, all; got 'gone'\n" });
    expect(await cairn("experiments", "create")).toEqual({ code: 2, stdout: "", stderr: "cairn: error: missing required argument 'name'\n" });
    expect(await cairn("nosuch")).toMatchObject({ code: 2, stderr: "cairn: error: unknown command 'nosuch'\n" });
    const unreachable = await cli(["--tracking-uri", deadUri, "experiments", "list"]);
    expect(unreachable).toEqual({
      code: 3,
      stdout: "",
      stderr: `cairn: error: cannot reach ${deadUri} (POST /api/2.0/mlflow/experiments/search): ECONNREFUSED\n`,
    });
  });

  it("refuses a tracking URI that is not an http(s) URL as a usage error naming where it came from", async () => {
    expect(await cli(["--tracking-uri", "notaurl", "experiments", "list"])).toEqual({
      code: 2,
      stdout: "",
      stderr: "cairn: error: --tracking-uri: trackingUri 'notaurl' is not a URL (expected e.g. http://127.0.0.1:5000)\n",
    });
    expect(await cli(["experiments", "list"], { MLFLOW_TRACKING_URI: "ftp://host" })).toEqual({
      code: 2,
      stdout: "",
      stderr: "cairn: error: MLFLOW_TRACKING_URI: trackingUri 'ftp://host' must be an http:// or https:// URL\n",
    });
  });

  it("chooses the server by --tracking-uri, then CAIRN_TRACKING_URI, then MLFLOW_TRACKING_URI", async () => {
    expect((await cli(["experiments", "list", "--json"], { MLFLOW_TRACKING_URI: server.url })).code).toBe(0);
    const cairnWins = await cli(["experiments", "list"], { CAIRN_TRACKING_URI: deadUri, MLFLOW_TRACKING_URI: server.url });
    expect(cairnWins.code).toBe(3);
    expect(cairnWins.stderr).toContain(`cannot reach ${deadUri}`);
    expect((await cli(["--tracking-uri", server.url, "experiments", "list"], { CAIRN_TRACKING_URI: deadUri })).code).toBe(0);
  });

  it("prints --version and --help with exit 0", async () => {
    expect(await cli(["--version"])).toEqual({ code: 0, stdout: `${CAIRN_VERSION}\n`, stderr: "" });
    const help = await cli(["artifacts", "download", "--help"]);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain("Usage: cairn artifacts download [options] <run-id> [path]");
    expect(help.stdout).toContain("--dest <dir>");
  });
});

describe("cairn server", () => {
  it("serves on the given port with the given stores and stops cleanly on SIGTERM", async () => {
    const port = await unusedPort();
    const dataDir = path.join(tmp, "served");
    const child = spawn(
      process.execPath,
      ["--import", "tsx", path.join(repoRoot, "src/cli/main.ts"), "server", "--port", String(port), "--backend-store-uri", `sqlite:///${dataDir}/db.sqlite`, "--artifacts-destination", `${dataDir}/art`],
      { cwd: repoRoot, stdio: ["ignore", "pipe", "pipe"] },
    );
    const exited = new Promise<number | null>((resolve) => child.once("close", (code) => resolve(code)));
    const url = `http://127.0.0.1:${port}`;
    let health = "";
    for (let attempt = 0; attempt < 100 && health !== "OK"; attempt += 1) {
      health = await fetch(`${url}/health`).then((r) => r.text()).catch(() => "");
      if (health !== "OK") await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(health).toBe("OK");
    const served = new CairnClient({ trackingUri: url });
    expect((await served.experiments.get("0")).artifact_location).toBe("mlflow-artifacts:/0");
    child.kill("SIGTERM");
    expect(await exited).toBe(0);
    expect((await readFile(`${dataDir}/db.sqlite`)).length).toBeGreaterThan(0);
  });

  it("refuses a non-loopback --host without auth, naming --insecure-no-auth, with exit 2", async () => {
    const result = await cli(["server", "--host", "0.0.0.0", "--port", "0"]);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe("");
    expect(result.stderr).toBe(
      "cairn: error: INVALID_PARAMETER_VALUE: refusing to listen on '0.0.0.0' without --auth: anyone who can reach " +
        "this address could change or delete every experiment, model and deployment. Pass --auth, listen on 127.0.0.1 (behind an authenticating proxy), " +
        "or pass --insecure-no-auth to accept that risk\n",
    );
  });

  it("refuses a bad --port with exit 2", async () => {
    const result = await cli(["server", "--port", "70000"]);
    expect(result).toEqual({ code: 2, stdout: "", stderr: "cairn: error: INVALID_PARAMETER_VALUE: --port must be an integer from 0 to 65535, got '70000'\n" });
  });
});
