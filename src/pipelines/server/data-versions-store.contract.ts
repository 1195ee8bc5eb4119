import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { DatasetInput } from "../../protocol/mlflow/entities.js";
import type { TrackingStore } from "../../tracking/store.js";
import { DATA_CONTEXT_INPUT, DATA_CONTEXT_OUTPUT, DATA_VERSION_SOURCE_TYPE, dataVersionUri } from "../tracking/repro-tracker.js";
import type { DataVersionStore } from "./data-versions-store.js";

/**
 * The contract every DataVersionStore backend passes. Rows are written through the backend's TrackingStore
 * (log-inputs, as the tracker does over REST), so the reads are checked against what tracking really stores.
 */
export type OpenDataVersionStore = () => Promise<{ store: DataVersionStore; tracking: TrackingStore; cleanup(): Promise<void> }>;

const FILE = "a".repeat(64);
const DIR = `${"a".repeat(64)}.dir`;
const OTHER = `${"b".repeat(64)}.dir`;

export const cairnDataInput = (name: string, hash: string, context: string | undefined, profile?: object): DatasetInput => ({
  tags: context === undefined ? [] : [{ key: "mlflow.data.context", value: context }],
  dataset: {
    name,
    digest: hash.slice(0, 32),
    source_type: DATA_VERSION_SOURCE_TYPE,
    source: JSON.stringify({ uri: dataVersionUri(hash) }),
    ...(profile === undefined ? {} : { profile: JSON.stringify(profile) }),
  },
});

export function describeDataVersionStoreContract(name: string, open: OpenDataVersionStore): void {
  describe(`DataVersionStore contract: ${name}`, () => {
    let store: DataVersionStore;
    let tracking: TrackingStore;
    let cleanup: () => Promise<void>;

    beforeEach(async () => {
      ({ store, tracking, cleanup } = await open());
    });
    afterEach(async () => cleanup());

    const createExperiment = (experimentName: string) =>
      tracking.createExperiment({ name: experimentName, defaultArtifactLocation: (id) => `mlflow-artifacts:/${id}`, tags: [], now: 1 });
    const createRun = async (experimentId: string, runId: string, startTime: number, stage?: string) => {
      await tracking.createRun({
        runId,
        experimentId,
        userId: "u",
        runName: `name-${runId}`,
        status: "FINISHED",
        startTime,
        artifactUri: `mlflow-artifacts:/${experimentId}/${runId}/artifacts`,
        tags: stage === undefined ? [] : [{ key: "cairn.stage", value: stage }],
      });
    };

    it("finds the dataset rows of exactly one hash (not a file and a directory of the same hex, nor other sources)", async () => {
      const other = await createExperiment("other");
      await createRun("0", "r1", 1);
      await createRun(other, "r2", 2);
      await tracking.logInputs("r1", [
        cairnDataInput("data/prepared", DIR, DATA_CONTEXT_INPUT, { size: 10, nfiles: 2 }),
        cairnDataInput("data/file.csv", FILE, DATA_CONTEXT_INPUT),
        // Same digest and name, another source type: not a data version.
        { tags: [], dataset: { name: "data/prepared", digest: DIR.slice(0, 32), source_type: "local", source: "{}" } },
      ]);
      await tracking.logInputs("r2", [cairnDataInput("prepared", DIR, DATA_CONTEXT_OUTPUT)]);

      expect(await store.findDataVersionDatasets(DIR, 10)).toEqual([
        { name: "data/prepared", experimentId: "0", profile: '{"size":10,"nfiles":2}' },
        { name: "prepared", experimentId: other },
      ]);
      expect(await store.findDataVersionDatasets(DIR, 1)).toEqual([{ name: "data/prepared", experimentId: "0", profile: '{"size":10,"nfiles":2}' }]);
      expect(await store.findDataVersionDatasets(FILE, 10)).toEqual([{ name: "data/file.csv", experimentId: "0" }]);
      expect(await store.findDataVersionDatasets(OTHER, 10)).toEqual([]);
    });

    it("pages the active runs that used or produced a hash, newest first, with the stage tag", async () => {
      const other = await createExperiment("other");
      await createRun("0", "prep", 100, "prepare");
      await createRun(other, "train1", 200, "train");
      await createRun("0", "train2", 300, "train");
      await createRun("0", "plain", 400);
      await createRun("0", "gone", 500, "train");
      await tracking.logInputs("prep", [cairnDataInput("data/prepared", DIR, DATA_CONTEXT_OUTPUT)]);
      await tracking.logInputs("train1", [cairnDataInput("data/prepared", DIR, DATA_CONTEXT_INPUT)]);
      await tracking.logInputs("train2", [cairnDataInput("data/prepared", DIR, DATA_CONTEXT_INPUT), cairnDataInput("model", OTHER, DATA_CONTEXT_OUTPUT)]);
      await tracking.logInputs("plain", [cairnDataInput("prepared", DIR, undefined)]);
      await tracking.logInputs("gone", [cairnDataInput("data/prepared", DIR, DATA_CONTEXT_INPUT)]);
      await tracking.setRunLifecycle("gone", "deleted", 600);

      const first = await store.findDataVersionRuns(DIR, "used", { maxResults: 2 });
      expect(first.items.map(({ run, name, stage }) => [run.run_id, run.experiment_id, name, stage])).toEqual([
        ["plain", "0", "prepared", undefined],
        ["train2", "0", "data/prepared", "train"],
      ]);
      expect(first.items[0]).toEqual({ run: (await tracking.getRunInfo("plain"))!, name: "prepared" });
      expect(first.nextPageToken).toBeDefined();
      const second = await store.findDataVersionRuns(DIR, "used", { maxResults: 2, pageToken: first.nextPageToken! });
      expect(second.items.map(({ run }) => run.run_id)).toEqual(["train1"]);
      expect(second.items[0]?.run.experiment_id).toBe(other);
      expect(second.nextPageToken).toBeUndefined();

      expect(await store.findDataVersionRuns(DIR, "produced", { maxResults: 10 })).toEqual({
        items: [{ run: (await tracking.getRunInfo("prep"))!, name: "data/prepared", stage: "prepare" }],
      });
      expect((await store.findDataVersionRuns(OTHER, "produced", { maxResults: 10 })).items.map(({ run }) => run.run_id)).toEqual(["train2"]);
      expect(await store.findDataVersionRuns(OTHER, "used", { maxResults: 10 })).toEqual({ items: [] });
      expect(await store.findDataVersionRuns(FILE, "used", { maxResults: 10 })).toEqual({ items: [] });
    });
  });
}
