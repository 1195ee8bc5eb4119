import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CairnClient } from "../sdk/client.js";
import { startTempServer, type TempServer } from "../server/test-support/temp-server.js";
import { runCli, type CliResult } from "./test-support/run-cli.js";

/**
 * A mutating command that changes nothing because nothing matched exits 1 with a message, never a success line:
 * the server (like MLflow) answers success for removing an alias that is not set or deleting a deleted run.
 */
let server: TempServer;
let client: CairnClient;

const cairn = (...args: string[]): Promise<CliResult> => runCli(["--tracking-uri", server.url, "--user", "cli-test", ...args]);

beforeAll(async () => {
  server = await startTempServer("cairn-cli-nothing-");
  client = new CairnClient({ trackingUri: server.url, user: "setup" });
});

afterAll(async () => {
  await server?.close();
});

describe("commands that change nothing (process)", () => {
  it("models unalias of an alias that is not set exits 1 and names the aliases that are", async () => {
    const runId = (await client.runs.create({ experimentId: "0" })).info.run_id;
    expect((await cairn("models", "register", "nothing-m", `runs:/${runId}/model`)).code).toBe(0);
    expect(await cairn("models", "unalias", "nothing-m", "champion")).toEqual({
      code: 1,
      stdout: "",
      stderr: "cairn: error: model nothing-m has no alias 'champion' (it has no aliases); nothing removed\n",
    });
    expect((await cairn("models", "alias", "nothing-m", "champion", "1")).code).toBe(0);
    expect(await cairn("models", "unalias", "nothing-m", "champoin")).toEqual({
      code: 1,
      stdout: "",
      stderr: "cairn: error: model nothing-m has no alias 'champoin' (its aliases: champion); nothing removed\n",
    });
    expect((await client.registry.getModel("nothing-m")).aliases).toEqual([{ alias: "champion", version: "1" }]);
    expect(await cairn("models", "unalias", "nothing-m", "champion")).toEqual({ code: 0, stdout: "Removed alias champion of nothing-m.\n", stderr: "" });
  });

  it("runs delete of a run already deleted exits 1", async () => {
    const runId = (await client.runs.create({ experimentId: "0" })).info.run_id;
    expect(await cairn("runs", "delete", runId)).toEqual({ code: 0, stdout: `Deleted run ${runId}.\n`, stderr: "" });
    expect(await cairn("runs", "delete", runId)).toEqual({ code: 1, stdout: "", stderr: `cairn: error: run ${runId} is already deleted; nothing changed\n` });
  });

  it("artifacts upload of a folder without files exits 1; an upload prints the mlflow-artifacts:/ URI it created", async () => {
    const runId = (await client.runs.create({ experimentId: "0" })).info.run_id;
    const empty = path.join(server.dir, "empty", "inner");
    await mkdir(empty, { recursive: true });
    expect(await cairn("artifacts", "upload", runId, path.dirname(empty))).toEqual({
      code: 1,
      stdout: "",
      stderr: `cairn: error: '${path.dirname(empty)}' holds no files; nothing uploaded to run ${runId}\n`,
    });
    const file = path.join(server.dir, "model.txt");
    await writeFile(file, "weights");
    const root = `mlflow-artifacts:/0/${runId}/artifacts`;
    expect(await cairn("artifacts", "upload", runId, file, "--artifact-path", "model")).toEqual({ code: 0, stdout: `Uploaded ${root}/model/model.txt\n`, stderr: "" });
    await writeFile(path.join(empty, "b.txt"), "b");
    const folder = await cairn("artifacts", "upload", runId, path.dirname(empty), "--artifact-path", "data", "--json");
    expect(folder.code, folder.stderr).toBe(0);
    expect(JSON.parse(folder.stdout)).toEqual({ run_id: runId, artifact_uri: `${root}/data`, uploaded: ["data/inner/b.txt"], uris: [`${root}/data/inner/b.txt`] });
    expect((await cairn("artifacts", "upload", runId, path.dirname(empty))).stdout).toBe(`Uploaded 1 file to ${root}:\n  inner/b.txt\n`);
  });
});
