import { describe, expect, it } from "vitest";
import type { TensorSpec } from "../tensor.js";
import { parseCsvFrame } from "./csv-frame.js";
import { fromHalfBits, toHalfBits } from "./half-float.js";
import { decodeScoringJson, decodeScoringRequest, encodePredictions, scoringContentType } from "./mlflow-scoring.js";
import { decodeInferRequest } from "./open-inference.js";
import { flattenNested, nest, tensorDataOf } from "./tensor-values.js";

const spec = (name: string, type: TensorSpec["type"], shape: TensorSpec["shape"]): TensorSpec => ({ name, type, shape });

describe("half floats", () => {
  it("round to nearest even as numpy's float16 cast does, with subnormals, infinities and NaN", () => {
    expect(toHalfBits(1)).toBe(0x3c00);
    expect(toHalfBits(-2)).toBe(0xc000);
    expect(toHalfBits(65504)).toBe(0x7bff);
    expect(toHalfBits(65520)).toBe(0x7c00); // rounds up to infinity
    expect(toHalfBits(0.1)).toBe(0x2e66); // np.float16(0.1).view(np.uint16) == 11878
    expect(toHalfBits(2 ** -24)).toBe(0x0001);
    expect(toHalfBits(2 ** -26)).toBe(0x0000);
    expect(toHalfBits(1 + 2 ** -11)).toBe(0x3c00); // a tie rounds to even
    expect(toHalfBits(1 + 3 * 2 ** -11)).toBe(0x3c02);
    expect(Number.isNaN(fromHalfBits(toHalfBits(NaN)))).toBe(true);
    expect(fromHalfBits(0x2e66)).toBe(0.0999755859375);
    expect(fromHalfBits(0xfc00)).toBe(-Infinity);
    expect(fromHalfBits(0x0001)).toBe(2 ** -24);
  });
});

describe("tensor values", () => {
  it("refuse NaN (null) where the element type has none, and out-of-range integers", () => {
    expect(Array.from(tensorDataOf("x", "float32", [null, "Infinity", 1]) as Float32Array)).toEqual([NaN, Infinity, 1]);
    expect(() => tensorDataOf("n", "int64", [1, null])).toThrow("Input 'n': expected int64 values, received null at element 1.");
    expect(() => tensorDataOf("n", "int32", [2 ** 40])).toThrow("Input 'n': 1099511627776 at element 0 is out of range for int32 [-2147483648, 2147483647].");
    expect(() => tensorDataOf("b", "bool", ["yes"])).toThrow('Input \'b\': expected bool values, received "yes" at element 0.');
    expect(Array.from(tensorDataOf("n", "int64", ["9223372036854775807"]) as BigInt64Array)).toEqual([9223372036854775807n]);
    expect(() => tensorDataOf("n", "uint64", [-1])).toThrow("Input 'n': -1 at element 0 is out of range for uint64.");
  });
  it("flatten and nest row-major, refusing ragged lists", () => {
    expect(flattenNested("x", [[1, 2, 3], [4, 5, 6]])).toEqual({ dims: [2, 3], values: [1, 2, 3, 4, 5, 6] });
    expect(flattenNested("x", 7)).toEqual({ dims: [], values: [7] });
    expect(() => flattenNested("x", [[1, 2], [3]])).toThrow("Input 'x': ragged nested list: axis 1 should have 2 elements, received 1.");
    expect(nest([1, 2, 3, 4, 5, 6], [3, 2])).toEqual([[1, 2], [3, 4], [5, 6]]);
    expect(nest([9], [])).toBe(9);
  });
});

describe("MLflow scoring decoding", () => {
  const two = [spec("a", "float32", [null]), spec("b", "int64", [null, 1])];
  it("maps DataFrame columns onto several inputs by name, shaping [n] to a [n, 1] input", () => {
    const { feeds, form } = decodeScoringJson({ dataframe_records: [{ a: 1, b: 2 }, { a: 3, b: 4 }] }, { inputs: two });
    expect(form).toBe("records");
    expect(feeds.a).toEqual({ type: "float32", dims: [2], data: Float32Array.from([1, 3]) });
    expect(feeds.b).toEqual({ type: "int64", dims: [2, 1], data: BigInt64Array.from([2n, 4n]) });
  });
  it("stacks every column into a single input, in the signature's column order", () => {
    const model = { inputs: [spec("x", "float64", [null, 2])], signatureColumns: ["p", "q"] };
    const { feeds } = decodeScoringJson({ dataframe_split: { columns: ["q", "p"], data: [[1, 2], [3, 4]] } }, model);
    expect(feeds.x).toEqual({ type: "float64", dims: [2, 2], data: Float64Array.from([2, 1, 4, 3]) });
  });
  it("reads CSV cells as the input's element type (empty = NaN for floats, refused for ints)", () => {
    const { feeds } = decodeScoringRequest('p,q\n1.5,""\n"3",4\n', "text/csv", { inputs: [spec("x", "float32", [null, 2])] });
    expect(Array.from(feeds.x?.data as Float32Array)).toEqual([1.5, NaN, 3, 4]);
    expect(() => decodeScoringRequest("p\n\n1\n,\n", "text/csv", { inputs: [spec("x", "int32", [null, 1])] })).toThrow();
    expect(parseCsvFrame('a,"b ""q"",x"\r\n1,2\r\n')).toEqual({ columns: ["a", 'b "q",x'], rows: [["1", "2"]], fromCsv: true });
    expect(() => parseCsvFrame('a\n"1\n')).toThrow("unterminated quoted field");
  });
  it("refuses a JSON body nested deeper than 64 levels before parsing it (a 400, not a stack overflow)", () => {
    const deep = `{"inputs": ${"[".repeat(100_000)}`;
    expect(() => decodeScoringRequest(deep, "application/json", { inputs: [spec("x", "float32", [null, 2])] })).toThrow(
      "Ensure that input is a valid JSON formatted string. Error: 'arrays and objects are nested deeper than the limit of 64 levels'",
    );
  });
  it("accepts MLflow's content types only", () => {
    expect(scoringContentType("application/json; charset=UTF-8")).toBe("json");
    expect(scoringContentType("text/csv")).toBe("csv");
    expect(() => scoringContentType(undefined)).toThrow("This predictor only supports the following content types");
    expect(() => scoringContentType("application/json; format=pandas-split")).toThrow("Unrecognized content type parameters: format.");
  });
  it("encodes records as the DataFrame of flattened outputs, tensors as a dict of nested lists", () => {
    const outputs = { p: { type: "float32" as const, dims: [2, 1], data: Float32Array.from([0.5, 0.25]) } };
    expect(encodePredictions(outputs, ["p"], "records")).toEqual([{ p: 0.5 }, { p: 0.25 }]);
    expect(encodePredictions(outputs, ["p"], "tensors")).toEqual({ p: [[0.5], [0.25]] });
  });
});

describe("Open Inference Protocol decoding", () => {
  it("decodes every input with its datatype and refuses a repeated input", () => {
    const inputs = [spec("s", "string", [null]), spec("h", "float16", [2])];
    const request = decodeInferRequest(
      { id: "7", inputs: [{ name: "s", shape: [1], datatype: "BYTES", data: ["hi"] }, { name: "h", shape: [2], datatype: "FP16", data: [[1], [0.1]] }] },
      inputs,
      [],
    );
    expect(request.id).toBe("7");
    expect(request.feeds.s).toEqual({ type: "string", dims: [1], data: ["hi"] });
    expect(Array.from(request.feeds.h?.data as Uint16Array)).toEqual([0x3c00, 0x2e66]);
    const twice = { inputs: [{ name: "s", shape: [1], datatype: "BYTES", data: ["a"] }, { name: "s", shape: [1], datatype: "BYTES", data: ["b"] }] };
    expect(() => decodeInferRequest(twice, inputs, [])).toThrow("Input 's' is given twice.");
    expect(() => decodeInferRequest({ inputs: [{ name: "s", shape: [1], datatype: "BYTES", data: ["a"] }] }, inputs, [])).toThrow("Missing input 'h' (float16 [2]).");
  });
});
