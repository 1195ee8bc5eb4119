import { parse } from "yaml";
import { describe, expect, it } from "vitest";
import { summariseMlmodel } from "./signature";

// An MLmodel as mlflow.sklearn.log_model writes it (signature lists are JSON text inside the YAML).
const MLMODEL = `
artifact_path: model
flavors:
  python_function:
    loader_module: mlflow.sklearn
  sklearn:
    sklearn_version: 1.4.0
signature:
  inputs: '[{"type": "double", "name": "tenure", "required": true}, {"type": "string", "name": "plan", "required": false}]'
  outputs: '[{"type": "tensor", "tensor-spec": {"dtype": "float64", "shape": [-1]}}]'
  params: '[{"name": "threshold", "type": "double", "default": 0.5, "shape": null}]'
`;

describe("summariseMlmodel", () => {
  it("reads the flavors and the signature's inputs, outputs and params", () => {
    expect(summariseMlmodel(parse(MLMODEL))).toEqual({
      flavors: ["python_function", "sklearn"],
      signature: {
        inputs: [
          { name: "tenure", type: "double", required: true },
          { name: "plan", type: "string", required: false },
        ],
        outputs: [{ name: "#0", type: "tensor float64 [-1]", required: true }],
        params: [{ name: "threshold", type: "double (default 0.5)", required: true }],
      },
    });
  });

  it("has no signature when the MLmodel declares none, and ignores text that is not a spec list", () => {
    expect(summariseMlmodel(parse("flavors:\n  onnx: {}\n"))).toEqual({ flavors: ["onnx"], signature: undefined });
    expect(summariseMlmodel({ signature: { inputs: "not json", outputs: "{}" } })).toEqual({
      flavors: [],
      signature: { inputs: [], outputs: [], params: [] },
    });
    expect(summariseMlmodel("text")).toEqual({ flavors: [], signature: undefined });
  });
});
