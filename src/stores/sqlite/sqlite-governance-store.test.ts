import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import Sqlite from "better-sqlite3";
import { describe, expect, it } from "vitest";
import { describeGovernanceStoreContract } from "../../registry/governance-store.contract.js";
import { LATEST_SCHEMA_VERSION, migrate, SQLITE_MIGRATIONS } from "./migrations.js";
import { openDatabase } from "./open-database.js";
import { SqliteGovernanceStore } from "./sqlite-governance-store.js";

describeGovernanceStoreContract("sqlite", async () => {
  const folder = mkdtempSync(path.join(tmpdir(), "cairn-governance-store-"));
  const db = openDatabase(path.join(folder, "cairn.db"));
  return {
    store: new SqliteGovernanceStore(db),
    cleanup: async () => {
      db.close();
      rmSync(folder, { recursive: true, force: true });
    },
  };
});

describe("SQLite governance store: SQLite specifics", () => {
  it("migrates a version-14 database: rules keep their meaning (self-approval allowed), approvals stand with ids in time order", async () => {
    const folder = mkdtempSync(path.join(tmpdir(), "cairn-governance-v14-"));
    try {
      const file = path.join(folder, "v14.db");
      const raw = new Sqlite(file);
      migrate(raw, SQLITE_MIGRATIONS.filter((m) => m.version <= 14));
      raw
        .prepare(
          `INSERT INTO promotion_rules (model_name, target, required_tags, metric_thresholds, required_approvals, updated_by,
             updated_by_verified, updated_time) VALUES ('churn', 'alias:champion', '[]', '[]', 2, 'ada', 0, 1)`,
        )
        .run();
      const insert = raw.prepare(
        "INSERT INTO promotion_approvals (model_name, version, target, actor_name, actor_verified, time, comment) VALUES (?, ?, ?, ?, ?, ?, ?)",
      );
      insert.run("churn", "1", "alias:champion", "bob", 0, 30, null);
      insert.run("churn", "1", "alias:champion", "ada", 1, 20, "ok");
      expect(migrate(raw)).toBe(LATEST_SCHEMA_VERSION);
      raw.close();

      const db = openDatabase(file);
      const store = new SqliteGovernanceStore(db);
      expect((await store.getRule("churn", "alias:champion"))?.forbidSelfApproval).toBe(false);
      const standing = await store.listApprovals("churn", "1", "alias:champion");
      expect(standing.map((found) => [found.actor, found.time, found.comment ?? null])).toEqual([
        [{ name: "ada", verified: true }, 20, "ok"],
        [{ name: "bob", verified: false }, 30, null],
      ]);
      expect(standing[0]!.id).toBeLessThan(standing[1]!.id);
      // The migrated rows keep one standing approval per actor.
      expect((await store.addApproval({ name: "churn", version: "1", target: "alias:champion", actor: { name: "ada", verified: true }, time: 40 })).created).toBe(false);
      db.close();
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });

  it("serves the model-wide listing from an index, not a scan of every approval", () => {
    const folder = mkdtempSync(path.join(tmpdir(), "cairn-governance-plan-"));
    try {
      const db = openDatabase(path.join(folder, "cairn.db"));
      const plan = db
        .prepare("EXPLAIN QUERY PLAN SELECT * FROM promotion_approvals WHERE model_name = ? ORDER BY time DESC, approval_id DESC LIMIT 11")
        .all("churn") as Array<{ detail: string }>;
      expect(plan.map((row) => row.detail).join("\n")).toContain("USING INDEX promotion_approvals_model_time");
      expect(plan.map((row) => row.detail).join("\n")).not.toContain("TEMP B-TREE");
      db.close();
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });
});
