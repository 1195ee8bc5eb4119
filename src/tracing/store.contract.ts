import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { TraceCondition, TraceOrderBy } from "./search/ast.js";
import type { TraceStore } from "./store.js";
import type { Assessment, TraceInfo } from "./trace.js";

/**
 * The contract every TraceStore backend passes (SQLite now, PostgreSQL later). Each test gets a fresh store and a
 * way to make experiments (traces reference them), and asserts exact values, so two backends that pass agree.
 */
export type OpenTraceStore = () => Promise<{ store: TraceStore; experiment(name: string): Promise<string>; cleanup(): Promise<void> }>;

const hex = (n: number): string => n.toString(16).padStart(32, "0");
const tid = (n: number): string => `tr-${hex(n)}`;
const aid = (n: number): string => `a-${hex(n)}`;

const trace = (n: number, experimentId: string, overrides: Partial<TraceInfo> = {}): TraceInfo => ({
  traceId: tid(n),
  experimentId,
  requestTime: 1000 + n,
  executionDuration: 10 * n,
  state: "OK",
  metadata: { "mlflow.user": "ada" },
  tags: { "mlflow.traceName": `fn-${n}` },
  ...overrides,
});

const feedback = (n: number, traceId: string, overrides: Partial<Assessment> = {}): Assessment => ({
  assessmentId: aid(n),
  traceId,
  name: "relevance",
  source: { sourceType: "HUMAN", sourceId: "ada" },
  createTime: 5000 + n,
  lastUpdateTime: 5000 + n,
  value: { kind: "feedback", value: 0.5 },
  metadata: {},
  valid: true,
  ...overrides,
});

export function describeTraceStoreContract(name: string, open: OpenTraceStore): void {
  describe(`TraceStore contract: ${name}`, () => {
    let store: TraceStore;
    let experiment: (name: string) => Promise<string>;
    let cleanup: () => Promise<void>;
    let exp: string;

    beforeEach(async () => {
      ({ store, experiment, cleanup } = await open());
      exp = await experiment("traces");
    });
    afterEach(async () => {
      await cleanup();
    });

    const ids = async (conditions: TraceCondition[], orderBy: TraceOrderBy[] = [], experimentIds = [exp]): Promise<string[]> =>
      (await store.searchTraces({ experimentIds, conditions, orderBy, maxResults: 100 })).items.map((item) => item.traceId);

    it("inserts a trace and reads it back exactly; a retry in the same experiment updates it, another experiment is refused", async () => {
      const first = trace(1, exp, { clientRequestId: "req-1", requestPreview: '{"q":1}', responsePreview: '"a"' });
      expect(await store.upsertTrace(first)).toEqual({ ...first, assessments: [] });
      expect(await store.getTrace(tid(1))).toEqual({ ...first, assessments: [] });
      expect(await store.getTrace(tid(2))).toBeUndefined();

      const retry = trace(1, exp, { state: "ERROR", executionDuration: 99, tags: { topic: "sql" }, metadata: { size: "3" } });
      expect(await store.upsertTrace(retry)).toEqual({
        ...retry,
        tags: { "mlflow.traceName": "fn-1", topic: "sql" },
        metadata: { "mlflow.user": "ada", size: "3" },
        assessments: [],
      });
      const other = await experiment("other");
      expect(await store.upsertTrace(trace(1, other))).toBeUndefined();
      expect((await store.getTrace(tid(1)))?.experimentId).toBe(exp);
    });

    it("writes concurrent traces; one in another experiment's id is refused without failing the others", async () => {
      const other = await experiment("other");
      await store.upsertTrace(trace(1, other));
      const results = await Promise.all([2, 1, 3, 4].map((n) => store.upsertTrace(trace(n, exp))));
      expect(results.map((result) => result?.traceId)).toEqual([tid(2), undefined, tid(3), tid(4)]);
      expect(await ids([])).toEqual([tid(4), tid(3), tid(2)]);
    });

    it("ends a v2 trace: state, duration, merged metadata and tags", async () => {
      await store.upsertTrace(trace(1, exp, { state: "IN_PROGRESS", executionDuration: undefined }));
      const ended = await store.endTrace(tid(1), { state: "OK", executionDuration: 228, metadata: { out: "x" }, tags: { t: "1" } });
      expect(ended).toMatchObject({ state: "OK", executionDuration: 228, metadata: { "mlflow.user": "ada", out: "x" }, tags: { "mlflow.traceName": "fn-1", t: "1" } });
      expect(await store.endTrace(tid(9), { state: "OK", executionDuration: 1, metadata: {}, tags: {} })).toBeUndefined();
    });

    it("sets and deletes tags; false for a missing trace or tag", async () => {
      await store.upsertTrace(trace(1, exp));
      expect(await store.setTraceTag(tid(1), "topic", "sql")).toBe(true);
      expect(await store.setTraceTag(tid(1), "topic", "dbsql")).toBe(true);
      expect((await store.getTrace(tid(1)))?.tags).toEqual({ "mlflow.traceName": "fn-1", topic: "dbsql" });
      expect(await store.deleteTraceTag(tid(1), "topic")).toBe(true);
      expect(await store.deleteTraceTag(tid(1), "topic")).toBe(false);
      expect(await store.setTraceTag(tid(9), "a", "b")).toBe(false);
      expect(await store.deleteTraceTag(tid(9), "a")).toBe(false);
    });

    it("searches newest first (ties by id), with attribute, tag and metadata filters", async () => {
      for (let n = 1; n <= 6; n++) {
        await store.upsertTrace(
          trace(n, exp, {
            requestTime: n === 6 ? 1005 : 1000 + n,
            state: n % 2 === 0 ? "ERROR" : "OK",
            tags: { "mlflow.traceName": `fn-${n}`, ...(n <= 3 ? { topic: n === 3 ? "SQL" : "sql" } : {}) },
            metadata: { "mlflow.sourceRun": `run-${n % 3}` },
          }),
        );
      }
      const other = await experiment("other");
      await store.upsertTrace(trace(7, other, { tags: { topic: "sql" } }));

      expect(await ids([])).toEqual([tid(5), tid(6), tid(4), tid(3), tid(2), tid(1)]);
      expect(await ids([{ entity: "attribute", key: "state", comparator: "=", value: "ERROR" }])).toEqual([tid(6), tid(4), tid(2)]);
      expect(await ids([{ entity: "attribute", key: "request_time", comparator: ">=", value: 1004 }])).toEqual([tid(5), tid(6), tid(4)]);
      expect(await ids([{ entity: "attribute", key: "execution_duration", comparator: "<", value: 30 }])).toEqual([tid(2), tid(1)]);
      expect(await ids([{ entity: "attribute", key: "trace_id", comparator: "IN", value: [tid(1), tid(3)] }])).toEqual([tid(3), tid(1)]);
      expect(await ids([{ entity: "tag", key: "topic", comparator: "=", value: "sql" }])).toEqual([tid(2), tid(1)]);
      expect(await ids([{ entity: "tag", key: "topic", comparator: "!=", value: "sql" }])).toEqual([tid(3)]);
      expect(await ids([{ entity: "tag", key: "topic", comparator: "LIKE", value: "s%" }])).toEqual([tid(2), tid(1)]);
      expect(await ids([{ entity: "tag", key: "topic", comparator: "ILIKE", value: "s%" }])).toEqual([tid(3), tid(2), tid(1)]);
      expect(await ids([{ entity: "metadata", key: "mlflow.sourceRun", comparator: "=", value: "run-1" }])).toEqual([tid(4), tid(1)]);
      expect(
        await ids([
          { entity: "metadata", key: "mlflow.sourceRun", comparator: "NOT IN", value: ["run-0"] },
          { entity: "attribute", key: "state", comparator: "=", value: "OK" },
        ]),
      ).toEqual([tid(5), tid(1)]);
      expect(await ids([{ entity: "tag", key: "topic", comparator: "=", value: "sql" }], [], [exp, other])).toEqual([tid(7), tid(2), tid(1)]);
    });

    it("keeps tag and metadata values of MLflow's maximum length (8,000 characters, incompressible) and finds them", async () => {
      let seed = 11;
      const long = Array.from({ length: 8000 }, () => String.fromCharCode(33 + ((seed = (seed * 48271) % 2147483647) % 94))).join("");
      await store.upsertTrace(trace(1, exp, { tags: { notes: long }, metadata: { notes: long } }));
      expect((await store.getTrace(tid(1)))?.tags.notes).toBe(long);
      expect(await ids([{ entity: "tag", key: "notes", comparator: "=", value: long }])).toEqual([tid(1)]);
      expect(await ids([{ entity: "metadata", key: "notes", comparator: "=", value: long }])).toEqual([tid(1)]);
    });

    it("answers a common and a rare tag value alike, whichever index a backend drives the query from", async () => {
      await Promise.all(
        Array.from({ length: 2100 }, (_, i) => store.upsertTrace(trace(i + 1, exp, { tags: { common: "yes", ...(i % 700 === 5 ? { rare: "yes" } : {}) } }))),
      );
      const page = async (conditions: TraceCondition[]) =>
        (await store.searchTraces({ experimentIds: [exp], conditions, orderBy: [], maxResults: 5 })).items.map((item) => item.traceId);
      expect(await page([{ entity: "tag", key: "common", comparator: "=", value: "yes" }])).toEqual([2100, 2099, 2098, 2097, 2096].map(tid));
      expect(await page([{ entity: "tag", key: "rare", comparator: "=", value: "yes" }])).toEqual([1406, 706, 6].map(tid));
      expect(
        await page([
          { entity: "tag", key: "common", comparator: "IN", value: ["yes", "no"] },
          { entity: "tag", key: "rare", comparator: "=", value: "yes" },
          { entity: "attribute", key: "request_time", comparator: "<", value: 1000 + 1000 },
        ]),
      ).toEqual([706, 6].map(tid));
    });

    it("orders by attributes and tags, and pages with a token absent on the last page", async () => {
      for (let n = 1; n <= 5; n++) {
        await store.upsertTrace(trace(n, exp, { executionDuration: [30, 10, 50, 10, 20][n - 1], tags: { rank: `r${6 - n}` } }));
      }
      expect(await ids([], [{ entity: "attribute", key: "execution_duration", ascending: true }])).toEqual([tid(4), tid(2), tid(5), tid(1), tid(3)]);
      expect(await ids([], [{ entity: "tag", key: "rank", ascending: true }])).toEqual([tid(5), tid(4), tid(3), tid(2), tid(1)]);
      expect(await ids([], [{ entity: "attribute", key: "request_time", ascending: true }])).toEqual([tid(1), tid(2), tid(3), tid(4), tid(5)]);

      const first = await store.searchTraces({ experimentIds: [exp], conditions: [], orderBy: [], maxResults: 2 });
      expect(first.items.map((item) => item.traceId)).toEqual([tid(5), tid(4)]);
      const second = await store.searchTraces({ experimentIds: [exp], conditions: [], orderBy: [], maxResults: 2, pageToken: first.nextPageToken! });
      expect(second.items.map((item) => item.traceId)).toEqual([tid(3), tid(2)]);
      const last = await store.searchTraces({ experimentIds: [exp], conditions: [], orderBy: [], maxResults: 2, pageToken: second.nextPageToken! });
      expect(last.items.map((item) => item.traceId)).toEqual([tid(1)]);
      expect(last.nextPageToken).toBeUndefined();
      await expect(store.searchTraces({ experimentIds: [exp], conditions: [], orderBy: [], maxResults: 2, pageToken: "bogus!" })).rejects.toThrow(
        /Invalid page token/,
      );
    });

    it("deletes by ids within the experiment, or the oldest up to a time, at most max_traces", async () => {
      const other = await experiment("other");
      for (let n = 1; n <= 5; n++) await store.upsertTrace(trace(n, exp));
      await store.upsertTrace(trace(6, other));
      expect(await store.deleteTraces({ experimentId: exp, traceIds: [tid(1), tid(6), tid(9)] })).toBe(1);
      expect(await store.getTrace(tid(6))).toBeDefined();
      expect(await store.deleteTraces({ experimentId: exp, maxTimestampMillis: 1004, maxTraces: 2 })).toBe(2);
      expect(await ids([])).toEqual([tid(5), tid(4)]);
      expect(await store.deleteTraces({ experimentId: exp, maxTimestampMillis: 1005 })).toBe(2);
      expect(await ids([])).toEqual([]);
    });

    it("keeps assessments: create, override (the earlier one invalid), update, delete (the earlier one valid again)", async () => {
      await store.upsertTrace(trace(1, exp));
      const first = feedback(1, tid(1), { spanId: "00000000000000ab", rationale: "why", metadata: { k: "v" } });
      await store.createAssessment(first);
      expect(await store.getAssessment(tid(1), aid(1))).toEqual(first);
      expect(await store.getAssessment(tid(2), aid(1))).toBeUndefined();

      const second = feedback(2, tid(1), { overrides: aid(1), value: { kind: "feedback", value: 1 } });
      await store.createAssessment(second);
      expect((await store.getAssessment(tid(1), aid(1)))?.valid).toBe(false);
      const expectation: Assessment = feedback(3, tid(1), { name: "expected", value: { kind: "expectation", serializedValue: { serializationFormat: "JSON_FORMAT", value: "[1]" } } });
      await store.createAssessment(expectation);
      expect((await store.getTrace(tid(1)))?.assessments).toEqual([{ ...first, valid: false }, second, expectation]);

      const updated = { ...second, name: "renamed", rationale: "r", lastUpdateTime: 9000 };
      expect(await store.updateAssessment(updated)).toBe(true);
      expect(await store.getAssessment(tid(1), aid(2))).toEqual(updated);
      expect(await store.updateAssessment(feedback(8, tid(1)))).toBe(false);

      expect(await store.deleteAssessment(tid(1), aid(2))).toBe(true);
      expect(await store.deleteAssessment(tid(1), aid(2))).toBe(false);
      expect((await store.getAssessment(tid(1), aid(1)))?.valid).toBe(true);
      const page = await store.searchTraces({ experimentIds: [exp], conditions: [], orderBy: [], maxResults: 10 });
      expect(page.items[0]?.assessments.map((a) => a.assessmentId)).toEqual([aid(1), aid(3)]);

      expect(await store.deleteTraces({ experimentId: exp, traceIds: [tid(1)] })).toBe(1);
      expect(await store.getAssessment(tid(1), aid(1))).toBeUndefined();
    });
  });
}
