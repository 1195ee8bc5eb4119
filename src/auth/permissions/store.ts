import type { PermissionName } from "./permission.js";

/** One user's permission on one experiment (MLflow's ExperimentPermission). */
export interface ExperimentPermission {
  experimentId: string;
  username: string;
  permission: PermissionName;
}

/** One user's permission on one registered model (MLflow's RegisteredModelPermission). */
export interface RegisteredModelPermission {
  name: string;
  username: string;
  permission: PermissionName;
}

/** A user named as an approver of a registered model's promotions (Cairn's own grant, managed by admins). */
export interface ApproverGrant {
  name: string;
  username: string;
  grantedBy: string;
  grantedTime: number;
}

/**
 * The storage of authorization: explicit grants only (the default permission is the service's rule, not a row).
 * Keys are as MLflow's: experiment id, registered model name, and the user's case-normalized name. Renames and
 * deletes of registered models must be followed by renameModel / deleteModel so that grants follow their model.
 */
export interface PermissionStore {
  /** Returns false when the user already has a permission on the experiment (nothing changed). */
  createExperimentPermission(grant: ExperimentPermission): Promise<boolean>;
  getExperimentPermission(experimentId: string, username: string): Promise<ExperimentPermission | undefined>;
  /** Returns false when there was no such permission. */
  updateExperimentPermission(grant: ExperimentPermission): Promise<boolean>;
  deleteExperimentPermission(experimentId: string, username: string): Promise<boolean>;

  createModelPermission(grant: RegisteredModelPermission): Promise<boolean>;
  getModelPermission(name: string, username: string): Promise<RegisteredModelPermission | undefined>;
  updateModelPermission(grant: RegisteredModelPermission): Promise<boolean>;
  deleteModelPermission(name: string, username: string): Promise<boolean>;

  /** A user's explicit grants (MLflow's users/get lists them), ordered by experiment id / model name; at most `limit`. */
  experimentPermissionsOf(username: string, limit: number): Promise<ExperimentPermission[]>;
  modelPermissionsOf(username: string, limit: number): Promise<RegisteredModelPermission[]>;

  /** Returns false when the user already is an approver of the model. */
  addApprover(grant: ApproverGrant): Promise<boolean>;
  removeApprover(name: string, username: string): Promise<boolean>;
  /** A model's approvers, ordered by user name; at most `limit`. */
  listApprovers(name: string, limit: number): Promise<ApproverGrant[]>;
  isApprover(name: string, username: string): Promise<boolean>;

  /** Moves every grant (permissions and approvers) of model `name` to `newName`. */
  renameModel(name: string, newName: string): Promise<void>;
  /** Deletes every grant of the model. */
  deleteModel(name: string): Promise<void>;
  /** Deletes every grant of a user (the user was deleted). */
  deleteUser(username: string): Promise<void>;
}
