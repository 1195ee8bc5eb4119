import { describe, expect, it } from "vitest";
import { hasPromptTag, isPromptSourcePlaceholder } from "./prompts.js";

describe("prompts", () => {
  it("counts a model as a prompt only with mlflow.prompt.is_prompt exactly 'true', as MLflow and the registry search do", () => {
    expect(hasPromptTag([{ key: "mlflow.prompt.is_prompt", value: "true" }])).toBe(true);
    for (const value of ["TRUE", "True", "1", "yes", ""]) expect(hasPromptTag([{ key: "mlflow.prompt.is_prompt", value }]), value).toBe(false);
    expect(hasPromptTag([{ key: "mlflow.prompt.text", value: "true" }])).toBe(false);
    expect(hasPromptTag([])).toBe(false);
  });

  it("knows the two placeholder sources the 3.x clients send for a prompt version, and nothing else", () => {
    expect(["dummy-source", "prompt-template", "Dummy-Source", "dummy-source/", "runs:/x/y"].map(isPromptSourcePlaceholder)).toEqual([true, true, false, false, false]);
  });
});
