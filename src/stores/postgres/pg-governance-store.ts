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
import type { PgDatabase } from "./pg-database.js";

/**
 * Before a rename, the rows already under the new name that the moved rows would collide with (left behind by a
 * model deleted without deleteModel) go, as SQLite's UPDATE OR REPLACE drops them: per table, the key the rows
 * are unique on besides the model name (approvals: only standing ones are unique).
 */
const RENAME_COLLISIONS: readonly string[] = [
  `DELETE FROM promotion_rules n WHERE n.model_name = $2
     AND EXISTS (SELECT 1 FROM promotion_rules o WHERE o.model_name = $1 AND o.target = n.target)`,
  `DELETE FROM promotion_approvals n WHERE n.model_name = $2 AND n.revoked_time IS NULL
     AND EXISTS (SELECT 1 FROM promotion_approvals o WHERE o.model_name = $1 AND o.revoked_time IS NULL
       AND o.version = n.version AND o.target = n.target AND o.actor_name = n.actor_name)`,
  `DELETE FROM model_cards n WHERE n.model_name = $2
     AND EXISTS (SELECT 1 FROM model_cards o WHERE o.model_name = $1 AND o.version = n.version)`,
];

/**
 * The GovernanceStore on PostgreSQL (schema/002-registry.ts), the SQLite store's twin. Upserts are single
 * INSERT ... ON CONFLICT statements, and "one standing approval per actor" is the partial unique index
 * promotion_approvals_standing, so concurrent server processes need no locks here.
 */
export class PgGovernanceStore implements GovernanceStore {
  constructor(private readonly db: PgDatabase) {}

  async putRule(rule: PromotionRule): Promise<void> {
    await this.db.query(
      "INSERT INTO promotion_rules (model_name, target, required_tags, metric_thresholds, required_approvals, " +
        "forbid_self_approval, updated_by, updated_by_verified, updated_time) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) " +
        "ON CONFLICT (model_name, target) DO UPDATE SET required_tags = excluded.required_tags, " +
        "metric_thresholds = excluded.metric_thresholds, required_approvals = excluded.required_approvals, " +
        "forbid_self_approval = excluded.forbid_self_approval, " +
        "updated_by = excluded.updated_by, updated_by_verified = excluded.updated_by_verified, " +
        "updated_time = excluded.updated_time",
      [
        rule.name,
        rule.target,
        JSON.stringify(rule.requiredTags),
        JSON.stringify(rule.metricThresholds),
        rule.requiredApprovals,
        rule.forbidSelfApproval ? 1 : 0,
        rule.updatedBy.name,
        rule.updatedBy.verified ? 1 : 0,
        rule.updatedTime,
      ],
    );
  }

  async getRule(name: string, target: string): Promise<PromotionRule | undefined> {
    const row = await this.db.one<RuleRow>("SELECT * FROM promotion_rules WHERE model_name = $1 AND target = $2", [name, target]);
    return row === undefined ? undefined : toRule(row);
  }

  async listRules(name: string): Promise<PromotionRule[]> {
    return (await this.db.query<RuleRow>("SELECT * FROM promotion_rules WHERE model_name = $1 ORDER BY target", [name])).map(toRule);
  }

  async deleteRule(name: string, target: string): Promise<boolean> {
    return (await this.db.execute("DELETE FROM promotion_rules WHERE model_name = $1 AND target = $2", [name, target])) > 0;
  }

  /**
   * ON CONFLICT DO NOTHING against the partial unique index: of two processes approving at once, one inserts and
   * the other (after the first commits) finds its row. The follow-up SELECT is a new statement, so under READ
   * COMMITTED it sees that committed row.
   */
  async addApproval(approval: Approval): Promise<{ approval: StoredApproval; created: boolean }> {
    return this.db.transaction(async () => {
      const inserted = await this.db.one<ApprovalRow>(
        "INSERT INTO promotion_approvals (model_name, version, target, actor_name, actor_verified, time, comment) " +
          "VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT DO NOTHING RETURNING *",
        [
          approval.name,
          approval.version,
          approval.target,
          approval.actor.name,
          approval.actor.verified ? 1 : 0,
          approval.time,
          approval.comment ?? null,
        ],
      );
      if (inserted !== undefined) return { approval: toApproval(inserted), created: true };
      const standing = await this.db.one<ApprovalRow>(
        "SELECT * FROM promotion_approvals WHERE model_name = $1 AND version = $2 AND target = $3 AND actor_name = $4 " +
          "AND revoked_time IS NULL",
        [approval.name, approval.version, approval.target, approval.actor.name],
      );
      if (standing === undefined) throw new Error("a conflicting standing approval vanished inside its transaction");
      return { approval: toApproval(standing), created: false };
    });
  }

  async listApprovals(name: string, version: string, target?: string): Promise<StoredApproval[]> {
    const standing = "SELECT * FROM promotion_approvals WHERE model_name = $1 AND version = $2 AND revoked_time IS NULL";
    const rows =
      target === undefined
        ? await this.db.query<ApprovalRow>(`${standing} ORDER BY time, approval_id`, [name, version])
        : await this.db.query<ApprovalRow>(`${standing} AND target = $3 ORDER BY time, approval_id`, [name, version, target]);
    return rows.map(toApproval);
  }

  async searchApprovals(query: ApprovalQuery): Promise<{ items: StoredApproval[]; nextPageToken?: string }> {
    const params: Array<string | number> = [query.name];
    const bind = (value: string | number): string => {
      params.push(value);
      return `$${params.length}`;
    };
    const where = ["model_name = $1"];
    if (query.version !== undefined) where.push(`version = ${bind(query.version)}`);
    if (query.target !== undefined) where.push(`target = ${bind(query.target)}`);
    if (!query.includeRevoked) where.push("revoked_time IS NULL");
    if (query.pageToken !== undefined) {
      const [time, id] = decodeKeysetToken(query.pageToken, 2, APPROVALS_ENDPOINT) as [number, number];
      const t = bind(time);
      where.push(`(time < ${t} OR (time = ${t} AND approval_id < ${bind(id)}))`);
    }
    // One row beyond the page: its presence, not a full page, says that another page exists.
    const rows = await this.db.query<ApprovalRow>(
      `SELECT * FROM promotion_approvals WHERE ${where.join(" AND ")} ORDER BY time DESC, approval_id DESC LIMIT ${bind(query.maxResults + 1)}`,
      params,
    );
    const items = rows.slice(0, query.maxResults).map(toApproval);
    const last = items[items.length - 1];
    return rows.length > query.maxResults && last !== undefined ? { items, nextPageToken: encodeKeysetToken([last.time, last.id]) } : { items };
  }

  async revokeApproval(id: number, revokedBy: Actor, time: number): Promise<StoredApproval | undefined> {
    const row = await this.db.one<ApprovalRow>(
      "UPDATE promotion_approvals SET revoked_by = $1, revoked_by_verified = $2, revoked_time = $3 " +
        "WHERE approval_id = $4 AND revoked_time IS NULL RETURNING *",
      [revokedBy.name, revokedBy.verified ? 1 : 0, time, id],
    );
    return row === undefined ? undefined : toApproval(row);
  }

  async putCard(card: StoredModelCard): Promise<void> {
    await this.db.query(
      "INSERT INTO model_cards (model_name, version, description, intended_use, training_data, limitations, " +
        "ethical_considerations, owners, updated_by, updated_by_verified, updated_time) " +
        "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) ON CONFLICT (model_name, version) DO UPDATE SET " +
        "description = excluded.description, intended_use = excluded.intended_use, " +
        "training_data = excluded.training_data, limitations = excluded.limitations, " +
        "ethical_considerations = excluded.ethical_considerations, owners = excluded.owners, " +
        "updated_by = excluded.updated_by, updated_by_verified = excluded.updated_by_verified, " +
        "updated_time = excluded.updated_time",
      [
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
      ],
    );
  }

  async getCard(name: string, version: string): Promise<StoredModelCard | undefined> {
    const row = await this.db.one<CardRow>("SELECT * FROM model_cards WHERE model_name = $1 AND version = $2", [name, version]);
    return row === undefined ? undefined : toCard(row);
  }

  async renameModel(name: string, newName: string): Promise<void> {
    if (name === newName) return;
    await this.db.transaction(async () => {
      for (const collisions of RENAME_COLLISIONS) await this.db.query(collisions, [name, newName]);
      for (const table of GOVERNANCE_TABLES) {
        await this.db.query(`UPDATE ${table} SET model_name = $2 WHERE model_name = $1`, [name, newName]);
      }
    });
  }

  async deleteModel(name: string): Promise<void> {
    await this.db.transaction(async () => {
      for (const table of GOVERNANCE_TABLES) await this.db.query(`DELETE FROM ${table} WHERE model_name = $1`, [name]);
    });
  }

  async deleteVersion(name: string, version: string): Promise<void> {
    await this.db.transaction(async () => {
      await this.db.query("DELETE FROM promotion_approvals WHERE model_name = $1 AND version = $2", [name, version]);
      await this.db.query("DELETE FROM model_cards WHERE model_name = $1 AND version = $2", [name, version]);
    });
  }
}
