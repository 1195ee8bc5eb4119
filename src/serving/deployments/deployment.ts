import type { Actor } from "../../core/actor.js";
import type { ShadowRecorderState, ShadowReport } from "./shadow-report.js";

/** A canary: `weight` (0..1) of the traffic goes to `version`; sticky keeps one routing key on one side. */
export interface CanaryPolicy {
  version: string;
  weight: number;
  sticky: boolean;
}

/** A shadow: `share` (0..1) of the requests also run on `version` after the primary answered; never returned. */
export interface ShadowPolicy {
  version: string;
  share: number;
}

export interface TrafficPolicy {
  primary: string;
  canary?: CanaryPolicy;
  shadow?: ShadowPolicy;
}

export interface DeploymentOptions {
  maxBatchSize?: number;
  maxLatencyMs?: number;
  /** Share of served requests written to the prediction log (0..1). */
  predictionLogSampleRate: number;
  /** Merged batches run on a worker thread (ModelLoadOptions.inferenceWorker); false by default. */
  inferenceWorker: boolean;
  /** The deployment's own bound on the age of its logged predictions (seconds); unset: only the server's bound. */
  predictionLogMaxAgeSeconds?: number;
  /** The deployment's own bound on how many of its predictions are kept (the newest); unset: only the server's. */
  predictionLogMaxRows?: number;
}

/**
 * A version that takes no traffic in a deployment: its runs failed by an execution limit (timeout, output cap, a
 * crashed executor) several times in a row, or its warm-up did. Not loaded again at start-up or by a sync; deleting
 * the deployment (a redeploy) clears it, and a new version is not affected.
 */
export interface FailedVersion {
  version: string;
  kind: "timeout" | "output-size" | "crash";
  reason: string;
  time: number;
}

export interface Deployment {
  name: string;
  /** models:/name@alias (followed) or models:/name/3 (pinned). */
  modelUri: string;
  /** The registered model behind the URI. */
  modelName: string;
  policy: TrafficPolicy;
  /** The version the alias named when last followed (undefined for a pinned URI). */
  followedVersion?: string;
  options: DeploymentOptions;
  /** Why the last change did not take traffic (a version that failed to load), until the next successful change. */
  lastError?: string;
  /** Versions marked failed in this deployment (read from the store; update() does not write them: markVersionFailed does). */
  failedVersions?: FailedVersion[];
  createdTime: number;
  lastUpdatedTime: number;
}

export type DeploymentRole = "primary" | "canary" | "shadow";
/** Whether a deployment serves what its alias (or pinned primary) names. */
export type HealthState = "serving" | "degraded";
export type SwitchReason = "create" | "alias-moved" | "promote" | "rollback" | "canary" | "shadow" | "delete";

/** One change of which version serves a role; `from`/`to` undefined when the role was empty before/after. */
export interface HistoryEntry {
  deployment: string;
  time: number;
  role: DeploymentRole;
  from?: string;
  to?: string;
  reason: SwitchReason;
  actor: Actor;
  requestId: string;
}

/**
 * One replica's part of a shadow's comparison as last saved: one per (deployment, report.since,
 * report.candidate_version, replica), replaced by each save of that replica. The report a reader gets adds up the
 * parts of every replica (ShadowKeeper.combined). `state` is what a recorder needs to continue counting after a
 * restart; `released` says the process that counted it stopped after its last save, so that a restarted one may
 * take the part over (claimShadowReport) and continue it.
 */
export interface SavedShadowReport {
  report: ShadowReport;
  state: ShadowRecorderState;
  updatedTime: number;
  /** The server process that counts this part (a random id per process; `compacted:<random>` for a compacted part). */
  replica: string;
  released: boolean;
  /** Set by the store when read: bumped by every write of the part (save, touch, claim); a compaction's check. */
  revision?: number;
  /**
   * A compacted part (the merge of dead parts of one comparison, ShadowKeeper.compact): how many server processes'
   * parts it holds. Absent on a process's own part.
   */
  mergedParts?: number;
}

/** Which saved part: its row key. */
export interface ShadowPartKey {
  deployment: string;
  since: number;
  candidateVersion: string;
  replica: string;
}

/** A saved part as a compaction read it: its key and revision. */
export interface ShadowPartRevision extends ShadowPartKey {
  revision: number;
}

export interface DeploymentStore {
  create(deployment: Deployment, history: readonly HistoryEntry[]): Promise<void>;
  get(name: string): Promise<Deployment | undefined>;
  list(): Promise<Deployment[]>;
  /**
   * Replaces the row and appends the history entries in one transaction. With `ifUnchangedSince`, a compare-and-set:
   * nothing is written, and false returned, when the stored row's last_updated_time is no longer that value (another
   * replica changed the deployment since it was read). True when written.
   */
  update(deployment: Deployment, history: readonly HistoryEntry[], ifUnchangedSince?: number): Promise<boolean>;
  delete(name: string, history: readonly HistoryEntry[]): Promise<void>;
  /** Oldest first. */
  history(name: string): Promise<HistoryEntry[]>;
  /** Deployments of this registered model (lineage). */
  findByModel(modelName: string): Promise<Deployment[]>;
  /**
   * Inserts or replaces one replica's saved part of a shadow comparison (kept when the deployment is deleted, like
   * history); other replicas' parts of the same comparison are left as they are. With `existing`, only replaces a
   * part that is still there, and answers false (nothing written) when it is gone: a compaction took it as dead, so
   * its counts are in a compacted part and must not be inserted again. True when written.
   */
  saveShadowReport(saved: SavedShadowReport, existing?: boolean): Promise<boolean>;
  /** Sets a saved part's save time (its process is alive, nothing new counted); false when the part is gone. */
  touchShadowReport(part: ShadowPartKey, updatedTime: number): Promise<boolean>;
  /**
   * Replaces `parts` (each still at the revision read) by `compacted`, in one transaction: when any of them is gone
   * or was written since (another replica compacted it, its process saved again, a restart claimed it), nothing
   * changes and the answer is false. So two replicas compacting the same parts at once merge them exactly once.
   */
  compactShadowReports(parts: readonly ShadowPartRevision[], compacted: SavedShadowReport): Promise<boolean>;
  /** Every replica's saved parts of a deployment name, newest first (by `since`, then by the time saved, then replica). */
  shadowReports(deployment: string): Promise<SavedShadowReport[]>;
  /**
   * Hands a released part over to `replica` (which continues counting it, no longer released), atomically: of
   * several processes claiming the same part exactly one gets true; false when it is gone, not released, or compacted.
   */
  claimShadowReport(part: ShadowPartKey, replica: string): Promise<boolean>;
  /**
   * Records a deployment's health verdict and answers whether this call changed its state (the caller then
   * announces it): atomically, so that of several replicas reaching the same verdict exactly one is told so. A
   * first verdict counts as a change only when it is "degraded". Removed by delete().
   */
  recordHealth(name: string, state: HealthState, reason: string | undefined, time: number): Promise<boolean>;
  /** Marks a version of the deployment failed (replacing an earlier mark of it); removed by delete(). */
  markVersionFailed(name: string, failure: FailedVersion): Promise<void>;
  /** True when watchChanges hears of other processes' changes at once (PostgreSQL's NOTIFY); false: the periodic sync only. */
  readonly notifiesChanges: boolean;
  /**
   * Calls `onChange(name)` after any committed create, update, delete or failed-version mark of a deployment, made by
   * any process on this database; `onChange(undefined)` when changes may have been missed (the listening connection
   * was re-established): sync everything. SQLite does nothing here (its processes rely on the periodic sync).
   * Returns a function that stops watching.
   */
  watchChanges(onChange: (name: string | undefined) => void): Promise<() => Promise<void>>;
  /**
   * Tells every process watching changes that this deployment is about to change (an alias it follows moved), with
   * no change stored: they may start loading the new version while the replica that follows the move loads it too.
   * Optional: a store that does not notify changes has nothing to tell.
   */
  announce?(name: string): Promise<void>;
}

export const failureOf = (deployment: Deployment, version: string): FailedVersion | undefined =>
  deployment.failedVersions?.find((failed) => failed.version === version);
