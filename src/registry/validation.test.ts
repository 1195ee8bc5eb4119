import { describe, expect, it } from "vitest";
import {
  canonicalStage,
  canonicalVersion,
  validateAliasName,
  validateModelName,
  validateModelVersionsMaxResults,
  validateRegisteredModelsMaxResults,
  validateRegistryTag,
} from "./validation.js";

describe("registry validation, with MLflow's limits and messages", () => {
  it("alias names: pattern, length 255, reserved 'latest' and v<digits>", () => {
    expect(() => validateAliasName("champion-2_b")).not.toThrow();
    expect(() => validateAliasName("")).toThrow("Registered model alias name cannot be empty.");
    expect(() => validateAliasName("champ ion")).toThrow(
      "Invalid alias name: 'champ ion'. Names may only contain alphanumerics, underscores (_), and dashes (-).",
    );
    expect(() => validateAliasName("a".repeat(255))).not.toThrow();
    expect(() => validateAliasName("a".repeat(256))).toThrow("'Registered model alias name' exceeds the maximum length of 255 characters");
    expect(() => validateAliasName("LaTeSt")).toThrow("'latest' alias name (case insensitive) is reserved.");
    expect(() => validateAliasName("v12")).toThrow("Version alias name 'v12' is reserved.");
    expect(() => validateAliasName("V3")).toThrow("Version alias name 'V3' is reserved.");
    expect(() => validateAliasName("v1a")).not.toThrow();
  });

  it("tags: key 250, value 5000, key characters as MLflow's tag names", () => {
    expect(() => validateRegistryTag({ key: "k".repeat(250), value: "v".repeat(5000) })).not.toThrow();
    expect(() => validateRegistryTag({ key: "k".repeat(251), value: "" })).toThrow("'key' exceeds the maximum length of 250 characters");
    expect(() => validateRegistryTag({ key: "k", value: "v".repeat(5001) })).toThrow("'value' exceeds the maximum length of 5000 characters");
    expect(() => validateRegistryTag({ key: "", value: "" })).toThrow("Missing value for required parameter 'key'.");
    expect(() => validateRegistryTag({ key: "a/../b", value: "" })).toThrow(/Names may be treated as files/);
  });

  it("names and versions", () => {
    expect(() => validateModelName("")).toThrow("Missing value for required parameter 'name'.");
    expect(() => validateModelName("n".repeat(257))).toThrow("'name' exceeds the maximum length of 256 characters");
    expect(canonicalVersion("3")).toBe("3");
    expect(canonicalVersion(" 03 ")).toBe("3");
    expect(() => canonicalVersion("three")).toThrow("Parameter 'version' must be an integer, got 'three'.");
    expect(() => canonicalVersion("1.5")).toThrow("Parameter 'version' must be an integer, got '1.5'.");
  });

  it("stages are canonicalised case-insensitively", () => {
    expect(canonicalStage("production")).toBe("Production");
    expect(canonicalStage("NONE")).toBe("None");
    expect(() => canonicalStage("prod")).toThrow("Invalid Model Version stage: prod. Value must be one of None, Staging, Production, Archived.");
  });

  it("max_results: models at most 1000, versions at most 200000", () => {
    expect(() => validateRegisteredModelsMaxResults(1000)).not.toThrow();
    expect(() => validateRegisteredModelsMaxResults(1001)).toThrow(
      "Invalid value for request parameter max_results. It must be at most 1000, but got value 1001",
    );
    expect(() => validateRegisteredModelsMaxResults(0)).toThrow("Invalid value for max_results. It must be a positive integer, but got 0");
    expect(() => validateModelVersionsMaxResults(200_000)).not.toThrow();
    expect(() => validateModelVersionsMaxResults(200_001)).toThrow("It must be at most 200000, but got value 200001");
  });
});
