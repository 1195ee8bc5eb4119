import { describe, expect, it } from "vitest";
import { artifactKind } from "./artifact-kind";

describe("artifactKind", () => {
  it("knows files by name and by extension, case-insensitively", () => {
    expect(
      ["model/MLmodel", "MLproject", "metrics.JSON", "conda.yaml", "a/b.yml", "data.csv", "data.tsv", "plot.PNG", "x.jpeg", "fig.svg", "train.log", "train.py", "notes.txt", "model.pkl", "weights", ".hidden"].map(
        artifactKind,
      ),
    ).toEqual(["mlmodel", "yaml", "json", "yaml", "yaml", "csv", "tsv", "image", "image", "image", "text", "text", "text", "other", "other", "other"]);
  });
});
