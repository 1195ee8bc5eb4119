import path from "node:path";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CairnClient } from "../sdk/client.js";
import { startTempServer, type TempServer } from "../server/test-support/temp-server.js";
import { CAIRN_VERSION } from "../core/version.js";
import { runCli, type CliResult } from "./test-support/run-cli.js";

/** `cairn models` and `cairn audit` as a user runs them: a child process, its stdout, stderr and exit code. */
let server: TempServer;
let client: CairnClient;
let runId: string;

const cairn = (args: string[], env: Record<string, string> = {}): Promise<CliResult> => runCli(["--tracking-uri", server.url, ...args], { env });

beforeAll(async () => {
  server = await startTempServer("cairn-cli-registry-");
  client = new CairnClient({ trackingUri: server.url, user: "setup" });
  const experimentId = await client.experiments.create({ name: "cli-registry" });
  runId = (await client.runs.create({ experimentId })).info.run_id;
  await client.runs.logMetric(runId, "accuracy", 0.8);
});

afterAll(async () => {
  await server?.close();
});

describe("cairn models (process)", () => {
  it("registers an MLflow 3 logged model by its models:/<model_id> URI and shows it on the version", async () => {
    const created = await fetch(`${server.url}/api/2.0/mlflow/logged-models`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ experiment_id: "0", name: "model", source_run_id: runId }),
    });
    const modelId = ((await created.json()) as { model: { info: { model_id: string } } }).model.info.model_id;
    const registered = await cairn(["models", "register", "cli-logged", `models:/${modelId}`, "--json"]);
    expect(registered.code, registered.stderr).toBe(0);
    expect(JSON.parse(registered.stdout)).toMatchObject({ name: "cli-logged", version: "1", run_id: runId, model_id: modelId });
    const shown = await cairn(["models", "show", "cli-logged"]);
    expect(shown.code, shown.stderr).toBe(0);
    expect(shown.stdout).toContain(`run ${runId}  logged model ${modelId}`);
  });

  it("gives --version after a command to that command: models show and delete take the version, only `cairn --version` prints Cairn's", async () => {
    for (let i = 0; i < 2; i += 1) expect((await cairn(["models", "register", "cli-versions", `runs:/${runId}/model`])).code).toBe(0);
    const shown = await cairn(["models", "show", "cli-versions", "--version", "2", "--json"]);
    expect(shown.code, shown.stderr).toBe(0);
    expect(JSON.parse(shown.stdout)).toMatchObject({ model_version: { name: "cli-versions", version: "2" } });
    const deleted = await cairn(["models", "delete", "cli-versions", "--version", "1"]);
    expect(deleted.code, deleted.stderr).toBe(0);
    const gone = await cairn(["models", "show", "cli-versions", "--version", "1"]);
    expect(gone.code).toBe(1);
    expect(gone.stderr).toMatch(/^cairn: error: RESOURCE_DOES_NOT_EXIST: .*cli-versions.*\n$/);
    expect((await cairn(["models", "show", "cli-versions", "--version", "2", "--json"])).code).toBe(0);
    // The program's own version: before any command, after global options too.
    expect(await cairn(["--version"])).toEqual({ code: 0, stdout: `${CAIRN_VERSION}\n`, stderr: "" });
    expect(await cairn(["--user", "ada", "-V"])).toEqual({ code: 0, stdout: `${CAIRN_VERSION}\n`, stderr: "" });
  });

  it("registers with --json, refuses a guarded alias with one error line (exit 1), and takes the actor from --user or CAIRN_USER", async () => {
    const registered = await cairn(["models", "register", "cli-churn", `runs:/${runId}/model`, "--json"]);
    expect(registered.code).toBe(0);
    expect(JSON.parse(registered.stdout)).toMatchObject({ name: "cli-churn", version: "1", run_id: runId, status: "READY" });

    const rule = await cairn(["models", "rules", "cli-churn", "--set", "alias:champion", "--metric", "accuracy>=0.9", "--approvals", "1"]);
    expect(rule).toEqual({ code: 0, stdout: "Set the alias:champion rule of cli-churn: tags -; metrics accuracy >= 0.9; approvals 1.\n", stderr: "" });

    const refused = await cairn(["models", "alias", "cli-churn", "champion", "1"]);
    expect(refused.code).toBe(1);
    expect(refused.stdout).toBe("");
    expect(refused.stderr).toMatch(/^cairn: error: INVALID_PARAMETER_VALUE: Promotion of model 'cli-churn' version 1 to alias:champion refused: .+\n$/);
    expect(refused.stderr.split("\n")).toHaveLength(2);

    const approved = await cairn(["--user", "carol", "models", "approve", "cli-churn", "1", "--target", "alias:champion", "--json"]);
    expect(approved.code).toBe(0);
    expect(JSON.parse(approved.stdout)).toMatchObject({ name: "cli-churn", version: "1", target: "alias:champion", actor: { name: "carol", verified: false } });
    const fromEnv = await cairn(["models", "approve", "cli-churn", "1", "--target", "alias:champion", "--json"], { CAIRN_USER: "dave" });
    expect(JSON.parse(fromEnv.stdout)).toMatchObject({ actor: { name: "dave", verified: false } });
  });

  it("exits 2 with one line for a bad flag value or a missing --target", async () => {
    const badMetric = await cairn(["models", "rules", "cli-churn", "--set", "alias:x", "--metric", "accuracy>>0.9"]);
    expect(badMetric.code).toBe(2);
    expect(badMetric.stderr).toBe(
      `cairn: error: --metric must be <metric><comparator><number> with one of = != > >= < <= (e.g. "accuracy>=0.9"), got 'accuracy>>0.9'\n`,
    );
    const noTarget = await cairn(["models", "approve", "cli-churn", "1"]);
    expect(noTarget.code).toBe(2);
    expect(noTarget.stderr).toBe("cairn: error: required option '--target <target>' not specified\n");
  });
});

describe("cairn audit verify (process)", () => {
  it("exits 0 on an intact trail, then 1 with one line naming the event edited in the database file", async () => {
    const intact = await cairn(["audit", "verify"]);
    expect(intact.code).toBe(0);
    expect(intact.stdout).toMatch(/^Audit trail intact: \d+ events checked\.\n$/);

    const listed = await cairn(["audit", "list", "--action", "governance.approval.create", "--json"]);
    const approvals = (JSON.parse(listed.stdout) as { events: { seq: number; actor: { name: string } }[] }).events;
    expect(approvals.map((e) => e.actor.name)).toEqual(["dave", "carol"]); // newest first
    const target = approvals[1]?.seq ?? 0;

    // Someone with the file rewrites who approved: drop the append-only trigger, edit the row.
    const db = new Database(path.join(server.dir, "cairn.db"));
    try {
      db.exec("DROP TRIGGER IF EXISTS audit_events_no_update");
      db.prepare("UPDATE audit_events SET actor_name = 'mallory' WHERE seq = ?").run(target);
    } finally {
      db.close();
    }

    // The incremental verify starts after the checkpoint the first verify left, which covers the edited event...
    const incremental = await cairn(["audit", "verify"]);
    expect(incremental.code).toBe(0);
    expect(incremental.stdout).toMatch(/^Audit trail intact: 0 events checked after the verified checkpoint at event \d+ \(--full re-checks from the first\)\.\n$/);
    // ...a full one walks from the first event and finds it.
    const broken = await cairn(["audit", "verify", "--full"]);
    expect(broken.code).toBe(1);
    expect(broken.stderr).toBe("");
    const problems = broken.stdout.trimEnd().split("\n");
    expect(problems[0]).toMatch(new RegExp(`^event ${target}: \\S`));
    const json = await cairn(["audit", "verify", "--full", "--json"]);
    expect(json.code).toBe(1);
    expect(JSON.parse(json.stdout)).toMatchObject({ ok: false, problems: [{ seq: target }] });
  });
});
