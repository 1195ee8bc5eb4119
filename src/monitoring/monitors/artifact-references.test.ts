import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { Readable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ArtifactStore } from "../../artifacts/store.js";
import { openLocalArtifactStore } from "../../stores/artifact-stores/local/index.js";
import { openRowsDataset } from "../../validation/duckdb/open-rows-dataset.js";
import { parseSuite } from "../../validation/suite/parse-suite.js";
import { artifactReferenceOpener } from "./artifact-references.js";
import { monitorEngines } from "./engines.js";

/** A monitor's reference data comes from the artifact store only: a client cannot make the server open its files. */
let dir: string;
let store: ArtifactStore;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "cairn-monitor-refs-"));
  store = await openLocalArtifactStore(path.join(dir, "artifacts"));
  await store.write("0/run-1/artifacts/ref.csv", Readable.from([Buffer.from("x\n1\n2\n3\n4\n")]));
});
afterAll(async () => rm(dir, { recursive: true, force: true }));

describe("monitor reference data", () => {
  it("opens a file of the artifact store by its mlflow-artifacts URI, through a local cache", async () => {
    const open = artifactReferenceOpener(store, path.join(dir, "cache"));
    const dataset = await open("mlflow-artifacts:/0/run-1/artifacts/ref.csv");
    expect(await dataset.rowCount()).toBe(4);
    expect(Array.from(await dataset.numericValues("x"))).toEqual([1, 2, 3, 4]);
    await dataset.close();
  });

  it("refuses server paths, traversal and directories, naming the reference", async () => {
    const open = artifactReferenceOpener(store, path.join(dir, "cache"));
    await expect(open("/etc/passwd")).rejects.toThrow(
      "A monitor's reference data must be a file in the artifact store, given as an mlflow-artifacts:/ URI (upload it with 'cairn artifacts upload'); got '/etc/passwd'.",
    );
    await expect(open("file:///etc/passwd")).rejects.toThrow("must be a file in the artifact store");
    await expect(open("mlflow-artifacts:/0/../../../etc/passwd")).rejects.toMatchObject({ code: "INVALID_PARAMETER_VALUE" });
    await expect(open("mlflow-artifacts:/0/run-1/artifacts")).rejects.toThrow("is not a file in the artifact store");
  });

  it("applies to the drift expectations of a monitor's suite too", async () => {
    const engines = monitorEngines({ openReference: artifactReferenceOpener(store, path.join(dir, "cache")) });
    const current = await openRowsDataset([{ name: "x", kind: "numeric", sqlType: "DOUBLE" }], [{ x: 1 }, { x: 2 }, { x: 3 }, { x: 4 }]);
    const suite = (reference: string) =>
      parseSuite(`suite: s\nexpectations:\n  - expectation: expect_column_drift_to_be_below\n    column: x\n    reference: ${reference}\n`, "s.yaml");
    const confined = await engines.runSuite(current, suite("mlflow-artifacts:/0/run-1/artifacts/ref.csv"));
    expect(confined).toEqual({ success: true, results: [{ expectation: "expect_column_drift_to_be_below", column: "x", success: true, observed_value: 1, message: "" }] });
    const escaped = await engines.runSuite(current, suite("/etc/hosts"));
    expect(escaped.success).toBe(false);
    await current.close();
  });
});
