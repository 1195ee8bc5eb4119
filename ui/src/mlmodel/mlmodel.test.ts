import { render, screen, within } from "@testing-library/react";
import { createElement } from "react";
import { parse } from "yaml";
import { describe, expect, it } from "vitest";
import { summariseMlmodel } from "./mlmodel";
import { summariseMlmodelText } from "./mlmodel-text";
import { SignatureTables } from "./signature-table";

// An MLmodel as mlflow.sklearn.log_model writes it (signature lists are JSON text inside the YAML).
const SKLEARN_MLMODEL = `
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

const IRIS_MLMODEL = `artifact_path: model
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

describe("summariseMlmodel", () => {
  it("reads the flavors and the signature's inputs, outputs and params", () => {
    expect(summariseMlmodel(parse(SKLEARN_MLMODEL))).toStrictEqual({
      flavors: [
        { name: "python_function", details: [["loader_module", "mlflow.sklearn"]] },
        { name: "sklearn", details: [["sklearn_version", "1.4.0"]] },
      ],
      signature: {
        inputs: [
          { name: "tenure", type: "double", shape: "", required: true, default: undefined },
          { name: "plan", type: "string", shape: "", required: false, default: undefined },
        ],
        outputs: [{ name: "#0", type: "tensor of float64", shape: "(-1)", required: true, default: undefined }],
        params: [{ name: "threshold", type: "double", shape: "", required: true, default: "0.5" }],
      },
      fields: [["artifact_path", "model"]],
    });
  });

  it("has no signature when the MLmodel declares none, and ignores text that is not a spec list", () => {
    expect(summariseMlmodel(parse("flavors:\n  onnx: {}\n"))).toStrictEqual({ flavors: [{ name: "onnx", details: [] }], signature: undefined, fields: [] });
    expect(summariseMlmodel({ signature: { inputs: "not json", outputs: "{}" } })).toStrictEqual({
      flavors: [],
      signature: { inputs: [], outputs: [], params: [] },
      fields: [],
    });
    expect(summariseMlmodel("text")).toStrictEqual({ flavors: [], signature: undefined, fields: [] });
  });

  it("reads a list param's shape and the older `optional: true`", () => {
    const summary = summariseMlmodel({
      signature: {
        inputs: '[{"type": "long", "name": "age", "optional": true}]',
        params: [{ name: "stop", type: "string", default: ["\n"], shape: [-1] }],
      },
    });
    expect(summary.signature).toStrictEqual({
      inputs: [{ name: "age", type: "long", shape: "", required: false, default: undefined }],
      outputs: [],
      params: [{ name: "stop", type: "string", shape: "(-1)", required: true, default: '["\\n"]' }],
    });
  });
});

describe("summariseMlmodelText", () => {
  it("lists flavors with their settings, the signature's fields and the other fields", () => {
    const summary = summariseMlmodelText(IRIS_MLMODEL);
    expect(summary.flavors).toStrictEqual([
      { name: "python_function", details: [["loader_module", "mlflow.sklearn"], ["python_version", "3.11.4"]] },
      { name: "sklearn", details: [["pickled_model", "model.pkl"], ["sklearn_version", "1.4.0"]] },
    ]);
    expect(summary.signature?.inputs).toStrictEqual([
      { name: "sepal_length", type: "double", shape: "", required: true, default: undefined },
      { name: "species", type: "string", shape: "", required: false, default: undefined },
    ]);
    expect(summary.signature?.outputs).toStrictEqual([{ name: "#0", type: "tensor of float32", shape: "(-1, 3)", required: true, default: undefined }]);
    expect(summary.signature?.params).toStrictEqual([]);
    expect(summary.fields).toStrictEqual([["artifact_path", "model"], ["run_id", "0123abcd"]]);
  });

  it("has no signature when the file has none", () => {
    const summary = summariseMlmodelText("flavors:\n  onnx:\n    onnx_version: 1.15.0\n");
    expect(summary.signature).toBeUndefined();
    expect(summary.flavors).toStrictEqual([{ name: "onnx", details: [["onnx_version", "1.15.0"]] }]);
    expect(summary.fields).toStrictEqual([]);
  });

  it("refuses a file that is not a YAML mapping", () => {
    expect(() => summariseMlmodelText("just text")).toThrow("The MLmodel file is not a YAML mapping.");
  });
});

describe("SignatureTables", () => {
  const rows = (caption: string): string[][] =>
    within(screen.getByRole("table", { name: caption }))
      .getAllByRole("row")
      .map((row) => [...row.querySelectorAll("th, td")].map((cell) => cell.textContent ?? ""));

  it("shows name, type, shape and required for every list, and the defaults only where there are some", () => {
    render(createElement(SignatureTables, { signature: summariseMlmodel(parse(SKLEARN_MLMODEL)).signature }));
    expect(rows("Inputs")).toStrictEqual([
      ["Name", "Type", "Shape", "Required"],
      ["tenure", "double", "—", "yes"],
      ["plan", "string", "—", "no"],
    ]);
    expect(rows("Outputs")).toStrictEqual([
      ["Name", "Type", "Shape", "Required"],
      ["#0", "tensor of float64", "(-1)", "yes"],
    ]);
    expect(rows("Parameters")).toStrictEqual([
      ["Name", "Type", "Shape", "Required", "Default"],
      ["threshold", "double", "—", "yes", "0.5"],
    ]);
  });

  it("says when there is no signature, or a signature without inputs or outputs", () => {
    const { unmount } = render(createElement(SignatureTables, { signature: undefined }));
    expect(screen.getByText("The MLmodel file declares no signature.")).toBeTruthy();
    unmount();
    render(createElement(SignatureTables, { signature: { inputs: [], outputs: [], params: [] } }));
    expect(screen.getByText("No input signature.")).toBeTruthy();
    expect(screen.getByText("No output signature.")).toBeTruthy();
    expect(screen.queryAllByRole("table")).toStrictEqual([]);
  });
});
