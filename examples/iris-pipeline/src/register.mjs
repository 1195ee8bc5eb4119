// Stage "register": logs the model folder to this stage's run (MLFLOW_RUN_ID, set by `cairn repro`) and registers it
// as a new version, so the registry's lineage leads back through the stage runs to the data version.
import { readFile, writeFile } from "node:fs/promises";
import { CairnClient } from "cairn";
import { parse } from "yaml";

const { register } = parse(await readFile("params.yaml", "utf8"));
const runId = process.env.MLFLOW_RUN_ID;
if (runId === undefined) {
  console.error("register: MLFLOW_RUN_ID is not set; run this stage through `cairn repro` with tracking on");
  process.exit(1);
}
const client = new CairnClient({ trackingUri: process.env.MLFLOW_TRACKING_URI ?? "http://127.0.0.1:5000" });
await client.artifacts.upload(runId, "model", "model");
try {
  await client.registry.getModel(register.model_name);
} catch {
  await client.registry.createModel({ name: register.model_name, description: "Iris species from four measurements (examples/iris-pipeline)" });
}
const version = await client.registry.createVersion({ name: register.model_name, source: `runs:/${runId}/model`, runId });
const metrics = JSON.parse(await readFile("metrics.json", "utf8"));
await writeFile("registered.json", `${JSON.stringify({ name: version.name, version: version.version, run_id: runId, accuracy: metrics.accuracy }, null, 2)}\n`);
console.log(`register: ${version.name} version ${version.version}`);
