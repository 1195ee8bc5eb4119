import type { WriteContext } from "../../core/actor.js";
import { invalidParameter, notFound } from "../../core/errors.js";
import { atomically, type AuditRecorder, noAudit } from "../../audit/recorder.js";
import type { ModelVersion } from "../../protocol/mlflow/registry-entities.js";
import type { TrackingStore } from "../../tracking/store.js";
import type { GovernanceStore, ModelCardFields, StoredModelCard } from "../governance-store.js";
import type { RegistryStore } from "../store.js";
import type { EvaluationMetric, ModelCard } from "./model-card.js";
import { versionEntity } from "../registry-writes.js";

export const CARD_LIMITS = { maxTextLength: 65536, maxOwners: 100, maxOwnerLength: 256 } as const;

export interface ModelCardServiceOptions {
  audit?: AuditRecorder;
  clock?: () => number;
}

/** Fields to change; an absent field keeps its value, so a CLI can set one field at a time. */
export type CardUpdate = Partial<ModelCardFields>;

const TEXT_FIELDS = {
  description: "description",
  intendedUse: "intended_use",
  trainingData: "training_data",
  limitations: "limitations",
  ethicalConsiderations: "ethical_considerations",
} as const satisfies Record<string, string>;

const EMPTY_FIELDS: ModelCardFields = {
  description: "",
  intendedUse: "",
  trainingData: "",
  limitations: "",
  ethicalConsiderations: "",
  owners: [],
};

const validateUpdate = (update: CardUpdate): void => {
  for (const [field, wire] of Object.entries(TEXT_FIELDS) as Array<[keyof typeof TEXT_FIELDS, string]>) {
    const value = update[field];
    if (value !== undefined && value.length > CARD_LIMITS.maxTextLength) {
      throw invalidParameter(`'${wire}' is ${value.length} characters long; at most ${CARD_LIMITS.maxTextLength} are allowed.`);
    }
  }
  if (update.owners !== undefined) {
    if (update.owners.length > CARD_LIMITS.maxOwners) {
      throw invalidParameter(`'owners' has ${update.owners.length} entries; at most ${CARD_LIMITS.maxOwners} are allowed.`);
    }
    update.owners.forEach((owner, index) => {
      if (owner.trim() === "" || owner.length > CARD_LIMITS.maxOwnerLength) {
        throw invalidParameter(`'owners[${index}]' must be 1 to ${CARD_LIMITS.maxOwnerLength} characters long.`);
      }
    });
  }
};

const fieldsOf = (card: StoredModelCard | undefined): ModelCardFields =>
  card === undefined
    ? EMPTY_FIELDS
    : {
        description: card.description,
        intendedUse: card.intendedUse,
        trainingData: card.trainingData,
        limitations: card.limitations,
        ethicalConsiderations: card.ethicalConsiderations,
        owners: card.owners,
      };

const snapshot = (fields: ModelCardFields) => ({
  description: fields.description,
  intended_use: fields.intendedUse,
  training_data: fields.trainingData,
  limitations: fields.limitations,
  ethical_considerations: fields.ethicalConsiderations,
  owners: fields.owners,
});

/** Model cards per version: the authors' fields stored here, the evaluation metrics read live from the run. */
export class ModelCardService {
  private readonly audit: AuditRecorder;
  private readonly clock: () => number;

  constructor(
    private readonly store: GovernanceStore,
    private readonly registry: Pick<RegistryStore, "getModelVersion">,
    private readonly runs: Pick<TrackingStore, "getRun">,
    options: ModelCardServiceOptions = {},
  ) {
    this.audit = options.audit ?? noAudit;
    this.clock = options.clock ?? Date.now;
  }

  async setCard(name: string, version: string, update: CardUpdate, ctx: WriteContext): Promise<ModelCard> {
    return atomically(this.audit, async () => {
      validateUpdate(update);
      const modelVersion = await this.requireVersion(name, version);
      const before = await this.store.getCard(name, version);
      const base = fieldsOf(before);
      const fields: ModelCardFields = {
        description: update.description ?? base.description,
        intendedUse: update.intendedUse ?? base.intendedUse,
        trainingData: update.trainingData ?? base.trainingData,
        limitations: update.limitations ?? base.limitations,
        ethicalConsiderations: update.ethicalConsiderations ?? base.ethicalConsiderations,
        owners: update.owners ?? base.owners,
      };
      const stored: StoredModelCard = { ...fields, name, version, updatedBy: ctx.actor, updatedTime: this.clock() };
      await this.store.putCard(stored);
      await this.audit.record(ctx, {
        action: "governance.model_card.set",
        entityType: "model_version",
        entityId: versionEntity(name, version),
        before: before === undefined ? null : snapshot(fieldsOf(before)),
        after: snapshot(fields),
      });
      return this.compose(modelVersion, stored);
    });
  }

  /** The card of a version; a version nobody documented yet has an empty card with its run's metrics. */
  async getCard(name: string, version: string): Promise<ModelCard> {
    const modelVersion = await this.requireVersion(name, version);
    return this.compose(modelVersion, await this.store.getCard(name, version));
  }

  private async compose(version: ModelVersion, stored: StoredModelCard | undefined): Promise<ModelCard> {
    const fields = fieldsOf(stored);
    const runId = version.run_id === undefined || version.run_id === "" ? undefined : version.run_id;
    return {
      name: version.name,
      version: version.version,
      ...(runId === undefined ? {} : { run_id: runId }),
      ...(version.model_id ? { model_id: version.model_id } : {}),
      description: fields.description,
      intended_use: fields.intendedUse,
      training_data: fields.trainingData,
      evaluation_metrics: runId === undefined ? [] : await this.metricsOf(runId),
      limitations: fields.limitations,
      ethical_considerations: fields.ethicalConsiderations,
      owners: fields.owners,
      ...(stored === undefined ? {} : { updated_by: stored.updatedBy, updated_time: stored.updatedTime }),
    };
  }

  /** The latest value of each metric of the run, by key. */
  private async metricsOf(runId: string): Promise<EvaluationMetric[]> {
    const run = await this.runs.getRun(runId);
    if (run === undefined) return [];
    return run.data.metrics
      .map(({ key, value, step }) => ({ key, value, step }))
      .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  }

  private async requireVersion(name: string, version: string): Promise<ModelVersion> {
    const found = await this.registry.getModelVersion(name, version);
    if (found === undefined) throw notFound(`Model Version (name=${name}, version=${version}) not found`);
    return found;
  }
}
