import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { AuditService } from "../src/audit/service.js";
import type { WriteContext } from "../src/core/actor.js";
import { noEvents } from "../src/core/events.js";
import { PromotionService } from "../src/registry/promotion/promotion-service.js";
import type { RegistryFollower } from "../src/registry/registry-writes.js";
import { RegistryService } from "../src/registry/service.js";
import type { MetadataStores } from "../src/stores/metadata-stores.js";
import { openSqliteMetadataStores } from "../src/stores/sqlite/open-stores.js";
import type { SqliteAuditStore } from "../src/stores/sqlite/sqlite-audit-store.js";
import { TrackingService } from "../src/tracking/service.js";
import { newTraceId } from "../src/tracing/ids.js";
import { TraceService } from "../src/tracing/service.js";
import type { AuditRecorder } from "../src/audit/recorder.js";
import { addSums, metricRowText, paramRowText, sumOfRows, ZERO_SUM } from "../src/audit/run-data-digest.js";

/**
 * The registry's and tracking's writes over the real SQLite stores: each change and its audit event commit together
 * (none of their units waits for I/O with the transaction open), and a write that fails after its change, here a
 * follower of a rename, leaves neither the change nor an event behind.
 */
const ctx: WriteContext = { actor: { name: "ada", verified: false }, requestId: "req" };
const opened: { stores: MetadataStores; dir: string }[] = [];
afterEach(async () => {
  for (const { stores, dir } of opened.splice(0)) {
    await stores.close();
    await rm(dir, { recursive: true, force: true });
  }
});

const setUp = async (followers: RegistryFollower[] = []) => {
  const dir = await mkdtemp(path.join(tmpdir(), "cairn-atomic-domains-"));
  const stores = await openSqliteMetadataStores(path.join(dir, "cairn.db"));
  opened.push({ stores, dir });
  // A digest every 5 metric writes, so that the 20 concurrent log-metrics below append 4 digest events.
  const audit = new AuditService(stores.audit, { digests: { everyWrites: 5 } });
  const tracking = new TrackingService(stores.tracking, { defaultArtifactRoot: "mlflow-artifacts:/", audit });
  const promotion = new PromotionService(stores.governance, stores.registry, stores.tracking, { audit });
  const registry = new RegistryService(stores.registry, { tracking: stores.tracking, audit, events: noEvents, promotion, followers });
  const traces = (recorder: AuditRecorder = audit): TraceService => new TraceService(stores.traces, { experiments: tracking, audit: recorder });
  return { stores, audit, tracking, registry, traces, auditStore: stores.audit as SqliteAuditStore };
};

describe("a change and its audit event in one transaction, across the registry and tracking", () => {
  it("records every write's event without any unit waiting for I/O inside its transaction", async () => {
    const { audit, tracking, registry, auditStore } = await setUp();
    const experimentId = await tracking.createExperiment({ name: "e", tags: [] }, ctx);
    const run = await tracking.createRun({ experimentId, tags: [], startTime: 1 }, ctx);
    await Promise.all(
      Array.from({ length: 20 }, (_, i) => tracking.logMetric(run.info.run_id, { key: "m", value: i, timestamp: 1, step: i }, ctx)),
    );
    await registry.createRegisteredModel({ name: "m", tags: [] }, ctx);
    for (let i = 0; i < 3; i += 1) await registry.createModelVersion({ name: "m", source: `runs:/${run.info.run_id}/model`, runId: run.info.run_id, tags: [] }, ctx);
    await Promise.all(["1", "2", "3", "2"].map((version, i) => registry.setAlias("m", `a${i % 2}`, version, ctx)));
    await registry.transitionStage("m", "3", "Production", true, ctx);
    await registry.deleteModelVersion("m", "2", ctx);

    expect(auditStore.spannedUnits).toBe(0);
    const actions = (await audit.list({ maxResults: 1000 })).items.map((event) => event.action);
    expect(actions.filter((action) => action === "tracking.run.data_digest")).toHaveLength(4);
    expect(actions.filter((action) => action === "registry.alias.set")).toHaveLength(4);
    // Version 2 named by alias a1 at the end (the last move): its delete ends that alias's history.
    expect(actions.slice(-2)).toEqual(["registry.model_version.delete", "registry.alias.delete"]);
    expect((await audit.verify()).ok).toBe(true);
  });

  it("sums a run's data writes into its digest in the write's own transaction, through a unit when one is open", async () => {
    const { stores, audit, tracking, auditStore } = await setUp();
    const experimentId = await tracking.createExperiment({ name: "e", tags: [] }, ctx);
    const runId = (await tracking.createRun({ experimentId, tags: [], startTime: 1 }, ctx)).info.run_id;
    const logged: string[] = [];
    for (let step = 0; step < 11; step += 1) {
      await tracking.logMetric(runId, { key: "m", value: step / 2, timestamp: 7, step }, ctx);
      logged.push(metricRowText("m", step / 2, 7, step));
    }
    await tracking.logBatch(runId, { metrics: [], params: [{ key: "p", value: "1" }], tags: [] }, ctx);
    logged.push(paramRowText("p", "1"));
    // A failing batch (its param changes value after a metric was inserted) leaves neither rows nor digest behind.
    await expect(
      tracking.logBatch(runId, { metrics: [{ key: "m", value: 9, timestamp: 7, step: 99 }], params: [{ key: "p", value: "2" }], tags: [] }, ctx),
    ).rejects.toThrow("Changing param values is not allowed");
    // Inside an open unit, the write joins it (its own transaction would be a savepoint of the unit's).
    await audit.atomically(async () => tracking.logMetric(runId, { key: "m", value: 11, timestamp: 7, step: 11 }, ctx));
    logged.push(metricRowText("m", 11, 7, 11));

    expect(auditStore.spannedUnits).toBe(0);
    const digests = (await audit.list({ action: "tracking.run.data_digest", maxResults: 100 })).items.map((event) => JSON.parse(event.afterJson ?? "{}"));
    expect(digests.map((digest) => [digest.reason, digest.writes, digest.step_range])).toEqual([
      ["writes", 5, [0, 4]],
      ["writes", 5, [5, 9]],
    ]);
    const pending = await stores.audit.digests?.lock(runId);
    expect(pending).toMatchObject({ writes: 3, metrics: 2, params: 1, stepMin: 10, stepMax: 11 });
    // Every row written, and only those, is in the sums of the digests and of what is pending.
    const summed = [...digests.map((digest) => digest.content_sum as string), pending?.contentSum ?? ZERO_SUM].reduce(addSums, ZERO_SUM);
    expect(summed).toBe(sumOfRows(logged));
    expect((await tracking.getMetricHistory(runId, "m")).items).toHaveLength(12);
    expect((await audit.verify()).ok).toBe(true);
  });

  it("leaves neither the change nor its event when the write fails after the change", async () => {
    const failing: RegistryFollower = {
      renameModel: async () => {
        throw new Error("follower failed");
      },
      deleteModel: async () => undefined,
      deleteVersion: async () => undefined,
    };
    const { audit, registry } = await setUp([failing]);
    await registry.createRegisteredModel({ name: "m", tags: [] }, ctx);
    await expect(registry.renameRegisteredModel("m", "n", ctx)).rejects.toThrow("follower failed");
    expect((await registry.getRegisteredModel("m")).name).toBe("m");
    await expect(registry.getRegisteredModel("n")).rejects.toThrow("not found");
    expect((await audit.list({ maxResults: 100 })).items.map((event) => event.action)).toEqual(["registry.registered_model.create"]);
  });

  it("stores a started trace and its audit event together: 50 concurrent starts, none waiting inside its transaction", async () => {
    const { audit, tracking, traces, auditStore } = await setUp();
    const experimentId = await tracking.createExperiment({ name: "t", tags: [] }, ctx);
    const service = traces();
    const ids = Array.from({ length: 50 }, () => newTraceId());
    await Promise.all(
      ids.map((traceId, i) =>
        service.startTraceV3({ traceId, experimentId, requestTime: 1000 + i, state: "OK", executionDuration: 5, metadata: {}, tags: {} }, [], ctx),
      ),
    );
    const v2 = await service.startTraceV2({ experimentId, timestampMs: 2000, metadata: {}, tags: {} }, ctx);
    expect(auditStore.spannedUnits).toBe(0);
    const started = (await audit.list({ maxResults: 1000 })).items.filter((event) => event.action === "tracing.trace.start").map((event) => event.entityId);
    expect([...started].sort()).toEqual([...ids, v2.traceId].sort());
    expect((await audit.verify()).ok).toBe(true);
  });

  it("leaves no trace when its audit event cannot be written", async () => {
    const { audit, tracking, traces } = await setUp();
    const experimentId = await tracking.createExperiment({ name: "t", tags: [] }, ctx);
    const failing: AuditRecorder = {
      record: async (context, entry) => {
        if (entry.action === "tracing.trace.start") throw new Error("audit store unavailable");
        await audit.record(context, entry);
      },
      atomically: (work) => audit.atomically(work),
    };
    const traceId = newTraceId();
    await expect(
      traces(failing).startTraceV3({ traceId, experimentId, requestTime: 1, state: "OK", executionDuration: 5, metadata: {}, tags: {} }, [], ctx),
    ).rejects.toThrow("audit store unavailable");
    await expect(traces().getTrace(traceId)).rejects.toThrow(`Trace with ID ${traceId} not found`);
  });
});
