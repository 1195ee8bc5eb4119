import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { RegistryStore } from "../store.js";
import type { FileManifest } from "./file-manifest.js";
import type { ManifestStore } from "./manifest-store.js";

/**
 * The contract every ManifestStore backend passes, over a registry store of the same backend (manifests belong to
 * versions: they follow a rename and go with a delete). Exact values throughout.
 */
export type OpenManifestStore = () => Promise<{ manifests: ManifestStore; registry: RegistryStore; cleanup(): Promise<void> }>;

const digest = (char: string): string => char.repeat(64);
const folder: FileManifest = {
  rootKey: "0/r1/artifacts/model",
  rootIsFile: false,
  files: [
    { path: "MLmodel", size: 10, sha256: digest("a") },
    { path: "sub/weights.bin", size: 20, sha256: digest("b") },
  ],
};
const oneFile: FileManifest = { rootKey: "0/r2/artifacts/model.onnx", rootIsFile: true, files: [{ path: "", size: 5, sha256: digest("c") }] };

export const describeManifestStoreContract = (backend: string, open: OpenManifestStore): void => {
  describe(`ManifestStore contract: ${backend}`, () => {
    let manifests: ManifestStore;
    let registry: RegistryStore;
    let cleanup: () => Promise<void>;
    beforeEach(async () => {
      ({ manifests, registry, cleanup } = await open());
      await registry.createRegisteredModel({ name: "m", tags: [], now: 1 });
      for (const source of ["runs:/r1/model", "runs:/r2/model.onnx"]) await registry.createModelVersion({ name: "m", source, tags: [], now: 2 });
    });
    afterEach(async () => cleanup());

    it("records a manifest once: a second record keeps the first and says it created nothing", async () => {
      const first = await manifests.record("m", "1", folder, "registration", 100);
      expect(first).toEqual({
        created: true,
        manifest: { name: "m", version: "1", rootKey: folder.rootKey, rootIsFile: false, origin: "registration", recordedTime: 100, files: folder.files },
      });
      const second = await manifests.record("m", "1", oneFile, "first_use", 200);
      expect(second).toEqual({ created: false, manifest: first?.manifest });
      expect(await manifests.get("m", "1")).toEqual(first?.manifest);
      expect(await manifests.get("m", "2")).toBeUndefined();
      expect(await manifests.record("nope", "1", folder, "registration", 1)).toBeUndefined();
    });

    it("finds the recorded digest of a file by its key, below a folder root or as a one-file root", async () => {
      await manifests.record("m", "1", folder, "registration", 1);
      await manifests.record("m", "2", oneFile, "first_use", 1);
      expect(await manifests.recordedFilesAt("0/r1/artifacts/model/sub/weights.bin")).toEqual([
        { name: "m", version: "1", rootKey: folder.rootKey, file: { path: "sub/weights.bin", size: 20, sha256: digest("b") } },
      ]);
      expect(await manifests.recordedFilesAt("0/r2/artifacts/model.onnx")).toEqual([
        { name: "m", version: "2", rootKey: oneFile.rootKey, file: { path: "", size: 5, sha256: digest("c") } },
      ]);
      expect(await manifests.recordedFilesAt("0/r1/artifacts/model/other")).toEqual([]);
      expect(await manifests.recordedFilesAt("0/r1/artifacts/model")).toEqual([]);
    });

    it("names the versions a write (root at or above the key) or a delete (also below it) would touch", async () => {
      await manifests.record("m", "1", folder, "registration", 1);
      await manifests.record("m", "2", oneFile, "registration", 1);
      const pinned = (key: string, below: boolean) => manifests.pinning(key, { below }).then((found) => found.map((v) => `${v.name}/${v.version}`).sort());
      expect(await pinned("0/r1/artifacts/model/new.txt", false)).toEqual(["m/1"]);
      expect(await pinned("0/r1/artifacts/model", false)).toEqual(["m/1"]);
      expect(await pinned("0/r1/artifacts/model.txt", false)).toEqual([]);
      expect(await pinned("0/r1/artifacts", false)).toEqual([]);
      expect(await pinned("0/r1/artifacts", true)).toEqual(["m/1"]);
      expect(await pinned("0", true)).toEqual(["m/1", "m/2"]);
      expect(await pinned("", true)).toEqual(["m/1", "m/2"]);
      // "0/r1/artifacts/model0" sorts right after "0/r1/artifacts/model/...": not below it.
      expect(await pinned("0/r1/artifacts/mode", true)).toEqual([]);
    });

    it("follows a model rename and goes with its version", async () => {
      await manifests.record("m", "1", folder, "registration", 1);
      await registry.renameRegisteredModel("m", "n", 5);
      expect((await manifests.get("n", "1"))?.files).toEqual(folder.files);
      expect(await manifests.pinning("0/r1/artifacts/model", { below: false })).toEqual([{ name: "n", version: "1", rootKey: folder.rootKey }]);
      await registry.deleteModelVersion("n", "1", 6);
      expect(await manifests.get("n", "1")).toBeUndefined();
      expect(await manifests.pinning("0/r1/artifacts/model", { below: true })).toEqual([]);
    });
  });
};
