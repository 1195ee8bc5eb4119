import { ANONYMOUS, type WriteContext } from "../../core/actor.js";
import { CairnError, ErrorCode, invalidParameter, notFound } from "../../core/errors.js";
import { atomically, type AuditRecorder, noAudit } from "../../audit/recorder.js";
import type { ModelVersion } from "../../protocol/mlflow/registry-entities.js";
import type { TrackingStore } from "../../tracking/store.js";
import {
  type GovernanceStore,
  type StoredApproval,
  METRIC_COMPARATORS,
  type MetricThreshold,
  type PromotionRule,
  type RequiredTag,
} from "../governance-store.js";
import {
  formatPromotionTarget,
  type PromotionCheckOptions,
  type PromotionGate,
  type PromotionTarget,
  type PromotionVerdict,
} from "../promotion-gate.js";
import type { RegistryStore } from "../store.js";
import { checkApprovals, checkMetricThreshold, checkRequiredTag, normalizeActorName, type SourceRun } from "./rule-checks.js";
import { parsePromotionTarget } from "./target.js";
import { versionEntity } from "../registry-writes.js";

export const PROMOTION_LIMITS = {
  maxRequiredTags: 100,
  maxMetricThresholds: 100,
  maxRequiredApprovals: 100,
  maxKeyLength: 250,
  maxTagValueLength: 5000,
  maxCommentLength: 5000,
  /** Default and ceiling of one page of the approvals listing. */
  approvalsPageDefault: 100,
  approvalsPageMax: 1000,
} as const;

export interface PromotionServiceOptions {
  audit?: AuditRecorder;
  clock?: () => number;
  /**
   * With `--auth` on: only approvals by authenticated users count (approvals declared while auth was off are kept and
   * listed, but a gate no longer trusts them), and an unverified actor cannot approve.
   */
  verifiedApprovalsOnly?: boolean;
}

export interface RuleInput {
  name: string;
  target: string;
  requiredTags: RequiredTag[];
  metricThresholds: MetricThreshold[];
  requiredApprovals: number;
  /** Default false: rules written before the option existed keep their meaning. */
  forbidSelfApproval?: boolean;
}

export interface ApprovalInput {
  name: string;
  version: string;
  target: string;
  comment?: string;
}

export interface ApprovalRef {
  name: string;
  version: string;
  target: string;
}

export interface ApprovalListing {
  name: string;
  version?: string;
  target?: string;
  includeRevoked?: boolean;
  maxResults?: number;
  pageToken?: string;
}

export type RegistryReads = Pick<RegistryStore, "getRegisteredModel" | "getModelVersion">;
export type RunReads = Pick<TrackingStore, "getRun">;

const modelNotFound = (name: string): CairnError => notFound(`Registered Model with name=${name} not found`);
const versionNotFound = (name: string, version: string): CairnError =>
  notFound(`Model Version (name=${name}, version=${version}) not found`);

/** Anonymous requests may read and propose, but an approval must be attributable to someone. */
const isAnonymous = (ctx: WriteContext): boolean => !ctx.actor.verified && ctx.actor.name === ANONYMOUS.name;

const validateRule = (input: RuleInput): void => {
  const limits = PROMOTION_LIMITS;
  if (input.requiredTags.length > limits.maxRequiredTags) {
    throw invalidParameter(`'required_tags' has ${input.requiredTags.length} entries; at most ${limits.maxRequiredTags} are allowed.`);
  }
  if (input.metricThresholds.length > limits.maxMetricThresholds) {
    throw invalidParameter(
      `'metric_thresholds' has ${input.metricThresholds.length} entries; at most ${limits.maxMetricThresholds} are allowed.`,
    );
  }
  input.requiredTags.forEach((tag, index) => {
    if (tag.key === "" || tag.key.length > limits.maxKeyLength) {
      throw invalidParameter(`'required_tags[${index}].key' must be 1 to ${limits.maxKeyLength} characters long.`);
    }
    if (tag.value.length > limits.maxTagValueLength) {
      throw invalidParameter(`'required_tags[${index}].value' is longer than ${limits.maxTagValueLength} characters.`);
    }
  });
  input.metricThresholds.forEach((threshold, index) => {
    if (threshold.metric === "" || threshold.metric.length > limits.maxKeyLength) {
      throw invalidParameter(`'metric_thresholds[${index}].metric' must be 1 to ${limits.maxKeyLength} characters long.`);
    }
    if (!METRIC_COMPARATORS.includes(threshold.comparator)) {
      throw invalidParameter(`'metric_thresholds[${index}].comparator' must be one of ${METRIC_COMPARATORS.join(", ")}.`);
    }
    if (!Number.isFinite(threshold.value)) {
      throw invalidParameter(`'metric_thresholds[${index}].value' must be a finite number.`);
    }
  });
  if (!Number.isInteger(input.requiredApprovals) || input.requiredApprovals < 0 || input.requiredApprovals > limits.maxRequiredApprovals) {
    throw invalidParameter(`'required_approvals' must be an integer from 0 to ${limits.maxRequiredApprovals}.`);
  }
};

/**
 * Promotion rules per (registered model, target) and approvals per (version, target): the gate the registry asks
 * before an alias moves or a stage changes. check() never throws for an unmet rule; it lists every unmet rule.
 */
export class PromotionService implements PromotionGate {
  private readonly audit: AuditRecorder;
  private readonly clock: () => number;
  private readonly verifiedApprovalsOnly: boolean;

  constructor(
    private readonly store: GovernanceStore,
    private readonly registry: RegistryReads,
    private readonly runs: RunReads,
    options: PromotionServiceOptions = {},
  ) {
    this.audit = options.audit ?? noAudit;
    this.clock = options.clock ?? Date.now;
    this.verifiedApprovalsOnly = options.verifiedApprovalsOnly === true;
  }

  async setRules(input: RuleInput, ctx: WriteContext): Promise<PromotionRule> {
    return atomically(this.audit, async () => {
      const { key } = parsePromotionTarget(input.target);
      validateRule(input);
      await this.requireModel(input.name);
      const before = await this.store.getRule(input.name, key);
      const rule: PromotionRule = {
        name: input.name,
        target: key,
        requiredTags: input.requiredTags.map(({ key: tagKey, value }) => ({ key: tagKey, value })),
        metricThresholds: input.metricThresholds.map(({ metric, comparator, value }) => ({ metric, comparator, value })),
        requiredApprovals: input.requiredApprovals,
        forbidSelfApproval: input.forbidSelfApproval ?? false,
        updatedBy: ctx.actor,
        updatedTime: this.clock(),
      };
      await this.store.putRule(rule);
      await this.audit.record(ctx, {
        action: "governance.promotion_rule.set",
        entityType: "registered_model",
        entityId: input.name,
        before: before === undefined ? null : ruleSnapshot(before),
        after: ruleSnapshot(rule),
      });
      return rule;
    });
  }

  async listRules(name: string): Promise<PromotionRule[]> {
    await this.requireModel(name);
    return this.store.listRules(name);
  }

  async deleteRules(name: string, target: string, ctx: WriteContext): Promise<void> {
    return atomically(this.audit, async () => {
      const { key } = parsePromotionTarget(target);
      await this.requireModel(name);
      const before = await this.store.getRule(name, key);
      if (before === undefined || !(await this.store.deleteRule(name, key))) {
        throw notFound(`No promotion rule for target ${key} of registered model ${name}`);
      }
      await this.audit.record(ctx, {
        action: "governance.promotion_rule.delete",
        entityType: "registered_model",
        entityId: name,
        before: ruleSnapshot(before),
        after: null,
      });
    });
  }

  async approve(input: ApprovalInput, ctx: WriteContext): Promise<StoredApproval> {
    return atomically(this.audit, async () => {
      const { key } = parsePromotionTarget(input.target);
      if (input.comment !== undefined && input.comment.length > PROMOTION_LIMITS.maxCommentLength) {
        throw invalidParameter(`'comment' is longer than ${PROMOTION_LIMITS.maxCommentLength} characters.`);
      }
      if (this.verifiedApprovalsOnly && !ctx.actor.verified) {
        throw new CairnError(ErrorCode.PERMISSION_DENIED, "Only an authenticated user can approve a model version.");
      }
      if (isAnonymous(ctx)) {
        throw new CairnError(
          ErrorCode.PERMISSION_DENIED,
          "Anonymous requests cannot approve a model version: declare who you are (the x-cairn-user header or basic auth).",
        );
      }
      const modelVersion = await this.requireVersion(input.name, input.version);
      const rule = await this.store.getRule(input.name, key);
      if (rule?.forbidSelfApproval === true) {
        const author = authorsOf(modelVersion, await this.sourceRun(modelVersion)).find((candidate) => sameActor(candidate.name, ctx.actor.name));
        if (author !== undefined) {
          throw new CairnError(
            ErrorCode.PERMISSION_DENIED,
            `${ctx.actor.name} cannot approve ${input.name} version ${input.version} for ${key}: the promotion rule forbids ` +
              `self-approval, and ${ctx.actor.name} ${author.role}.`,
          );
        }
      }
      // One standing approval per person: approving again under another spelling of one's name answers the first.
      const standing = (await this.store.listApprovals(input.name, input.version, key)).find((earlier) => sameActor(earlier.actor.name, ctx.actor.name));
      if (standing !== undefined) return standing;
      const { approval, created } = await this.store.addApproval({
        name: input.name,
        version: input.version,
        target: key,
        actor: ctx.actor,
        time: this.clock(),
        ...(input.comment === undefined || input.comment === "" ? {} : { comment: input.comment }),
      });
      // Approving twice is a no-op: the first approval stands and counts once; nothing new to audit.
      if (created) {
        await this.audit.record(ctx, {
          action: "governance.approval.create",
          entityType: "model_version",
          entityId: versionEntity(input.name, input.version),
          after: { target: key, actor: ctx.actor.name, ...(approval.comment === undefined ? {} : { comment: approval.comment }) },
        });
      }
      return approval;
    });
  }

  async listApprovals(name: string, version: string): Promise<StoredApproval[]> {
    await this.requireVersion(name, version);
    return this.store.listApprovals(name, version);
  }

  /**
   * Withdraws the caller's standing approval of (version, target): only its approver may revoke it (the same person,
   * compared as self-approval is). The approval stays listed as revoked and no longer counts.
   */
  async revoke(input: ApprovalRef, ctx: WriteContext): Promise<StoredApproval> {
    return atomically(this.audit, async () => {
      const { key } = parsePromotionTarget(input.target);
      if (isAnonymous(ctx)) {
        throw new CairnError(
          ErrorCode.PERMISSION_DENIED,
          "Anonymous requests cannot revoke an approval: declare who you are (the x-cairn-user header or basic auth).",
        );
      }
      await this.requireVersion(input.name, input.version);
      // Every standing approval of this person (rows written before approve matched spellings may hold two), oldest first.
      const standing = (await this.store.listApprovals(input.name, input.version, key)).filter((approval) =>
        sameActor(approval.actor.name, ctx.actor.name),
      );
      const revoked: StoredApproval[] = [];
      for (const approval of standing) {
        const done = await this.store.revokeApproval(approval.id, ctx.actor, this.clock());
        if (done === undefined) continue; // revoked meanwhile by a concurrent request: that one audits it
        revoked.push(done);
        await this.audit.record(ctx, {
          action: "governance.approval.revoke",
          entityType: "model_version",
          entityId: versionEntity(input.name, input.version),
          before: { target: key, actor: approval.actor.name, time: approval.time, ...(approval.comment === undefined ? {} : { comment: approval.comment }) },
          after: { target: key, actor: approval.actor.name, revoked_by: ctx.actor.name, revoked_time: done.revokedTime ?? null },
        });
      }
      const [first] = revoked;
      if (first === undefined) {
        throw notFound(`${ctx.actor.name} has no standing approval of ${input.name} version ${input.version} for ${key} to revoke`);
      }
      return first;
    });
  }

  /** Every approval of a model (standing, and revoked ones on request), newest first, one bounded page at a time. */
  async searchApprovals(listing: ApprovalListing): Promise<{ items: StoredApproval[]; nextPageToken?: string }> {
    const maxResults = listing.maxResults ?? PROMOTION_LIMITS.approvalsPageDefault;
    if (!Number.isInteger(maxResults) || maxResults < 1 || maxResults > PROMOTION_LIMITS.approvalsPageMax) {
      throw invalidParameter(
        `Invalid value ${maxResults} for parameter 'max_results' supplied. It must be between 1 and ${PROMOTION_LIMITS.approvalsPageMax}.`,
      );
    }
    const target = listing.target === undefined ? undefined : parsePromotionTarget(listing.target).key;
    if (listing.version === undefined) await this.requireModel(listing.name);
    else await this.requireVersion(listing.name, listing.version);
    return this.store.searchApprovals({
      name: listing.name,
      ...(listing.version === undefined ? {} : { version: listing.version }),
      ...(target === undefined ? {} : { target }),
      includeRevoked: listing.includeRevoked ?? false,
      maxResults,
      ...(listing.pageToken === undefined ? {} : { pageToken: listing.pageToken }),
    });
  }

  /** The check for the API, with the target as text ("alias:champion"). */
  async checkTarget(name: string, version: string, target: string): Promise<PromotionVerdict> {
    const parsed = parsePromotionTarget(target);
    await this.requireVersion(name, version);
    return this.check(name, version, parsed.target);
  }

  async check(name: string, version: string, target: PromotionTarget, options: PromotionCheckOptions = {}): Promise<PromotionVerdict> {
    const key = formatPromotionTarget(target);
    const rule = await this.store.getRule(name, key);
    if (rule === undefined) return { allowed: true, unmet: [] };
    const modelVersion = await this.requireVersion(name, version);
    const unmet: string[] = [];
    // The source run is read at most once per check, by the metric rules and the self-approval rule alike.
    let source: Promise<SourceRun> | undefined;
    const sourceRun = (): Promise<SourceRun> => (source ??= this.sourceRun(modelVersion));
    for (const tag of rule.requiredTags) pushDefined(unmet, checkRequiredTag(modelVersion, tag));
    if (rule.metricThresholds.length > 0) {
      const run = await sourceRun();
      for (const threshold of rule.metricThresholds) pushDefined(unmet, checkMetricThreshold(run, threshold));
    }
    // A rollback to a version that passed this target before may skip approvals only (the caller holds the evidence),
    // and only if it passed this same rule: evidence from before the rule was last set proves nothing about it.
    const evidence = options.skipApprovals;
    const approvalsSkipped = rule.requiredApprovals > 0 && evidence !== undefined && evidence.passedAt >= rule.updatedTime;
    if (rule.requiredApprovals > 0 && !approvalsSkipped) {
      const authors = rule.forbidSelfApproval ? authorsOf(modelVersion, await sourceRun()).map((author) => author.name) : [];
      const given = await this.store.listApprovals(name, version, key);
      const trusted = this.verifiedApprovalsOnly ? given.filter((approval) => approval.actor.verified) : given;
      const unverified = given.length - trusted.length;
      const verdict = checkApprovals(rule, trusted, authors);
      const approvals =
        verdict === undefined || unverified === 0 ? verdict : `${verdict}; ${unverified} unverified ${unverified === 1 ? "approval does" : "approvals do"} not count`;
      const stale =
        evidence === undefined
          ? ""
          : ` (version ${version} passed ${key} at ${new Date(evidence.passedAt).toISOString()}, before this rule was last set at ${new Date(rule.updatedTime).toISOString()})`;
      pushDefined(unmet, approvals === undefined ? undefined : `${approvals}${stale}`);
    }
    return { allowed: unmet.length === 0, unmet, ...(approvalsSkipped ? { approvalsSkipped } : {}) };
  }

  private async sourceRun(version: ModelVersion): Promise<SourceRun> {
    if (version.run_id === undefined || version.run_id === "") return { kind: "no-run" };
    const run = await this.runs.getRun(version.run_id);
    return run === undefined ? { kind: "run-not-found", runId: version.run_id } : { kind: "run", run };
  }

  private async requireModel(name: string): Promise<void> {
    if ((await this.registry.getRegisteredModel(name)) === undefined) throw modelNotFound(name);
  }

  private async requireVersion(name: string, version: string): Promise<ModelVersion> {
    const found = await this.registry.getModelVersion(name, version);
    if (found === undefined) throw versionNotFound(name, version);
    return found;
  }
}

/**
 * Who may not approve the version under a rule that forbids self-approval: its creator (ModelVersion.user_id, the
 * declared actor of registry.model_version.create) and its source run's user (run.info.user_id), each with the words
 * a refusal uses.
 */
const authorsOf = (version: ModelVersion, source: SourceRun): Array<{ name: string; role: string }> => {
  const authors: Array<{ name: string; role: string }> = [];
  if (version.user_id !== undefined && version.user_id.trim() !== "") authors.push({ name: version.user_id, role: "created this version" });
  if (source.kind === "run" && source.run.info.user_id.trim() !== "") {
    authors.push({ name: source.run.info.user_id, role: `is the user of its source run ${source.run.info.run_id}` });
  }
  return authors;
};

const sameActor = (a: string, b: string): boolean => normalizeActorName(a) === normalizeActorName(b);

const pushDefined = (list: string[], item: string | undefined): void => {
  if (item !== undefined) list.push(item);
};

const ruleSnapshot = (rule: PromotionRule) => ({
  target: rule.target,
  required_tags: rule.requiredTags,
  metric_thresholds: rule.metricThresholds,
  required_approvals: rule.requiredApprovals,
  forbid_self_approval: rule.forbidSelfApproval,
});
