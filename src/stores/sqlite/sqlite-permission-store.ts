import type { Database } from "better-sqlite3";
import type { PermissionName } from "../../auth/permissions/permission.js";
import type { ApproverGrant, ExperimentPermission, PermissionStore, RegisteredModelPermission } from "../../auth/permissions/store.js";
import { SqliteConnection } from "./statement-cache.js";

interface ApproverRow {
  name: string;
  username: string;
  granted_by: string;
  granted_time: number;
}

const toApprover = (row: ApproverRow): ApproverGrant => ({
  name: row.name,
  username: row.username,
  grantedBy: row.granted_by,
  grantedTime: row.granted_time,
});

/** The PermissionStore on the shared better-sqlite3 connection (schema 019). */
export class SqlitePermissionStore implements PermissionStore {
  private readonly conn: SqliteConnection;

  constructor(db: Database) {
    this.conn = new SqliteConnection(db, 32);
  }

  async createExperimentPermission(grant: ExperimentPermission): Promise<boolean> {
    const result = this.conn
      .stmt("INSERT INTO experiment_permissions (experiment_id, username, permission) VALUES (?, ?, ?) ON CONFLICT DO NOTHING")
      .run(grant.experimentId, grant.username, grant.permission);
    return result.changes === 1;
  }

  async getExperimentPermission(experimentId: string, username: string): Promise<ExperimentPermission | undefined> {
    const row = this.conn
      .stmt("SELECT permission FROM experiment_permissions WHERE experiment_id = ? AND username = ?")
      .get(experimentId, username) as { permission: PermissionName } | undefined;
    return row === undefined ? undefined : { experimentId, username, permission: row.permission };
  }

  async updateExperimentPermission(grant: ExperimentPermission): Promise<boolean> {
    const result = this.conn
      .stmt("UPDATE experiment_permissions SET permission = ? WHERE experiment_id = ? AND username = ?")
      .run(grant.permission, grant.experimentId, grant.username);
    return result.changes === 1;
  }

  async deleteExperimentPermission(experimentId: string, username: string): Promise<boolean> {
    return this.conn.stmt("DELETE FROM experiment_permissions WHERE experiment_id = ? AND username = ?").run(experimentId, username).changes === 1;
  }

  async createModelPermission(grant: RegisteredModelPermission): Promise<boolean> {
    const result = this.conn
      .stmt("INSERT INTO registered_model_permissions (name, username, permission) VALUES (?, ?, ?) ON CONFLICT DO NOTHING")
      .run(grant.name, grant.username, grant.permission);
    return result.changes === 1;
  }

  async getModelPermission(name: string, username: string): Promise<RegisteredModelPermission | undefined> {
    const row = this.conn
      .stmt("SELECT permission FROM registered_model_permissions WHERE name = ? AND username = ?")
      .get(name, username) as { permission: PermissionName } | undefined;
    return row === undefined ? undefined : { name, username, permission: row.permission };
  }

  async updateModelPermission(grant: RegisteredModelPermission): Promise<boolean> {
    const result = this.conn
      .stmt("UPDATE registered_model_permissions SET permission = ? WHERE name = ? AND username = ?")
      .run(grant.permission, grant.name, grant.username);
    return result.changes === 1;
  }

  async deleteModelPermission(name: string, username: string): Promise<boolean> {
    return this.conn.stmt("DELETE FROM registered_model_permissions WHERE name = ? AND username = ?").run(name, username).changes === 1;
  }

  async experimentPermissionsOf(username: string, limit: number): Promise<ExperimentPermission[]> {
    // Experiment ids are decimal text: order them as numbers.
    const rows = this.conn
      .stmt("SELECT experiment_id, permission FROM experiment_permissions WHERE username = ? ORDER BY length(experiment_id), experiment_id LIMIT ?")
      .all(username, limit) as Array<{ experiment_id: string; permission: PermissionName }>;
    return rows.map((row) => ({ experimentId: row.experiment_id, username, permission: row.permission }));
  }

  async modelPermissionsOf(username: string, limit: number): Promise<RegisteredModelPermission[]> {
    const rows = this.conn
      .stmt("SELECT name, permission FROM registered_model_permissions WHERE username = ? ORDER BY name LIMIT ?")
      .all(username, limit) as Array<{ name: string; permission: PermissionName }>;
    return rows.map((row) => ({ name: row.name, username, permission: row.permission }));
  }

  async addApprover(grant: ApproverGrant): Promise<boolean> {
    const result = this.conn
      .stmt("INSERT INTO model_approvers (name, username, granted_by, granted_time) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING")
      .run(grant.name, grant.username, grant.grantedBy, grant.grantedTime);
    return result.changes === 1;
  }

  async removeApprover(name: string, username: string): Promise<boolean> {
    return this.conn.stmt("DELETE FROM model_approvers WHERE name = ? AND username = ?").run(name, username).changes === 1;
  }

  async listApprovers(name: string, limit: number): Promise<ApproverGrant[]> {
    const rows = this.conn.stmt("SELECT * FROM model_approvers WHERE name = ? ORDER BY username LIMIT ?").all(name, limit) as ApproverRow[];
    return rows.map(toApprover);
  }

  async isApprover(name: string, username: string): Promise<boolean> {
    return this.conn.stmt("SELECT 1 FROM model_approvers WHERE name = ? AND username = ?").get(name, username) !== undefined;
  }

  async renameModel(name: string, newName: string): Promise<void> {
    this.conn.write(() => {
      // A grant already held under the new name (left by a deleted model of that name) gives way to the moved one.
      for (const table of ["registered_model_permissions", "model_approvers"] as const) {
        this.conn.stmt(`DELETE FROM ${table} WHERE name = ?`).run(newName);
        this.conn.stmt(`UPDATE ${table} SET name = ? WHERE name = ?`).run(newName, name);
      }
    });
  }

  async deleteModel(name: string): Promise<void> {
    this.conn.write(() => {
      this.conn.stmt("DELETE FROM registered_model_permissions WHERE name = ?").run(name);
      this.conn.stmt("DELETE FROM model_approvers WHERE name = ?").run(name);
    });
  }

  async deleteUser(username: string): Promise<void> {
    this.conn.write(() => {
      this.conn.stmt("DELETE FROM experiment_permissions WHERE username = ?").run(username);
      this.conn.stmt("DELETE FROM registered_model_permissions WHERE username = ?").run(username);
      this.conn.stmt("DELETE FROM model_approvers WHERE username = ?").run(username);
    });
  }
}
