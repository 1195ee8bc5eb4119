import { describe, expect, it } from "vitest";
import { summarizeMlmodel } from "./mlmodel";

const MLMODEL = `artifact_path: model
flavors:
  python_function:
    loader_module: mlflow.sklearn
    python_version: 3.11.4
  sklearn:
    pickled_model: model.pkl
    sklearn_version: 1.4.0
run_id: 0123abcd
signature:
  inputs: '[{"type": "double", "name": "sepal_length", "required": true}, {"type": "string", "name": "species", "required": false}]'
  outputs: '[{"type": "tensor", "tensor-spec": {"dtype": "float32", "shape": [-1, 3]}}]'
`;

describe("summarizeMlmodel", () => {
  it("lists flavors with their settings and the signature's fields", () => {
    const summary = summarizeMlmodel(MLMODEL);
    expect(summary.flavors).toEqual([
      { name: "python_function", details: [["loader_module", "mlflow.sklearn"], ["python_version", "3.11.4"]] },
      { name: "sklearn", details: [["pickled_model", "model.pkl"], ["sklearn_version", "1.4.0"]] },
    ]);
    expect(summary.inputs).toEqual([
      { name: "sepal_length", type: "double", shape: "", optional: false },
      { name: "species", type: "string", shape: "", optional: true },
    ]);
    expect(summary.outputs).toEqual([{ name: "#0", type: "tensor of float32", shape: "(-1, 3)", optional: false }]);
    expect(summary.fields).toEqual([["artifact_path", "model"], ["run_id", "0123abcd"]]);
  });

  it("has no signature when the file has none", () => {
    const summary = summarizeMlmodel("flavors:\n  onnx:\n    onnx_version: 1.15.0\n");
    expect(summary.inputs).toBeUndefined();
    expect(summary.outputs).toBeUndefined();
    expect(summary.flavors).toEqual([{ name: "onnx", details: [["onnx_version", "1.15.0"]] }]);
  });
});
