import path from "node:path";
import type { CairnClient } from "../../sdk/client.js";
import { logisticRegressionModel, writeMlflowModelDir } from "./onnx-models.js";

/**
 * Registers one logistic-regression version per seed under `modelName` (logged as MLflow ONNX directories through
 * the artifact proxy, one run each) and points `champion` at version 1. Returns each version's model.onnx path, for
 * computing expected answers with onnxruntime directly.
 */
export const registerLogisticVersions = async (
  client: CairnClient,
  scratchDir: string,
  modelName: string,
  seeds: readonly number[],
): Promise<string[]> => {
  const experimentId = await client.experiments.create({ name: `${modelName}-models` });
  await client.registry.createModel({ name: modelName });
  const modelFiles: string[] = [];
  for (const seed of seeds) {
    const modelDir = await writeMlflowModelDir(path.join(scratchDir, `model-${seed}`), logisticRegressionModel(seed));
    modelFiles.push(path.join(modelDir, "model.onnx"));
    const run = await client.runs.create({ experimentId });
    await client.artifacts.upload(run.info.run_id, modelDir, "model");
    await client.registry.createVersion({ name: modelName, source: `runs:/${run.info.run_id}/model`, runId: run.info.run_id });
  }
  await client.registry.setAlias(modelName, "champion", 1);
  return modelFiles;
};
