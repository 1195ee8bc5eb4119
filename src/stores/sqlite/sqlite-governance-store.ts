import type { Database } from "better-sqlite3";
import type { Actor } from "../../core/actor.js";
import type { Approval, ApprovalQuery, GovernanceStore, PromotionRule, StoredApproval, StoredModelCard } from "../../registry/governance-store.js";
import {
  APPROVALS_ENDPOINT,
  type ApprovalRow,
  type CardRow,
  GOVERNANCE_TABLES,
  type RuleRow,
  toApproval,
  toCard,
  toRule,
} from "../sql/governance-rows.js";
import { decodeKeysetToken, encodeKeysetToken } from "../sql/keyset-token.js";
import { SqliteConnection } from "./statement-cache.js";

/**
 * The GovernanceStore on the shared better-sqlite3 connection (schema 005). close() is not needed: the wiring that
 * opened the database closes it.
 */
export class SqliteGovernanceStore implements GovernanceStore {
  private readonly conn: SqliteConnection;

  constructor(db: Database) {
    this.conn = new SqliteConnection(db, 64);
  }

  async putRule(rule: PromotionRule): Promise<void> {
    this.conn
      .stmt(
        "INSERT INTO promotion_rules (model_name, target, required_tags, metric_thresholds, required_approvals, " +
          "forbid_self_approval, updated_by, updated_by_verified, updated_time) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) " +
          "ON CONFLICT (model_name, target) DO UPDATE SET required_tags = excluded.required_tags, " +
          "metric_thresholds = excluded.metric_thresholds, required_approvals = excluded.required_approvals, " +
          "forbid_self_approval = excluded.forbid_self_approval, " +
          "updated_by = excluded.updated_by, updated_by_verified = excluded.updated_by_verified, " +
          "updated_time = excluded.updated_time",
      )
      .run(
        rule.name,
        rule.target,
        JSON.stringify(rule.requiredTags),
        JSON.stringify(rule.metricThresholds),
        rule.requiredApprovals,
        rule.forbidSelfApproval ? 1 : 0,
        rule.updatedBy.name,
        rule.updatedBy.verified ? 1 : 0,
        rule.updatedTime,
      );
  }

  async getRule(name: string, target: string): Promise<PromotionRule | undefined> {
    const row = this.conn.stmt("SELECT * FROM promotion_rules WHERE model_name = ? AND target = ?").get(name, target) as
      | RuleRow
      | undefined;
    return row === undefined ? undefined : toRule(row);
  }

  async listRules(name: string): Promise<PromotionRule[]> {
    const rows = this.conn.stmt("SELECT * FROM promotion_rules WHERE model_name = ? ORDER BY target").all(name) as RuleRow[];
    return rows.map(toRule);
  }

  async deleteRule(name: string, target: string): Promise<boolean> {
    return this.conn.stmt("DELETE FROM promotion_rules WHERE model_name = ? AND target = ?").run(name, target).changes > 0;
  }

  async addApproval(approval: Approval): Promise<{ approval: StoredApproval; created: boolean }> {
    return this.conn.write(() => {
      const inserted = this.conn
        .stmt(
          "INSERT INTO promotion_approvals (model_name, version, target, actor_name, actor_verified, time, comment) " +
            "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
        )
        .run(
          approval.name,
          approval.version,
          approval.target,
          approval.actor.name,
          approval.actor.verified ? 1 : 0,
          approval.time,
          approval.comment ?? null,
        );
      const row = this.conn
        .stmt(
          "SELECT * FROM promotion_approvals WHERE model_name = ? AND version = ? AND target = ? AND actor_name = ? " +
            "AND revoked_time IS NULL",
        )
        .get(approval.name, approval.version, approval.target, approval.actor.name) as ApprovalRow;
      return { approval: toApproval(row), created: inserted.changes > 0 };
    });
  }

  async listApprovals(name: string, version: string, target?: string): Promise<StoredApproval[]> {
    const standing = "SELECT * FROM promotion_approvals WHERE model_name = ? AND version = ? AND revoked_time IS NULL";
    const rows = (
      target === undefined
        ? this.conn.stmt(`${standing} ORDER BY time, approval_id`).all(name, version)
        : this.conn.stmt(`${standing} AND target = ? ORDER BY time, approval_id`).all(name, version, target)
    ) as ApprovalRow[];
    return rows.map(toApproval);
  }

  async searchApprovals(query: ApprovalQuery): Promise<{ items: StoredApproval[]; nextPageToken?: string }> {
    const where = ["model_name = ?"];
    const params: Array<string | number> = [query.name];
    if (query.version !== undefined) {
      where.push("version = ?");
      params.push(query.version);
    }
    if (query.target !== undefined) {
      where.push("target = ?");
      params.push(query.target);
    }
    if (!query.includeRevoked) where.push("revoked_time IS NULL");
    if (query.pageToken !== undefined) {
      const [time, id] = decodeKeysetToken(query.pageToken, 2, APPROVALS_ENDPOINT) as [number, number];
      where.push("(time < ? OR (time = ? AND approval_id < ?))");
      params.push(time, time, id);
    }
    // One row beyond the page: its presence, not a full page, says that another page exists.
    const rows = this.conn
      .stmt(`SELECT * FROM promotion_approvals WHERE ${where.join(" AND ")} ORDER BY time DESC, approval_id DESC LIMIT ?`)
      .all(...params, query.maxResults + 1) as ApprovalRow[];
    const items = rows.slice(0, query.maxResults).map(toApproval);
    const last = items[items.length - 1];
    return rows.length > query.maxResults && last !== undefined
      ? { items, nextPageToken: encodeKeysetToken([last.time, last.id]) }
      : { items };
  }

  async revokeApproval(id: number, revokedBy: Actor, time: number): Promise<StoredApproval | undefined> {
    return this.conn.write(() => {
      const changed = this.conn
        .stmt(
          "UPDATE promotion_approvals SET revoked_by = ?, revoked_by_verified = ?, revoked_time = ? " +
            "WHERE approval_id = ? AND revoked_time IS NULL",
        )
        .run(revokedBy.name, revokedBy.verified ? 1 : 0, time, id);
      if (changed.changes === 0) return undefined;
      const row = this.conn.stmt("SELECT * FROM promotion_approvals WHERE approval_id = ?").get(id) as ApprovalRow;
      return toApproval(row);
    });
  }

  async putCard(card: StoredModelCard): Promise<void> {
    this.conn
      .stmt(
        "INSERT INTO model_cards (model_name, version, description, intended_use, training_data, limitations, " +
          "ethical_considerations, owners, updated_by, updated_by_verified, updated_time) " +
          "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (model_name, version) DO UPDATE SET " +
          "description = excluded.description, intended_use = excluded.intended_use, " +
          "training_data = excluded.training_data, limitations = excluded.limitations, " +
          "ethical_considerations = excluded.ethical_considerations, owners = excluded.owners, " +
          "updated_by = excluded.updated_by, updated_by_verified = excluded.updated_by_verified, " +
          "updated_time = excluded.updated_time",
      )
      .run(
        card.name,
        card.version,
        card.description,
        card.intendedUse,
        card.trainingData,
        card.limitations,
        card.ethicalConsiderations,
        JSON.stringify(card.owners),
        card.updatedBy.name,
        card.updatedBy.verified ? 1 : 0,
        card.updatedTime,
      );
  }

  async getCard(name: string, version: string): Promise<StoredModelCard | undefined> {
    const row = this.conn.stmt("SELECT * FROM model_cards WHERE model_name = ? AND version = ?").get(name, version) as
      | CardRow
      | undefined;
    return row === undefined ? undefined : toCard(row);
  }

  async renameModel(name: string, newName: string): Promise<void> {
    this.conn.write(() => {
      // OR REPLACE: rows left behind under the new name (a model deleted without deleteModel) must not block it.
      for (const table of GOVERNANCE_TABLES) {
        this.conn.stmt(`UPDATE OR REPLACE ${table} SET model_name = ? WHERE model_name = ?`).run(newName, name);
      }
    });
  }

  async deleteModel(name: string): Promise<void> {
    this.conn.write(() => {
      for (const table of GOVERNANCE_TABLES) this.conn.stmt(`DELETE FROM ${table} WHERE model_name = ?`).run(name);
    });
  }

  async deleteVersion(name: string, version: string): Promise<void> {
    this.conn.write(() => {
      this.conn.stmt("DELETE FROM promotion_approvals WHERE model_name = ? AND version = ?").run(name, version);
      this.conn.stmt("DELETE FROM model_cards WHERE model_name = ? AND version = ?").run(name, version);
    });
  }
}
