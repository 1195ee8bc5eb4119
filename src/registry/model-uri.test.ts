import { describe, expect, it } from "vitest";
import type { ModelVersion } from "../protocol/mlflow/registry-entities.js";
import { parseModelUri, resolveModelUri, type ModelVersionLookup } from "./model-uri.js";

describe("parseModelUri reads MLflow 3's models:/<model_id>", () => {
  it("one segment without '@' that is a logged model id", () => {
    expect(parseModelUri("models:/m-0123456789abcdef0123456789abcdef")).toEqual({ kind: "logged-model", modelId: "m-0123456789abcdef0123456789abcdef" });
    // With a suffix or an alias it is a registered model's name, as the client reads it.
    expect(parseModelUri("models:/m-0123456789abcdef0123456789abcdef/2")).toEqual({ name: "m-0123456789abcdef0123456789abcdef", kind: "version", version: "2" });
    expect(parseModelUri("models:/m-0123456789abcdef0123456789abcdef@a")).toEqual({ name: "m-0123456789abcdef0123456789abcdef", kind: "alias", alias: "a" });
  });

  it("is refused where a registered model version is required (deployments), saying what to do", async () => {
    const lookup: ModelVersionLookup = { getModelVersion: async () => Promise.reject(new Error("x")), getModelVersionByAlias: async () => Promise.reject(new Error("x")), getLatestVersions: async () => [] };
    await expect(resolveModelUri(lookup, "models:/m-0123456789abcdef0123456789abcdef")).rejects.toThrow(
      "models:/m-0123456789abcdef0123456789abcdef names a logged model, not a registered model version. Register it first " +
        "(model-versions/create with source 'models:/m-0123456789abcdef0123456789abcdef'), then use models:/<name>/<version> or models:/<name>@<alias>.",
    );
  });
});

describe("parseModelUri reads the four forms MLflow's clients write", () => {
  it("version, stage (any case), latest (any case), alias (last '@')", () => {
    expect(parseModelUri("models:/churn/3")).toEqual({ name: "churn", kind: "version", version: "3" });
    expect(parseModelUri("models:/churn/production")).toEqual({ name: "churn", kind: "stage", stage: "Production" });
    expect(parseModelUri("models:/churn/None")).toEqual({ name: "churn", kind: "stage", stage: "None" });
    expect(parseModelUri("models:/churn/LATEST")).toEqual({ name: "churn", kind: "latest" });
    expect(parseModelUri("models:/churn@champion")).toEqual({ name: "churn", kind: "alias", alias: "champion" });
    expect(parseModelUri("models:/team@churn@champion")).toEqual({ name: "team@churn", kind: "alias", alias: "champion" });
  });

  it("refuses improper URIs with MLflow's message", () => {
    for (const uri of ["models:/", "models:/churn/1/extra", "models:/churn/", "models:/@champion", "models:/churn@", "models:churn/1", "models://profile/churn/1", "runs:/abc/model", "models:/churn"]) {
      expect(() => parseModelUri(uri), uri).toThrow(`Not a proper models:/ URI: ${uri}. Models URIs must be of the form`);
    }
    for (const uri of ["models:/m-0123", "models:/M-0123456789ABCDEF0123456789ABCDEF", "models:/m-0123456789abcdef0123456789abcdef0"]) {
      expect(() => parseModelUri(uri), uri).toThrow(`Not a proper models:/ URI: ${uri}. Models URIs must be of the form`);
    }
    expect(() => parseModelUri("models:/churn/Shadow")).toThrow(
      "Invalid Model Version stage: Shadow. Value must be one of None, Staging, Production, Archived.",
    );
  });
});

const version = (name: string, number: string, stage: ModelVersion["current_stage"]): ModelVersion => ({
  name,
  version: number,
  creation_timestamp: 1,
  last_updated_timestamp: 1,
  current_stage: stage,
  source: "mlflow-artifacts:/x",
  status: "READY",
  tags: [],
  aliases: [],
});

describe("resolveModelUri", () => {
  const versions = [version("churn", "1", "Production"), version("churn", "2", "Staging"), version("churn", "3", "None"), version("churn", "10", "Archived")];
  const lookup: ModelVersionLookup = {
    getModelVersion: async (name, number) => versions.find((v) => v.name === name && v.version === number) ?? Promise.reject(new Error("missing")),
    getModelVersionByAlias: async (_name, alias) => (alias === "champion" ? versions[0]! : Promise.reject(new Error("no alias"))),
    // The newest version per requested stage, as the store answers get-latest-versions.
    getLatestVersions: async (_name, stages) => versions.filter((v) => stages.length === 0 || stages.includes(v.current_stage)),
  };

  it("resolves each form to its version", async () => {
    expect((await resolveModelUri(lookup, "models:/churn/2")).version).toBe("2");
    expect((await resolveModelUri(lookup, "models:/churn@champion")).version).toBe("1");
    expect((await resolveModelUri(lookup, "models:/churn/staging")).version).toBe("2");
    // latest compares version numbers, not text ("10" > "3").
    expect((await resolveModelUri(lookup, "models:/churn/latest")).version).toBe("10");
  });

  it("a stage without versions is RESOURCE_DOES_NOT_EXIST with MLflow's message", async () => {
    const empty: ModelVersionLookup = { ...lookup, getLatestVersions: async () => [] };
    await expect(resolveModelUri(empty, "models:/churn/Production")).rejects.toThrow(
      "No versions of model with name 'churn' and stage 'Production' found",
    );
    await expect(resolveModelUri(empty, "models:/churn/latest")).rejects.toThrow("No versions of model with name 'churn' found");
  });
});
