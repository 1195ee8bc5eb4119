import type { PermissionName } from "../../auth/permissions/permission.js";
import type { ApproverGrant, ExperimentPermission, PermissionStore, RegisteredModelPermission } from "../../auth/permissions/store.js";
import type { PgDatabase } from "./pg-database.js";

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

/** The PermissionStore on PostgreSQL (schema/003-audit.ts), statement for statement as SqlitePermissionStore. */
export class PgPermissionStore implements PermissionStore {
  constructor(private readonly db: PgDatabase) {}

  async createExperimentPermission(grant: ExperimentPermission): Promise<boolean> {
    const sql = "INSERT INTO experiment_permissions (experiment_id, username, permission) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING";
    return (await this.db.execute(sql, [grant.experimentId, grant.username, grant.permission])) === 1;
  }

  async getExperimentPermission(experimentId: string, username: string): Promise<ExperimentPermission | undefined> {
    const row = await this.db.one<{ permission: PermissionName }>(
      "SELECT permission FROM experiment_permissions WHERE experiment_id = $1 AND username = $2",
      [experimentId, username],
    );
    return row === undefined ? undefined : { experimentId, username, permission: row.permission };
  }

  async updateExperimentPermission(grant: ExperimentPermission): Promise<boolean> {
    const sql = "UPDATE experiment_permissions SET permission = $1 WHERE experiment_id = $2 AND username = $3";
    return (await this.db.execute(sql, [grant.permission, grant.experimentId, grant.username])) === 1;
  }

  async deleteExperimentPermission(experimentId: string, username: string): Promise<boolean> {
    return (await this.db.execute("DELETE FROM experiment_permissions WHERE experiment_id = $1 AND username = $2", [experimentId, username])) === 1;
  }

  async createModelPermission(grant: RegisteredModelPermission): Promise<boolean> {
    const sql = "INSERT INTO registered_model_permissions (name, username, permission) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING";
    return (await this.db.execute(sql, [grant.name, grant.username, grant.permission])) === 1;
  }

  async getModelPermission(name: string, username: string): Promise<RegisteredModelPermission | undefined> {
    const row = await this.db.one<{ permission: PermissionName }>(
      "SELECT permission FROM registered_model_permissions WHERE name = $1 AND username = $2",
      [name, username],
    );
    return row === undefined ? undefined : { name, username, permission: row.permission };
  }

  async updateModelPermission(grant: RegisteredModelPermission): Promise<boolean> {
    const sql = "UPDATE registered_model_permissions SET permission = $1 WHERE name = $2 AND username = $3";
    return (await this.db.execute(sql, [grant.permission, grant.name, grant.username])) === 1;
  }

  async deleteModelPermission(name: string, username: string): Promise<boolean> {
    return (await this.db.execute("DELETE FROM registered_model_permissions WHERE name = $1 AND username = $2", [name, username])) === 1;
  }

  async experimentPermissionsOf(username: string, limit: number): Promise<ExperimentPermission[]> {
    // Experiment ids are decimal text: order them as numbers.
    const rows = await this.db.query<{ experiment_id: string; permission: PermissionName }>(
      "SELECT experiment_id, permission FROM experiment_permissions WHERE username = $1 ORDER BY length(experiment_id), experiment_id LIMIT $2",
      [username, limit],
    );
    return rows.map((row) => ({ experimentId: row.experiment_id, username, permission: row.permission }));
  }

  async modelPermissionsOf(username: string, limit: number): Promise<RegisteredModelPermission[]> {
    const rows = await this.db.query<{ name: string; permission: PermissionName }>(
      "SELECT name, permission FROM registered_model_permissions WHERE username = $1 ORDER BY name LIMIT $2",
      [username, limit],
    );
    return rows.map((row) => ({ name: row.name, username, permission: row.permission }));
  }

  async addApprover(grant: ApproverGrant): Promise<boolean> {
    const sql = "INSERT INTO model_approvers (name, username, granted_by, granted_time) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING";
    return (await this.db.execute(sql, [grant.name, grant.username, grant.grantedBy, grant.grantedTime])) === 1;
  }

  async removeApprover(name: string, username: string): Promise<boolean> {
    return (await this.db.execute("DELETE FROM model_approvers WHERE name = $1 AND username = $2", [name, username])) === 1;
  }

  async listApprovers(name: string, limit: number): Promise<ApproverGrant[]> {
    const rows = await this.db.query<ApproverRow>(
      "SELECT name, username, granted_by, granted_time FROM model_approvers WHERE name = $1 ORDER BY username LIMIT $2",
      [name, limit],
    );
    return rows.map(toApprover);
  }

  async isApprover(name: string, username: string): Promise<boolean> {
    return (await this.db.one("SELECT 1 AS present FROM model_approvers WHERE name = $1 AND username = $2", [name, username])) !== undefined;
  }

  async renameModel(name: string, newName: string): Promise<void> {
    await this.db.transaction(async () => {
      // A grant already held under the new name (left by a deleted model of that name) gives way to the moved one.
      for (const table of ["registered_model_permissions", "model_approvers"] as const) {
        await this.db.execute(`DELETE FROM ${table} WHERE name = $1`, [newName]);
        await this.db.execute(`UPDATE ${table} SET name = $1 WHERE name = $2`, [newName, name]);
      }
    });
  }

  async deleteModel(name: string): Promise<void> {
    await this.db.transaction(async () => {
      await this.db.execute("DELETE FROM registered_model_permissions WHERE name = $1", [name]);
      await this.db.execute("DELETE FROM model_approvers WHERE name = $1", [name]);
    });
  }

  async deleteUser(username: string): Promise<void> {
    await this.db.transaction(async () => {
      await this.db.execute("DELETE FROM experiment_permissions WHERE username = $1", [username]);
      await this.db.execute("DELETE FROM registered_model_permissions WHERE username = $1", [username]);
      await this.db.execute("DELETE FROM model_approvers WHERE username = $1", [username]);
    });
  }
}
