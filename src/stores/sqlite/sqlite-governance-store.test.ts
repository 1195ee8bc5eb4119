import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type { Database } from "better-sqlite3";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Approval, PromotionRule, StoredModelCard } from "../../registry/governance-store.js";
import { openDatabase } from "./open-database.js";
import { SqliteGovernanceStore } from "./sqlite-governance-store.js";

const ada = { name: "ada", verified: false };

const rule = (name: string, target: string, requiredApprovals = 1): PromotionRule => ({
  name,
  target,
  requiredTags: [{ key: "validation_status", value: "passed" }],
  metricThresholds: [{ metric: "accuracy", comparator: ">=", value: 0.9 }],
  requiredApprovals,
  updatedBy: ada,
  updatedTime: 10,
});

const approval = (name: string, version: string, target: string, actor: string, time: number, comment?: string): Approval => ({
  name,
  version,
  target,
  actor: { name: actor, verified: actor === "cairn" },
  time,
  ...(comment === undefined ? {} : { comment }),
});

const card = (name: string, version: string, description: string): StoredModelCard => ({
  name,
  version,
  description,
  intendedUse: "use",
  trainingData: "data",
  limitations: "",
  ethicalConsiderations: "",
  owners: ["ada", "bob"],
  updatedBy: ada,
  updatedTime: 20,
});

describe("SqliteGovernanceStore", () => {
  let folder: string;
  let db: Database;
  let store: SqliteGovernanceStore;

  beforeEach(() => {
    folder = mkdtempSync(path.join(tmpdir(), "cairn-governance-store-"));
    db = openDatabase(path.join(folder, "cairn.db"));
    store = new SqliteGovernanceStore(db);
  });
  afterEach(() => {
    db.close();
    rmSync(folder, { recursive: true, force: true });
  });

  it("keeps one rule per (model, target): put replaces, list is ordered by target, delete says whether it deleted", async () => {
    await store.putRule(rule("churn", "stage:Production"));
    await store.putRule(rule("churn", "alias:champion"));
    await store.putRule({ ...rule("churn", "alias:champion", 3), requiredTags: [], updatedBy: { name: "bob", verified: true }, updatedTime: 11 });
    await store.putRule(rule("other", "alias:champion"));
    expect(await store.getRule("churn", "alias:champion")).toEqual({
      name: "churn",
      target: "alias:champion",
      requiredTags: [],
      metricThresholds: [{ metric: "accuracy", comparator: ">=", value: 0.9 }],
      requiredApprovals: 3,
      updatedBy: { name: "bob", verified: true },
      updatedTime: 11,
    });
    expect((await store.listRules("churn")).map((found) => found.target)).toEqual(["alias:champion", "stage:Production"]);
    expect(await store.deleteRule("churn", "stage:Production")).toBe(true);
    expect(await store.deleteRule("churn", "stage:Production")).toBe(false);
    expect(await store.getRule("churn", "stage:Production")).toBeUndefined();
  });

  it("records one approval per actor, version and target; the first one stands", async () => {
    expect(await store.addApproval(approval("churn", "1", "alias:champion", "ada", 5, "ok"))).toEqual({
      approval: approval("churn", "1", "alias:champion", "ada", 5, "ok"),
      created: true,
    });
    expect(await store.addApproval(approval("churn", "1", "alias:champion", "ada", 9, "again"))).toEqual({
      approval: approval("churn", "1", "alias:champion", "ada", 5, "ok"),
      created: false,
    });
    await store.addApproval(approval("churn", "1", "stage:Production", "ada", 6));
    await store.addApproval(approval("churn", "1", "alias:champion", "cairn", 7));
    await store.addApproval(approval("churn", "2", "alias:champion", "bob", 8));
    expect(await store.listApprovals("churn", "1")).toEqual([
      approval("churn", "1", "alias:champion", "ada", 5, "ok"),
      approval("churn", "1", "stage:Production", "ada", 6),
      approval("churn", "1", "alias:champion", "cairn", 7),
    ]);
    expect((await store.listApprovals("churn", "1", "alias:champion")).map((found) => found.actor.name)).toEqual(["ada", "cairn"]);
  });

  it("stores one card per version", async () => {
    await store.putCard(card("churn", "1", "first"));
    await store.putCard(card("churn", "1", "second"));
    expect(await store.getCard("churn", "1")).toEqual(card("churn", "1", "second"));
    expect(await store.getCard("churn", "2")).toBeUndefined();
  });

  it("follows renames and deletes of models and versions", async () => {
    await store.putRule(rule("churn", "alias:champion"));
    await store.addApproval(approval("churn", "1", "alias:champion", "ada", 5));
    await store.addApproval(approval("churn", "2", "alias:champion", "ada", 6));
    await store.putCard(card("churn", "1", "one"));
    await store.putCard(card("churn", "2", "two"));
    // A leftover row under the new name (a model deleted without deleteModel) does not block the rename.
    await store.putCard(card("attrition", "1", "stale"));

    await store.renameModel("churn", "attrition");
    expect(await store.listRules("churn")).toEqual([]);
    expect((await store.listRules("attrition")).map((found) => found.name)).toEqual(["attrition"]);
    expect((await store.getCard("attrition", "1"))?.description).toBe("one");
    expect((await store.listApprovals("attrition", "2")).map((found) => found.name)).toEqual(["attrition"]);

    await store.deleteVersion("attrition", "1");
    expect(await store.getCard("attrition", "1")).toBeUndefined();
    expect(await store.listApprovals("attrition", "1")).toEqual([]);
    expect((await store.getCard("attrition", "2"))?.description).toBe("two");
    expect(await store.listRules("attrition")).toHaveLength(1);

    await store.deleteModel("attrition");
    expect(await store.listRules("attrition")).toEqual([]);
    expect(await store.getCard("attrition", "2")).toBeUndefined();
    expect(await store.listApprovals("attrition", "2")).toEqual([]);
  });
});
