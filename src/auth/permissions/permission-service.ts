import type { WriteContext } from "../../core/actor.js";
import { alreadyExists, notFound } from "../../core/errors.js";
import { systemClock, type Clock } from "../../core/clock.js";
import type { AuditRecorder } from "../../audit/recorder.js";
import type { Principal } from "../principal.js";
import { canonicalUsername } from "../usernames.js";
import { allows, levelFor, type PermissionName } from "./permission.js";
import type { Requirement } from "./rule.js";
import type { ApproverGrant, ExperimentPermission, PermissionStore, RegisteredModelPermission } from "./store.js";

/** Who exists: authentication's user store, seen through the one question authorization asks of it. */
export interface UserDirectory {
  /** The user's id as MLflow's permission answers carry it (`user_id`), or undefined when there is no such user. */
  userIdOf(username: string): Promise<number | undefined>;
}

/** That a resource exists: each throws the owning domain's own 404 when it does not. */
export interface ResourceExistence {
  experiment(experimentId: string): Promise<void>;
  registeredModel(name: string): Promise<void>;
}

export interface PermissionServiceOptions {
  /** The permission of a user on a resource without an explicit grant (MLflow's default_permission: READ). */
  defaultPermission: PermissionName;
  users: UserDirectory;
  exists: ResourceExistence;
  audit: AuditRecorder;
  clock?: Clock;
}

/** A grant as MLflow's permission endpoints answer it. */
export interface ExperimentPermissionView extends ExperimentPermission {
  userId: number;
}
export interface RegisteredModelPermissionView extends RegisteredModelPermission {
  userId: number;
}

/**
 * The rules of authorization: what a user may do (an explicit grant, else the default; administrators may do
 * anything), and the grants themselves with MLflow's errors. Every grant change is audited.
 */
export class PermissionService {
  private readonly clock: Clock;

  constructor(
    private readonly store: PermissionStore,
    private readonly options: PermissionServiceOptions,
  ) {
    this.clock = options.clock ?? systemClock;
  }

  get defaultPermission(): PermissionName {
    return this.options.defaultPermission;
  }

  async experimentPermission(username: string, experimentId: string): Promise<PermissionName> {
    return (await this.store.getExperimentPermission(experimentId, username))?.permission ?? this.options.defaultPermission;
  }

  async modelPermission(username: string, name: string): Promise<PermissionName> {
    return (await this.store.getModelPermission(name, username))?.permission ?? this.options.defaultPermission;
  }

  /** Whether the principal meets one requirement; administrators meet every one. */
  async meets(principal: Principal, requirement: Requirement): Promise<boolean> {
    if (principal.isAdmin) return true;
    switch (requirement.on) {
      case "experiment":
        return allows(await this.experimentPermission(principal.username, requirement.id), requirement.capability);
      case "registered_model":
        return allows(await this.modelPermission(principal.username, requirement.name), requirement.capability);
      case "approver":
        return this.store.isApprover(requirement.name, principal.username);
      case "self":
        return principal.username === canonicalUsername(requirement.username);
      case "admin":
        return false;
    }
  }

  // --- MLflow's permission endpoints -------------------------------------------------------------------------

  private async userId(username: string): Promise<number> {
    const id = await this.options.users.userIdOf(username);
    if (id === undefined) throw notFound(`User with username=${username} not found`);
    return id;
  }

  async createExperimentPermission(grant: ExperimentPermission, ctx: WriteContext): Promise<ExperimentPermissionView> {
    await this.options.exists.experiment(grant.experimentId);
    const userId = await this.userId(grant.username);
    if (!(await this.store.createExperimentPermission(grant))) {
      throw alreadyExists(`Experiment permission (experiment_id=${grant.experimentId}, username=${grant.username}) already exists`);
    }
    await this.auditExperiment(ctx, "create", grant.experimentId, undefined, grant);
    return { ...grant, userId };
  }

  async getExperimentPermission(experimentId: string, username: string): Promise<ExperimentPermissionView> {
    const userId = await this.userId(username);
    const grant = await this.store.getExperimentPermission(experimentId, username);
    if (grant === undefined) throw missingExperimentGrant(experimentId, username);
    return { ...grant, userId };
  }

  async updateExperimentPermission(grant: ExperimentPermission, ctx: WriteContext): Promise<void> {
    const before = await this.getExperimentPermission(grant.experimentId, grant.username);
    await this.store.updateExperimentPermission(grant);
    await this.auditExperiment(ctx, "update", grant.experimentId, before.permission, grant);
  }

  async deleteExperimentPermission(experimentId: string, username: string, ctx: WriteContext): Promise<void> {
    const before = await this.getExperimentPermission(experimentId, username);
    await this.store.deleteExperimentPermission(experimentId, username);
    await this.auditExperiment(ctx, "delete", experimentId, before.permission, undefined, username);
  }

  async createModelPermission(grant: RegisteredModelPermission, ctx: WriteContext): Promise<RegisteredModelPermissionView> {
    await this.options.exists.registeredModel(grant.name);
    const userId = await this.userId(grant.username);
    if (!(await this.store.createModelPermission(grant))) {
      throw alreadyExists(`Registered model permission (name=${grant.name}, username=${grant.username}) already exists`);
    }
    await this.auditModel(ctx, "create", grant.name, undefined, grant);
    return { ...grant, userId };
  }

  async getModelPermission(name: string, username: string): Promise<RegisteredModelPermissionView> {
    const userId = await this.userId(username);
    const grant = await this.store.getModelPermission(name, username);
    if (grant === undefined) throw missingModelGrant(name, username);
    return { ...grant, userId };
  }

  async updateModelPermission(grant: RegisteredModelPermission, ctx: WriteContext): Promise<void> {
    const before = await this.getModelPermission(grant.name, grant.username);
    await this.store.updateModelPermission(grant);
    await this.auditModel(ctx, "update", grant.name, before.permission, grant);
  }

  async deleteModelPermission(name: string, username: string, ctx: WriteContext): Promise<void> {
    const before = await this.getModelPermission(name, username);
    await this.store.deleteModelPermission(name, username);
    await this.auditModel(ctx, "delete", name, before.permission, undefined, username);
  }

  /** A user's grants as MLflow's users/get lists them (with the user's id). */
  async grantsOf(username: string, userId: number, limit: number): Promise<{ experiment_permissions: object[]; registered_model_permissions: object[] }> {
    const experiments = await this.store.experimentPermissionsOf(username, limit);
    const models = await this.store.modelPermissionsOf(username, limit);
    return {
      experiment_permissions: experiments.map((grant) => ({ experiment_id: grant.experimentId, user_id: userId, permission: grant.permission })),
      registered_model_permissions: models.map((grant) => ({ name: grant.name, user_id: userId, permission: grant.permission })),
    };
  }

  // --- What follows other writes ------------------------------------------------------------------------------

  /** The creator of an experiment manages it (MLflow's after-request handler of CreateExperiment). */
  async grantCreatorOfExperiment(experimentId: string, username: string, ctx: WriteContext): Promise<void> {
    const grant: ExperimentPermission = { experimentId, username, permission: "MANAGE" };
    if (await this.store.createExperimentPermission(grant)) await this.auditExperiment(ctx, "create", experimentId, undefined, grant);
  }

  async grantCreatorOfModel(name: string, username: string, ctx: WriteContext): Promise<void> {
    const grant: RegisteredModelPermission = { name, username, permission: "MANAGE" };
    // A grant left under this name by a deleted model is replaced: the new model's creator manages it.
    if (!(await this.store.createModelPermission(grant))) await this.store.updateModelPermission(grant);
    await this.auditModel(ctx, "create", name, undefined, grant);
  }

  /** A deleted user keeps no grants (a new user of the same name starts from the default). */
  async forgetUser(username: string): Promise<void> {
    await this.store.deleteUser(username);
  }

  // --- Approvers (Cairn) ------------------------------------------------------------------------------------

  async addApprover(name: string, username: string, ctx: WriteContext): Promise<ApproverGrant> {
    await this.options.exists.registeredModel(name);
    await this.userId(username);
    const grant: ApproverGrant = { name, username, grantedBy: ctx.actor.name, grantedTime: this.clock() };
    if (!(await this.store.addApprover(grant))) throw alreadyExists(`User '${username}' already is an approver of registered model '${name}'`);
    await this.options.audit.record(ctx, { action: "auth.approver.create", entityType: "registered_model", entityId: name, after: { username } });
    return grant;
  }

  async removeApprover(name: string, username: string, ctx: WriteContext): Promise<void> {
    if (!(await this.store.removeApprover(name, username))) throw notFound(`User '${username}' is not an approver of registered model '${name}'`);
    await this.options.audit.record(ctx, { action: "auth.approver.delete", entityType: "registered_model", entityId: name, before: { username } });
  }

  async listApprovers(name: string, limit: number): Promise<ApproverGrant[]> {
    return this.store.listApprovers(name, limit);
  }

  private async auditExperiment(
    ctx: WriteContext,
    verb: "create" | "update" | "delete",
    experimentId: string,
    before: PermissionName | undefined,
    after: ExperimentPermission | undefined,
    username = after?.username,
  ): Promise<void> {
    await this.options.audit.record(ctx, {
      action: `auth.experiment_permission.${verb}`,
      entityType: "experiment",
      entityId: experimentId,
      ...(before !== undefined ? { before: { username, permission: before } } : {}),
      ...(after !== undefined ? { after: { username, permission: after.permission } } : {}),
    });
  }

  private async auditModel(
    ctx: WriteContext,
    verb: "create" | "update" | "delete",
    name: string,
    before: PermissionName | undefined,
    after: RegisteredModelPermission | undefined,
    username = after?.username,
  ): Promise<void> {
    await this.options.audit.record(ctx, {
      action: `auth.registered_model_permission.${verb}`,
      entityType: "registered_model",
      entityId: name,
      ...(before !== undefined ? { before: { username, permission: before } } : {}),
      ...(after !== undefined ? { after: { username, permission: after.permission } } : {}),
    });
  }
}

const missingExperimentGrant = (experimentId: string, username: string) =>
  notFound(`Experiment permission with experiment_id=${experimentId} and username=${username} not found`);
const missingModelGrant = (name: string, username: string) => notFound(`Registered model permission with name=${name} and username=${username} not found`);

/** The least level a requirement names, for denial messages. */
export const describeNeed = (requirement: Requirement): string => {
  switch (requirement.on) {
    case "experiment":
      return `${levelFor(requirement.capability)} on experiment '${requirement.id}'`;
    case "registered_model":
      return `${levelFor(requirement.capability)} on registered model '${requirement.name}'`;
    case "approver":
      return `the approver permission on registered model '${requirement.name}'`;
    case "admin":
      return "an administrator";
    case "self":
      return `to be user '${requirement.username}' or an administrator`;
  }
};
