// Stage "train": multinomial logistic regression (softmax) by full-batch gradient descent on standardized features,
// exported as ONNX with the standardization folded into the weights, in an MLflow model folder (MLmodel + model.onnx).
import { mkdir, readFile, rm, writeFile } from "node:fs/promises";
import { parse, stringify } from "yaml";
import { FEATURES, SPECIES, readCsv } from "./csv.mjs";
import { linearClassifierOnnx } from "./onnx-writer.mjs";

const { train } = parse(await readFile("params.yaml", "utf8"));
const rows = await readCsv("data/prepared/train.csv");
const n = rows.length;
const d = FEATURES.length;
const k = SPECIES.length;

const mean = FEATURES.map((_, j) => rows.reduce((s, r) => s + r.features[j], 0) / n);
const std = FEATURES.map((_, j) => Math.sqrt(rows.reduce((s, r) => s + (r.features[j] - mean[j]) ** 2, 0) / n) || 1);
const x = rows.map((r) => r.features.map((v, j) => (v - mean[j]) / std[j]));
const y = rows.map((r) => SPECIES.indexOf(r.species));

const w = Array.from({ length: d }, () => new Array(k).fill(0));
const b = new Array(k).fill(0);
const softmax = (z) => {
  const max = Math.max(...z);
  const e = z.map((v) => Math.exp(v - max));
  const sum = e.reduce((s, v) => s + v, 0);
  return e.map((v) => v / sum);
};
let loss = 0;
for (let epoch = 0; epoch < train.epochs; epoch++) {
  const gw = Array.from({ length: d }, () => new Array(k).fill(0));
  const gb = new Array(k).fill(0);
  loss = 0;
  for (let i = 0; i < n; i++) {
    const p = softmax(b.map((bc, c) => bc + x[i].reduce((s, v, j) => s + v * w[j][c], 0)));
    loss -= Math.log(Math.max(p[y[i]], 1e-12));
    for (let c = 0; c < k; c++) {
      const g = p[c] - (y[i] === c ? 1 : 0);
      gb[c] += g / n;
      for (let j = 0; j < d; j++) gw[j][c] += (g * x[i][j]) / n;
    }
  }
  for (let j = 0; j < d; j++) for (let c = 0; c < k; c++) w[j][c] -= train.learning_rate * (gw[j][c] + train.l2 * w[j][c]);
  for (let c = 0; c < k; c++) b[c] -= train.learning_rate * gb[c];
}

// logits = ((x - mean) / std) W + b = x (W / std) + (b - sum_j mean_j W_j / std_j)
const foldedW = w.map((row, j) => row.map((v) => v / std[j]));
const foldedB = b.map((bc, c) => bc - FEATURES.reduce((s, _, j) => s + (mean[j] * w[j][c]) / std[j], 0));
const onnx = linearClassifierOnnx(foldedW, foldedB);

await rm("model", { recursive: true, force: true });
await mkdir("model", { recursive: true });
await writeFile("model/model.onnx", onnx);
const columns = FEATURES.map((name) => ({ name, type: "float", required: true }));
await writeFile(
  "model/MLmodel",
  stringify({
    artifact_path: "model",
    flavors: {
      onnx: { data: "model.onnx", onnx_version: "1.16.1", providers: ["CPUExecutionProvider"] },
      python_function: { data: "model.onnx", loader_module: "mlflow.onnx" },
    },
    model_size_bytes: onnx.length,
    signature: {
      inputs: JSON.stringify([{ type: "tensor", "tensor-spec": { dtype: "float32", shape: [-1, d] } }]),
      outputs: JSON.stringify([{ type: "tensor", "tensor-spec": { dtype: "float32", shape: [-1, k] } }]),
      params: null,
    },
    metadata: { features: columns.map((c) => c.name), classes: SPECIES },
  }),
);
console.log(`train: ${train.epochs} epochs, final training log-loss ${(loss / n).toFixed(4)}`);
