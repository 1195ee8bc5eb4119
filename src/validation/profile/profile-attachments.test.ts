import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ArtifactService } from "../../artifacts/service.js";
import { noAudit } from "../../audit/recorder.js";
import { systemContext } from "../../core/actor.js";
import { noEvents } from "../../core/events.js";
import { PromotionService } from "../../registry/promotion/promotion-service.js";
import { RegistryService } from "../../registry/service.js";
import { buildApp } from "../../server/app.js";
import { openArtifactStore, openMetadataStores } from "../../stores/registry.js";
import type { MetadataStores } from "../../stores/metadata-stores.js";
import { TrackingService } from "../../tracking/service.js";
import { openRowsDataset } from "../duckdb/open-rows-dataset.js";
import { ProfileAttachments, readTrainingProfile } from "./profile-attachments.js";
import { profileDataset } from "./profile-dataset.js";
import { profileRoutes } from "./profile-routes.js";
import type { DatasetProfile } from "./profile-schema.js";

const ctx = systemContext("test");
let dir = "";
let stores: MetadataStores;
let tracking: TrackingService;
let artifacts: ArtifactService;
let registry: RegistryService;
let profile: DatasetProfile;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "cairn-profile-attach-"));
  stores = await openMetadataStores(`sqlite:///${dir}/cairn.db`);
  const store = await openArtifactStore(`${dir}/artifacts`);
  tracking = new TrackingService(stores.tracking, { defaultArtifactRoot: "mlflow-artifacts:", audit: noAudit });
  artifacts = new ArtifactService(store, { resolveRunArtifactUri: (runId) => tracking.getRunArtifactUri(runId) });
  const promotion = new PromotionService(stores.governance, stores.registry, stores.tracking, { audit: noAudit });
  registry = new RegistryService(stores.registry, { tracking: stores.tracking, audit: noAudit, events: noEvents, promotion });
  const data = await openRowsDataset([{ name: "x", kind: "numeric", sqlType: "DOUBLE" }], [{ x: 1 }, { x: 2 }], "train");
  profile = await profileDataset(data, { bins: 2 });
  await data.close();
});
afterAll(async () => {
  await stores.close();
  await rm(dir, { recursive: true, force: true });
});

const newRun = async () => {
  const experimentId = await tracking.createExperiment({ name: `e-${Math.random()}`, tags: [] }, ctx);
  return tracking.createRun({ experimentId, tags: [] }, ctx);
};

describe("ProfileAttachments", () => {
  it("stores a profile as a run artifact, tags the run, and serves it as a version's training profile", async () => {
    const run = await newRun();
    const service = new ProfileAttachments(tracking, artifacts, registry);
    const runId = run.info.run_id;
    expect(await service.attachToRun(runId, "train", profile, ctx)).toEqual({ artifact_path: "profiles/train.json", uri: `runs:/${runId}/profiles/train.json` });
    expect((await tracking.getRun(runId)).data.tags).toContainEqual({ key: "cairn.profile.train", value: "profiles/train.json" });
    expect((await artifacts.listRunArtifacts(runId, "profiles")).files?.map((f) => f.path)).toEqual(["profiles/train.json"]);
    expect(await service.readRunProfile(runId, "train")).toEqual(profile);

    await registry.createRegisteredModel({ name: "churn", tags: [] }, ctx);
    const version = await registry.createModelVersion({ name: "churn", source: `runs:/${runId}/model`, runId, tags: [] }, ctx);
    expect(await service.setTrainingProfile("churn", version.version, "train", undefined, ctx)).toEqual({ uri: `runs:/${runId}/profiles/train.json` });
    expect(await readTrainingProfile(registry, tracking, artifacts, "churn", version.version)).toEqual(profile);
  });

  it("refuses bad names, non-profiles and missing profiles", async () => {
    const run = await newRun();
    const service = new ProfileAttachments(tracking, artifacts, registry);
    const runId = run.info.run_id;
    await expect(service.attachToRun(runId, "../x", profile, ctx)).rejects.toThrow("profile name '../x' is invalid");
    await expect(service.attachToRun(runId, "p", { schema_version: 2 }, ctx)).rejects.toThrow("profile.schema_version must be 1, got 2");
    await expect(service.readRunProfile(runId, "nope")).rejects.toThrow(`run ${runId} has no profile artifact profiles/nope.json`);
    await registry.createRegisteredModel({ name: "bare", tags: [] }, ctx);
    const version = await registry.createModelVersion({ name: "bare", source: `runs:/${runId}/model`, runId, tags: [] }, ctx);
    await expect(service.readTrainingProfile("bare", version.version)).rejects.toThrow("has no training profile (tag cairn.training_profile)");
  });

  it("answers over HTTP under /api/2.0/cairn/data/profiles", async () => {
    const run = await newRun();
    const app = await buildApp({ version: "test", domains: [{ cairnEndpoints: profileRoutes(new ProfileAttachments(tracking, artifacts, registry)) }] });
    try {
      const runId = run.info.run_id;
      const attach = await app.inject({ method: "POST", url: "/api/2.0/cairn/data/profiles/attach", payload: { run_id: runId, name: "ref", profile } });
      expect(attach.statusCode).toBe(200);
      const got = await app.inject({ method: "GET", url: `/api/2.0/cairn/data/profiles/get?run_id=${runId}&name=ref` });
      expect(got.json()).toEqual({ profile });
      const bad = await app.inject({ method: "POST", url: "/api/2.0/cairn/data/profiles/attach", payload: { run_id: runId, name: "ref", profile: [] } });
      expect([bad.statusCode, bad.json().message]).toEqual([400, "profile must be a JSON object"]);
    } finally {
      await app.close();
    }
  });
});
