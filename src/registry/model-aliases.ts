import type { WriteContext } from "../core/actor.js";
import { invalidParameter } from "../core/errors.js";
import type { ModelVersion } from "../protocol/mlflow/registry-entities.js";
import { hasPromptTag } from "./prompts.js";
import type { GatedChange, GatedOutcome, PromotionEnforcement } from "./promotion-enforcement.js";
import type { AliasRemoval } from "./registry-events.js";
import type { RegistryWrites } from "./registry-writes.js";
import { validateAliasName, validateModelName } from "./validation.js";

/**
 * A registered model's aliases (champion -> version 3): what deployments that follow an alias serve. An alias moves
 * only through the promotion gate, and every end of one (deleted, or gone with its model or version) is audited and
 * announced, so that an alias's history in the audit trail is complete.
 */
export class ModelAliases {
  constructor(
    private readonly writes: RegistryWrites,
    private readonly gate: PromotionEnforcement,
  ) {}

  /**
   * Moves an alias through the promotion gate: the one path by which what an alias names changes, for the MLflow
   * route, Cairn's API and deployments that follow the alias (their promote and rollback are this call).
   */
  async set(name: string, alias: string, version: string, ctx: WriteContext, change: GatedChange = {}): Promise<GatedOutcome> {
    validateModelName(name);
    validateAliasName(alias);
    const target = await this.writes.modelVersion(name, version);
    const outcome = await this.gate.require(target, { kind: "alias", alias }, ctx, change);
    return this.writes.atomic(async () => {
      const { previousVersion } = await this.writes.store.setAlias(name, alias, target.version, this.writes.clock());
      await this.writes.audit.record(ctx, {
        action: "registry.alias.set",
        entityType: "registered_model",
        entityId: name,
        before: previousVersion !== undefined ? { alias, version: previousVersion } : null,
        after: {
          alias,
          version: target.version,
          ...(change.reason !== undefined ? { reason: change.reason } : {}),
          ...(outcome.approvalsSkipped !== undefined ? { approvals_skipped: outcome.approvalsSkipped } : {}),
        },
      });
      await this.writes.events.aliasSet(target, alias, previousVersion, ctx);
      return outcome;
    });
  }

  /** Removing an alias that does not exist is not an error (MLflow's behaviour), and not a change worth auditing. */
  async delete(name: string, alias: string, ctx: WriteContext): Promise<void> {
    if (alias === "") throw invalidParameter("Registered model alias name cannot be empty.");
    await this.writes.atomic(async () => {
      const model = await this.writes.registeredModel(name);
      const { previousVersion } = await this.writes.store.deleteAlias(name, alias, this.writes.clock());
      if (previousVersion !== undefined) await this.recordRemoved(name, alias, previousVersion, "alias_deleted", hasPromptTag(model.tags), ctx);
    });
  }

  /**
   * An alias that ended (deleted, or gone with its model or version): audited as deleted and announced, so that its
   * history ends. `prompt`: whether the model is a prompt, which the caller has read already.
   */
  async recordRemoved(name: string, alias: string, version: string, reason: AliasRemoval, prompt: boolean, ctx: WriteContext): Promise<void> {
    await this.writes.audit.record(ctx, {
      action: "registry.alias.delete",
      entityType: "registered_model",
      entityId: name,
      before: { alias, version },
      after: null,
    });
    await this.writes.events.aliasRemoved(name, alias, version, reason, prompt, ctx);
  }

  async versionOf(name: string, alias: string): Promise<ModelVersion> {
    if (alias === "") throw invalidParameter("Registered model alias name cannot be empty.");
    const version = await this.writes.store.getVersionByAlias(name, alias);
    if (version) return version;
    await this.writes.registeredModel(name);
    // MLflow's code for this error (sqlalchemy_store.get_model_version_by_alias).
    throw invalidParameter(`Registered model alias ${alias} not found.`);
  }
}
