import type { RunDataRows } from "../../../audit/run-data-digest.js";
import type { PgDatabase } from "../pg-database.js";
import { PgTrackingStore } from "../pg-tracking-store.js";

/**
 * Stores a run's metric, param and tag rows as the tracking service does (PgTrackingStore.logBatch, one transaction),
 * for the digest tests: on PostgreSQL the digests are collected from those rows. Runs are created on their first
 * write, under the id given, in one experiment per writer.
 */
export const pgRunDataWriter = (db: PgDatabase): ((runId: string, rows: RunDataRows) => Promise<void>) => {
  const store = new PgTrackingStore(db);
  const runs = new Map<string, Promise<unknown>>();
  let experiment: Promise<string> | undefined;
  const createRun = async (runId: string): Promise<void> => {
    experiment ??= store.createExperiment({ name: `digests-${Date.now()}-${Math.random()}`, defaultArtifactLocation: (id) => `/tmp/${id}`, tags: [], now: 1 });
    const experimentId = await experiment;
    await store.createRun({ runId, experimentId, userId: "ada", runName: "", status: "RUNNING", startTime: 1, artifactUri: `/tmp/${runId}`, tags: [] });
  };
  return async (runId, rows) => {
    let created = runs.get(runId);
    if (created === undefined) {
      created = createRun(runId);
      runs.set(runId, created);
    }
    await created;
    await store.logBatch(runId, { metrics: [...rows.metrics], params: [...rows.params], tags: [...rows.tags] });
  };
};
