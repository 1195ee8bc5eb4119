import type { WriteContext } from "../core/actor.js";
import { invalidParameter } from "../core/errors.js";
import { RegistryEventType } from "../core/events.js";
import type { ModelStage, ModelVersion } from "../protocol/mlflow/registry-entities.js";
import type { PromotionEnforcement } from "./promotion-enforcement.js";
import { versionEntity, type RegistryWrites } from "./registry-writes.js";
import { ACTIVE_STAGES, canonicalStage } from "./validation.js";

/** How many versions of a model one read takes while it looks for those that archive_existing_versions archives. */
const NAME_FILTER_PAGE = 1000;

/**
 * MLflow's model version stages (None, Staging, Production, Archived; deprecated in MLflow for aliases, still served):
 * a transition passes the same promotion gate as an alias move, and archiving the versions it displaces audits each.
 */
export class ModelStages {
  constructor(
    private readonly writes: RegistryWrites,
    private readonly gate: PromotionEnforcement,
  ) {}

  async transition(name: string, version: string, stage: string, archiveExistingVersions: boolean, ctx: WriteContext): Promise<ModelVersion> {
    const target = canonicalStage(stage);
    if (archiveExistingVersions && !ACTIVE_STAGES.includes(target)) {
      throw invalidParameter(
        `Model version transition cannot archive existing model versions because '${stage}' is not an Active ` +
          `stage. Valid stages are ['Staging', 'Production']`,
      );
    }
    const existing = await this.writes.modelVersion(name, version);
    await this.gate.require(existing, { kind: "stage", stage: target }, ctx);
    return this.writes.atomic(async () => {
      const archived = archiveExistingVersions ? await this.versionsInStage(name, target, existing.version) : [];
      const updated = await this.writes.store.transitionStage(name, existing.version, target, archiveExistingVersions, this.writes.clock());
      await this.writes.audit.record(ctx, {
        action: "registry.stage.transition",
        entityType: "model_version",
        entityId: versionEntity(name, updated.version),
        before: { stage: existing.current_stage },
        after: { stage: updated.current_stage, archived_versions: archived },
      });
      for (const other of archived) {
        await this.writes.audit.record(ctx, {
          action: "registry.stage.transition",
          entityType: "model_version",
          entityId: versionEntity(name, other),
          before: { stage: target },
          after: { stage: "Archived", archived_by: updated.version },
        });
      }
      await this.writes.events.publish(RegistryEventType.STAGE_CHANGED, ctx, {
        name,
        version: updated.version,
        stage: updated.current_stage,
        previous_stage: existing.current_stage,
        archived_versions: archived,
      });
      return updated;
    });
  }

  /** The newest version of `name` in each of `stages` (every stage when none is named): MLflow's GetLatestVersions. */
  async latestVersions(name: string, stages: readonly string[]): Promise<ModelVersion[]> {
    const canonical = stages.map(canonicalStage);
    await this.writes.registeredModel(name);
    return this.writes.store.getLatestVersions(name, [...new Set(canonical)]);
  }

  /** The other versions of `name` now in `stage`: those that archive_existing_versions will move to Archived. */
  private async versionsInStage(name: string, stage: ModelStage, except: string): Promise<string[]> {
    const found: string[] = [];
    let pageToken: string | undefined;
    do {
      const page = await this.writes.store.searchModelVersions({
        filter: [{ entity: "attribute", key: "name", comparator: "=", value: name }],
        orderBy: [],
        maxResults: NAME_FILTER_PAGE,
        ...(pageToken ? { pageToken } : {}),
      });
      for (const version of page.items) {
        if (version.current_stage === stage && version.version !== except) found.push(version.version);
      }
      pageToken = page.nextPageToken;
    } while (pageToken);
    return found.sort((a, b) => Number(a) - Number(b));
  }
}
