// Stage "evaluate": scores the held-out split with onnxruntime (the runtime Cairn serves the model with).
import { writeFile } from "node:fs/promises";
import * as ort from "onnxruntime-node";
import { SPECIES, readCsv } from "./csv.mjs";

const rows = await readCsv("data/prepared/test.csv");
const session = await ort.InferenceSession.create("model/model.onnx");
const input = new ort.Tensor("float32", Float32Array.from(rows.flatMap((r) => r.features)), [rows.length, 4]);
const { probabilities } = await session.run({ x: input });
const p = probabilities.data;
let correct = 0;
let logLoss = 0;
rows.forEach((row, i) => {
  const scores = Array.from(p.slice(i * 3, i * 3 + 3));
  const predicted = scores.indexOf(Math.max(...scores));
  const truth = SPECIES.indexOf(row.species);
  if (predicted === truth) correct++;
  logLoss -= Math.log(Math.max(scores[truth], 1e-12));
});
const metrics = { accuracy: correct / rows.length, log_loss: logLoss / rows.length, test_rows: rows.length };
await writeFile("metrics.json", `${JSON.stringify(metrics, null, 2)}\n`);
console.log(`evaluate: accuracy ${metrics.accuracy.toFixed(4)} on ${rows.length} rows`);
