import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadModel } from "../model/load-model.js";
import { logisticRegressionModel, writeMlflowModelDir } from "../test-support/onnx-models.js";
import { exampleFeeds, zeroFeeds } from "./warm-up.js";

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "cairn-warm-up-"));
});
afterAll(async () => rm(dir, { recursive: true, force: true }));

describe("warm-up input", () => {
  it("is the model's own input example when it has one, as mlflow writes a DataFrame example", async () => {
    const modelDir = await writeMlflowModelDir(path.join(dir, "with-example"), logisticRegressionModel(1), {
      inputExample: { columns: ["a", "b", "c", "d"], data: [[1, 2, 3, 4], [5, 6, 7, 8]] },
      inputExampleType: "dataframe",
    });
    const model = await loadModel(modelDir);
    const feeds = exampleFeeds(model);
    expect(feeds?.x?.dims).toEqual([2, 4]);
    expect(Array.from(feeds?.x?.data as Float32Array)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    await model.close();
  });

  it("falls back to one row of zeros without an example, or when the example does not fit the inputs", async () => {
    const plain = await loadModel(await writeMlflowModelDir(path.join(dir, "plain"), logisticRegressionModel(1)));
    expect(exampleFeeds(plain)).toBeUndefined();
    const zeros = zeroFeeds(plain.inputs);
    expect(zeros.x?.dims).toEqual([1, 4]);
    expect(Array.from(zeros.x?.data as Float32Array)).toEqual([0, 0, 0, 0]);
    await plain.close();

    const misfit = await loadModel(
      await writeMlflowModelDir(path.join(dir, "misfit"), logisticRegressionModel(1), {
        inputExample: { columns: ["a", "b", "c"], data: [[1, 2, 3]] },
        inputExampleType: "dataframe",
      }),
    );
    expect(exampleFeeds(misfit)).toBeUndefined();
    await misfit.close();
  });
});
