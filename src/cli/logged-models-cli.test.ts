import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { LoggedModel } from "../protocol/mlflow/logged-model-entities.js";
import { CairnClient } from "../sdk/client.js";
import { startTempServer, type TempServer } from "../server/test-support/temp-server.js";
import { formatTime } from "./output.js";
import { buildProgram } from "./program.js";
import { runCli, type CliResult } from "./test-support/run-cli.js";

/** `cairn models logged list|show` as a user runs them: a child process against a real server, exact output. */
let server: TempServer;
let client: CairnClient;
let experimentId: string;
let runId: string;
let model: LoggedModel;
let pending: LoggedModel;

const cairn = (...args: string[]): Promise<CliResult> => runCli(["--tracking-uri", server.url, ...args]);

beforeAll(async () => {
  server = await startTempServer("cairn-cli-logged-");
  client = new CairnClient({ trackingUri: server.url });
  experimentId = await client.experiments.create({ name: "cli-logged" });
  runId = (await client.runs.create({ experimentId })).info.run_id;
  const created = await client.loggedModels.create({
    experimentId,
    name: "classifier",
    modelType: "Classifier",
    sourceRunId: runId,
    params: { lr: "0.1", depth: "3" },
    tags: { team: "risk" },
  });
  const root = created.info.artifact_uri.replace(/^mlflow-artifacts:\//, "");
  for (const [file, body] of [["MLmodel", "flavors: {}\n"], ["data/model.onnx", "onnx!"]] as const) {
    await fetch(`${server.url}/api/2.0/mlflow-artifacts/artifacts/${root}/${file}`, { method: "PUT", body });
  }
  await client.runs.logBatch(runId, {
    metrics: [
      { key: "accuracy", value: 0.91, timestamp: 1000, step: 0, model_id: created.info.model_id, dataset_name: "test", dataset_digest: "d1" },
      { key: "accuracy", value: 0.93, timestamp: 2000, step: 1, model_id: created.info.model_id },
    ],
  });
  await client.loggedModels.finalize(created.info.model_id);
  model = await client.loggedModels.get(created.info.model_id);
  pending = await client.loggedModels.create({ experimentId, name: "draft" });
});

afterAll(async () => {
  await server?.close();
});

describe("cairn models logged (process)", () => {
  it("lists an experiment's logged models as a table, newest first", async () => {
    const listed = await cairn("models", "logged", "list", "--experiment", "cli-logged");
    const created = (m: LoggedModel): string => formatTime(m.info.creation_timestamp_ms);
    expect(listed).toEqual({
      code: 0,
      stdout: [
        "MODEL ID                            NAME        EXPERIMENT  STATUS   TYPE        SOURCE RUN                        CREATED (UTC)",
        `${pending.info.model_id}  draft       ${experimentId}           PENDING  -           -                                 ${created(pending)}`,
        `${model.info.model_id}  classifier  ${experimentId}           READY    Classifier  ${runId}  ${created(model)}`,
        "",
      ].join("\n"),
      stderr: "",
    });
  });

  it("filters, orders, limits and prints JSON equal to the SDK's answer", async () => {
    const json = await cairn("models", "logged", "list", "--experiment", experimentId, "--filter", "metrics.accuracy > 0.9", "--order-by", "name DESC", "--max-results", "1", "--json");
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout)).toEqual([model]);
    const none = await cairn("models", "logged", "list", "--experiment", experimentId, "--filter", "name = 'nothing'");
    expect(none).toEqual({ code: 0, stdout: "No logged models.\n", stderr: "" });
  });

  it("shows a model: info, params, metrics, tags, registrations, artifacts", async () => {
    const shown = await cairn("models", "logged", "show", model.info.model_id);
    expect(shown).toEqual({
      code: 0,
      stdout: [
        `Logged model ${model.info.model_id}`,
        "  name:          classifier",
        `  experiment:    ${experimentId}`,
        "  status:        READY",
        "  type:          Classifier",
        `  source run:    ${runId}`,
        `  created (UTC): ${formatTime(model.info.creation_timestamp_ms)}`,
        `  updated (UTC): ${formatTime(model.info.last_updated_timestamp_ms)}`,
        `  artifacts:     ${model.info.artifact_uri}`,
        "",
        "Params",
        "  depth: 3",
        "  lr:    0.1",
        "",
        "Metrics",
        `  accuracy: 0.91 (step 0, dataset test (d1), run ${runId})`,
        `  accuracy: 0.93 (step 1, run ${runId})`,
        "",
        "Tags",
        "  team: risk",
        "",
        "Registrations",
        "  (none)",
        "",
        "Artifacts",
        "  MLmodel: 12 B",
        "  data:    dir",
        "",
      ].join("\n"),
      stderr: "",
    });
    const json = await cairn("models", "logged", "show", model.info.model_id, "--json");
    expect(JSON.parse(json.stdout)).toEqual({
      logged_model: model,
      artifacts: [
        { path: "MLmodel", is_dir: false, file_size: 12 },
        { path: "data", is_dir: true },
      ],
    });
  });

  it("fails with one line on stderr: a malformed or missing id (exit 1), a bad flag value (exit 2)", async () => {
    expect(await cairn("models", "logged", "show", "m-123")).toEqual({
      code: 1,
      stdout: "",
      stderr: "cairn: error: INVALID_PARAMETER_VALUE: Invalid value 'm-123' for parameter 'model_id' supplied: a logged model id is 'm-' followed by 32 lowercase hex characters.\n",
    });
    const missing = `m-${"0".repeat(32)}`;
    expect(await cairn("models", "logged", "show", missing)).toEqual({
      code: 1,
      stdout: "",
      stderr: `cairn: error: RESOURCE_DOES_NOT_EXIST: Logged model with ID '${missing}' not found.\n`,
    });
    expect(await cairn("models", "logged", "list", "--max-results", "0")).toEqual({
      code: 2,
      stdout: "",
      stderr: "cairn: error: --max-results must be an integer from 1 to 100000, got '0'\n",
    });
    expect(await cairn("models", "logged", "list", "--experiment", "no-such-experiment")).toEqual({
      code: 1,
      stdout: "",
      stderr: "cairn: error: RESOURCE_DOES_NOT_EXIST: Could not find experiment with name 'no-such-experiment'\n",
    });
  });
});

/** Every option of a command and its subcommands, by flag. */
const optionFlags = (command: ReturnType<typeof buildProgram>): { command: string; flags: string[] }[] =>
  command.commands.flatMap((sub) => [
    { command: sub.name(), flags: sub.options.flatMap((option) => [option.long, option.short].filter((flag): flag is string => flag !== undefined)) },
    ...optionFlags(sub).map((entry) => ({ ...entry, command: `${sub.name()} ${entry.command}` })),
  ]);

describe("the new commands' options and the global ones", () => {
  it("share no flag: the program would take a global flag (e.g. --version) before the subcommand saw it", () => {
    const program = buildProgram();
    const global = new Set(program.options.flatMap((option) => [option.long, option.short].filter((flag): flag is string => flag !== undefined)));
    expect([...global].sort()).toEqual(["--tracking-uri", "--user"]);
    const logged = program.commands.find((c) => c.name() === "models")?.commands.find((c) => c.name() === "logged");
    const traces = program.commands.find((c) => c.name() === "traces");
    if (logged === undefined || traces === undefined) throw new Error("models logged / traces not registered");
    const ours = [...optionFlags(logged).map((e) => ({ ...e, command: `models logged ${e.command}` })), ...optionFlags(traces).map((e) => ({ ...e, command: `traces ${e.command}` }))];
    expect(ours.map((e) => e.command).sort()).toEqual(["models logged list", "models logged show", "traces list", "traces show"]);
    expect(ours.flatMap((e) => e.flags.filter((flag) => global.has(flag)).map((flag) => `${e.command} ${flag}`))).toEqual([]);
  });

  it("parses every option of `models logged list` when given after the subcommand, next to a global flag", async () => {
    const listed = await cairn("models", "logged", "list", "--user", "ada", "--experiment", "cli-logged", experimentId, "--order-by", "name", "--max-results", "5", "--json");
    expect(listed.code).toBe(0);
    expect((JSON.parse(listed.stdout) as LoggedModel[]).map((m) => m.info.name)).toEqual(["classifier", "draft"]);
  });
});
