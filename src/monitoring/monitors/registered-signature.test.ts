import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ArtifactStore } from "../../artifacts/store.js";
import { openLocalArtifactStore } from "../../stores/artifact-stores/local/index.js";
import { MAX_MLMODEL_BYTES, registeredSignature } from "./registered-signature.js";

/** The feature names of registered versions, read from their MLmodel files in a real local artifact store. */
let dir: string;
let store: ArtifactStore;
const write = (key: string, text: string): Promise<unknown> => store.write(key, Readable.from([Buffer.from(text)]));
const cols = JSON.stringify([{ name: "age", type: "long" }, { name: "city", type: "string" }]);
const tensor = JSON.stringify([{ name: "x", type: "tensor", "tensor-spec": { dtype: "float32", shape: [-1, 4] } }]);

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "cairn-registered-signature-"));
  store = await openLocalArtifactStore(join(dir, "artifacts"));
  await write("m/1/MLmodel", `flavors: {onnx: {data: model.onnx}}\nsignature:\n  inputs: '${cols}'\n  outputs: null\n`);
  await write("m/2/MLmodel", `flavors: {onnx: {data: model.onnx}}\nsignature:\n  inputs: '${tensor}'\n`);
  await write("m/3/model.onnx", "onnx bytes");
  await write("m/4/MLmodel", "flavors: {onnx: {data: model.onnx}}\n");
  await write("m/5/MLmodel", `signature: {inputs: '${cols}'}\n${"#".repeat(MAX_MLMODEL_BYTES)}\n`);
  await write("m/6/other.txt", "no MLmodel here");
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("registeredSignature", () => {
  const uris: Record<string, string> = { "1": "m/1", "2": "m/2", "3": "m/3/model.onnx", "4": "m/4", "5": "m/5", "6": "m/6", "7": "m/7" };
  let reads = 0;
  const signature = (): ReturnType<typeof registeredSignature> =>
    registeredSignature({
      store,
      downloadUri: async (_name, version) => {
        reads += 1;
        return `mlflow-artifacts:/${uris[version] ?? ""}`;
      },
    });

  it("names the columns of a column-based signature, in order", async () => {
    expect(await signature()("m", "1")).toEqual(["age", "city"]);
  });

  it("has no names for a tensor signature, a bare .onnx file, an MLmodel without signature, or no MLmodel", async () => {
    const names = signature();
    for (const version of ["2", "3", "4", "6", "7"]) expect(await names("m", version), version).toBeUndefined();
  });

  it("refuses to read an MLmodel file over the size limit", async () => {
    await expect(signature()("m", "5")).rejects.toThrow(`the MLmodel file at 'm/5/MLmodel' is ${MAX_MLMODEL_BYTES + 1 + `signature: {inputs: '${cols}'}\n`.length} bytes; at most ${MAX_MLMODEL_BYTES} are read`);
  });

  it("reads a version's file once (cached per version and source)", async () => {
    const names = signature();
    await names("m", "1");
    const before = reads;
    const statBefore = store.stat.bind(store);
    let stats = 0;
    store.stat = async (key) => {
      stats += 1;
      return statBefore(key);
    };
    expect(await names("m", "1")).toEqual(["age", "city"]);
    store.stat = statBefore;
    expect(reads).toBe(before + 1);
    expect(stats).toBe(0);
  });
});
