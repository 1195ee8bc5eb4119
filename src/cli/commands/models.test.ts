import { writeFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CairnClient } from "../../sdk/client.js";
import { CairnApiError } from "../../sdk/errors.js";
import { startTempServer, type TempServer } from "../../server/test-support/temp-server.js";
import { UsageError } from "../errors.js";
import { renderHuman, type CommandResult } from "../output.js";
import { listAuditEvents, verifyAudit } from "./audit.js";
import {
  aliasHistory,
  approveVersion,
  deleteModel,
  listModels,
  modelCard,
  modelLineage,
  modelRules,
  registerModel,
  removeAlias,
  setAlias,
  showModel,
} from "./models.js";

/** The model and audit commands as plain functions against a real server; rendering as the CLI prints it. */
let server: TempServer;
let ada: CairnClient;
let bob: CairnClient;
let runId: string;

beforeAll(async () => {
  server = await startTempServer("cairn-cli-models-");
  ada = new CairnClient({ trackingUri: server.url, user: "ada", retry: { retries: 0 } });
  bob = new CairnClient({ trackingUri: server.url, user: "bob", retry: { retries: 0 } });
  const experimentId = await ada.experiments.create({ name: "cli-models" });
  runId = (await ada.runs.create({ experimentId, runName: "train-xgb" })).info.run_id;
  await ada.runs.logMetric(runId, "accuracy", 0.85);
});

afterAll(async () => {
  await server?.close();
});

const text = (result: CommandResult): string => renderHuman(result.human, { color: false });
const lines = (result: CommandResult): string[] => text(result).split("\n");

describe("cairn models (commands)", () => {
  it("shows a model whose name holds a quote (the versions filter escapes it)", async () => {
    await registerModel(ada, "o'brien", `runs:/${runId}/model`, {});
    const shown = await showModel(ada, "o'brien", {});
    expect((shown.data as { model_versions: Array<{ name: string; version: string }> }).model_versions.map((v) => [v.name, v.version])).toEqual([["o'brien", "1"]]);
    await deleteModel(ada, "o'brien", {});
  });

  it("registers (creating the model once), lists and shows", async () => {
    const first = await registerModel(ada, "churn", `runs:/${runId}/model`, { description: "xgb" });
    expect(first.data).toMatchObject({ name: "churn", version: "1", run_id: runId, description: "xgb" });
    expect(text(first)).toBe("Registered churn version 1 (READY).");
    const second = await registerModel(ada, "churn", `runs:/${runId}/model`, { runId });
    expect(second.data.version).toBe("2");
    await registerModel(ada, "fraud", `runs:/${runId}/model`, {});

    const listed = await listModels(ada, {});
    expect(listed.data.map((m) => m.name)).toEqual(["churn", "fraud"]);
    const table = lines(listed);
    expect(table[0]).toMatch(/^NAME {3}LATEST {2}ALIASES {2}UPDATED \(UTC\) {8}DESCRIPTION$/);
    expect(table[1]).toMatch(/^churn {2}2 {7}- {8}\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/);
    expect((await listModels(ada, { filter: "name = 'fraud'" })).data.map((m) => m.name)).toEqual(["fraud"]);
    expect((await listModels(ada, { maxResults: "1" })).data.map((m) => m.name)).toEqual(["churn"]);
    await expect(listModels(ada, { maxResults: "0" })).rejects.toThrow(UsageError);

    const shown = await showModel(ada, "churn", {});
    expect("model_versions" in shown.data && shown.data.model_versions.map((v) => v.version)).toEqual(["2", "1"]);
    const shownText = text(shown);
    expect(shownText).toContain("Model churn\n  description:   -\n");
    expect(shownText).toContain("  versions:      2\n");
    expect(shownText).toContain(`Versions\n  2: READY  stage None  run ${runId}  created `);
    const one = await showModel(ada, "churn", { version: "1" });
    expect("model_version" in one.data && one.data.model_version.version).toBe("1");
    expect(text(one)).toContain(`  source:        runs:/${runId}/model\n`);
    await expect(showModel(ada, "churn", { version: "one" })).rejects.toThrow("--version must be a version number (1, 2, 3...), got 'one'");
  });

  it("sets rules, refuses the alias with every unmet rule, approves, moves the alias and shows the history", async () => {
    await expect(modelRules(ada, "churn", { set: "alias:champion" })).rejects.toThrow("--set needs at least one of --require-tag, --metric, --approvals");
    await expect(modelRules(ada, "churn", { metric: ["accuracy>=0.9"] })).rejects.toThrow("--require-tag, --metric and --approvals need --set TARGET");
    await expect(modelRules(ada, "churn", { set: "alias:champion", delete: "alias:champion" })).rejects.toThrow("--set and --delete cannot be used together");
    const set = await modelRules(ada, "churn", {
      set: "alias:champion",
      requireTag: ["validation_status=passed"],
      metric: ["accuracy>=0.9"],
      approvals: "1",
    });
    expect(text(set)).toBe("Set the alias:champion rule of churn: tags validation_status=passed; metrics accuracy >= 0.9; approvals 1.");
    const listed = await modelRules(ada, "churn", {});
    const table = lines(listed);
    expect(table[0]).toBe("TARGET          REQUIRED TAGS             METRICS          APPROVALS  UPDATED BY        UPDATED (UTC)");
    expect(table[1]).toMatch(/^alias:champion {2}validation_status=passed {2}accuracy >= 0\.9 {2}1 {10}ada \(unverified\) {2}\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/);

    const refused = await setAlias(ada, "churn", "champion", "1").catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(CairnApiError);
    expect((refused as CairnApiError).message).toMatch(/^Promotion of model 'churn' version 1 to alias:champion refused: .*validation_status.*accuracy.*approval/);

    await ada.registry.setVersionTag("churn", 1, "validation_status", "passed");
    await ada.runs.logMetric(runId, "accuracy", 0.93);
    await expect(approveVersion(ada, "churn", "1", { target: "champion" })).rejects.toThrow(UsageError);
    const approved = await approveVersion(bob, "churn", "1", { target: "alias:champion", comment: "ok" });
    expect(text(approved)).toBe("bob approved churn version 1 for alias:champion.");
    expect(approved.data).toMatchObject({ actor: { name: "bob", verified: false }, comment: "ok" });

    const moved = await setAlias(ada, "churn", "champion", "1");
    expect(moved.data).toEqual({ name: "churn", alias: "champion", version: "1" });
    expect(text(moved)).toBe("churn@champion now points to version 1.");
    await setAlias(ada, "churn", "challenger", "2");
    expect(text(await removeAlias(bob, "churn", "challenger"))).toBe("Removed alias challenger of churn.");

    const history = await aliasHistory(ada, "churn", {});
    expect(history.data.map((c) => [c.alias, c.from_version, c.to_version, c.actor.name])).toEqual([
      ["champion", null, "1", "ada"],
      ["challenger", null, "2", "ada"],
      ["challenger", "2", null, "bob"],
    ]);
    const rows = lines(history);
    expect(rows[0]).toBe("TIME (UTC)           ALIAS       FROM  TO         BY                REQUEST");
    expect(rows[3]).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} {2}challenger {2}2 {5}\(removed\) {2}bob \(unverified\) {2}\S+$/);
    expect((await aliasHistory(ada, "churn", { alias: "champion" })).data).toHaveLength(1);
    expect(text(await aliasHistory(ada, "fraud", {}))).toBe("No alias changes for fraud.");

    expect(text(await modelRules(ada, "churn", { delete: "alias:champion" }))).toBe("Deleted the alias:champion rule of churn.");
    expect(text(await modelRules(ada, "churn", {}))).toBe("No promotion rules for churn.");
  });

  it("prints the lineage tree and the model card in each format", async () => {
    const lineage = await modelLineage(ada, "churn", "1");
    const tree = lines(lineage);
    expect(tree[0]).toMatch(/\(model_version:churn\/1\)$/);
    expect(tree.some((line) => line.includes(`(run:${runId})`) && line.endsWith("[<- produced]"))).toBe(true);

    const file = path.join(server.dir, "card.json");
    await writeFile(file, JSON.stringify({ intended_use: "Ranking <accounts>", owners: ["ada", "bob"], name: "ignored" }));
    const markdown = await modelCard(ada, "churn", "1", { setFile: file });
    expect(markdown.data).toMatchObject({ name: "churn", version: "1", format: "markdown" });
    expect(text(markdown)).toContain("Ranking \\<accounts>"); // escaped by the server so that it stays text
    const html = await modelCard(ada, "churn", "1", { format: "html" });
    expect(text(html)).toContain("Ranking &lt;accounts&gt;");
    const json = await modelCard(ada, "churn", "1", { format: "json" });
    expect(json.data).toMatchObject({ intended_use: "Ranking <accounts>", owners: ["ada", "bob"] });
    expect(text(json)).toContain("  owners:                 ada, bob\n");
    expect(text(json)).toMatch(/Evaluation metrics\n {2}accuracy: 0\.93/);

    await writeFile(file, JSON.stringify({ intended_use: 3 }));
    await expect(modelCard(ada, "churn", "1", { setFile: file })).rejects.toThrow(`--set-file ${file}: 'intended_use' must be a string`);
    await writeFile(file, "age,city\n31,Oslo\n");
    await expect(modelCard(ada, "churn", "1", { setFile: file })).rejects.toThrow(/^--set-file .*: Unexpected token 'a', "age,city 31,Oslo ?" is not valid JSON$/);
    await writeFile(file, JSON.stringify({ purpose: "x" }));
    await expect(modelCard(ada, "churn", "1", { setFile: file })).rejects.toThrow(`--set-file ${file}: unknown field 'purpose'`);
    await expect(modelCard(ada, "churn", "1", { format: "pdf" })).rejects.toThrow("--format must be one of markdown, html, json, got 'pdf'");
  });

  it("lists audit events newest first with filters, says when more exist and how to see them, and verifies the trail", async () => {
    const filters = { entityType: "registered_model", entityId: "churn", action: "registry.alias.*" };
    const events = await listAuditEvents(ada, filters);
    expect(events.data.events.map((e) => [e.action, e.actor.name])).toEqual([
      ["registry.alias.delete", "bob"],
      ["registry.alias.set", "ada"],
      ["registry.alias.set", "ada"],
    ]);
    expect(events.data.next_page_token).toBeUndefined();
    const seqs = events.data.events.map((e) => e.seq);
    expect(seqs).toEqual([...seqs].sort((a, b) => b - a));
    const table = lines(events);
    expect(table[0]).toBe("SEQ  TIME (UTC)                      ACTOR             ACTION                 ENTITY                  REQUEST");
    expect(table[1]).toMatch(/^\d+ +\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} \((just now|\d+ s ago)\) +bob \(unverified\) {2}registry\.alias\.delete {2}registered_model churn {2}\S+$/);
    expect(table).toHaveLength(4);

    // Fewer than match: the newest two, a note with the token, and the token continues with the rest.
    const first = await listAuditEvents(ada, { ...filters, maxResults: "2" });
    expect(first.data.events.map((e) => e.seq)).toEqual(seqs.slice(0, 2));
    const token = first.data.next_page_token ?? "";
    expect(token).not.toBe("");
    expect(lines(first).at(-1)).toBe(`2 events shown, newest first; more exist: run the same command with --page-token ${token} for the next 2.`);
    const rest = await listAuditEvents(ada, { ...filters, maxResults: "2", pageToken: token });
    expect(rest.data).toEqual({ events: events.data.events.slice(2) });
    expect(lines(rest)).toHaveLength(2);
    const oldest = await listAuditEvents(ada, { ...filters, oldestFirst: true });
    expect(oldest.data.events.map((e) => e.seq)).toEqual([...seqs].reverse());
    // A token of one order does not continue the other: the server refuses it.
    await expect(listAuditEvents(ada, { ...filters, oldestFirst: true, pageToken: token })).rejects.toMatchObject({ errorCode: "INVALID_PARAMETER_VALUE" });
    expect((await listAuditEvents(ada, { actor: "bob", maxResults: "1" })).data.events).toHaveLength(1);
    const future = await listAuditEvents(ada, { since: "2999-01-01" });
    expect(text(future)).toBe("No audit events.");
    await expect(listAuditEvents(ada, { since: "2026-12-01", until: "2026-11-01" })).rejects.toThrow("--since must not be later than --until");

    const verified = await verifyAudit(ada);
    expect(verified.exitCode).toBeUndefined();
    expect(text(verified)).toMatch(/^Audit trail intact: \d+ events checked\.$/);
  });

  it("deletes a version, then the model", async () => {
    expect(text(await deleteModel(ada, "churn", { version: "2" }))).toBe("Deleted churn version 2.");
    expect(text(await deleteModel(ada, "churn", {}))).toBe("Deleted model churn with all its versions.");
    await expect(ada.registry.getModel("churn")).rejects.toMatchObject({ errorCode: "RESOURCE_DOES_NOT_EXIST" });
  });
});
