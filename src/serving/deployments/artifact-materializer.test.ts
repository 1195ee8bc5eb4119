import { mkdir, mkdtemp, readdir, readFile, rm, utimes, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { ModelVersion } from "../../protocol/mlflow/registry-entities.js";
import { openLocalArtifactStore } from "../../stores/artifact-stores/local/index.js";
import { artifactMaterializer, sweepStaleStaging } from "./artifact-materializer.js";

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "cairn-materializer-"));
});
afterEach(async () => rm(dir, { recursive: true, force: true }));

const hoursAgo = (hours: number): Date => new Date(Date.now() - hours * 60 * 60 * 1000);

/** A staging folder as a copy killed mid-way leaves it, last touched `hours` ago. */
const leftover = async (cache: string, name: string, hours: number): Promise<string> => {
  const staging = path.join(cache, "churn", "1-1000", name);
  await mkdir(path.join(staging, "files"), { recursive: true });
  await writeFile(path.join(staging, "files", "model.onnx"), "half a model");
  await utimes(staging, hoursAgo(hours), hoursAgo(hours));
  return staging;
};

describe("the model cache's staging leftovers", () => {
  it("removes staging folders older than an hour and keeps younger ones (another replica's copy in progress)", async () => {
    const cache = path.join(dir, "cache");
    await leftover(cache, "staging-killed", 2);
    await leftover(cache, "staging-copying", 0);
    // A version's finished files are never candidates, whatever their age.
    await mkdir(path.join(cache, "churn", "1-1000", "files"), { recursive: true });
    await utimes(path.join(cache, "churn", "1-1000", "files"), hoursAgo(48), hoursAgo(48));
    expect(await sweepStaleStaging(cache)).toBe(1);
    expect((await readdir(path.join(cache, "churn", "1-1000"))).sort()).toEqual(["files", "staging-copying"]);
    expect(await sweepStaleStaging(path.join(dir, "no-such-cache"))).toBe(0);
  });

  it("sweeps once, before the first copy, and then copies the version's files", async () => {
    const cache = path.join(dir, "cache");
    await leftover(cache, "staging-killed", 3);
    const store = await openLocalArtifactStore(path.join(dir, "artifacts"));
    await store.write("0/run/artifacts/model/model.onnx", (async function* () {
      yield Buffer.from("onnx bytes");
    })());
    const materialize = artifactMaterializer({ store, downloadUri: async () => "mlflow-artifacts:/0/run/artifacts/model", cacheDir: cache });
    const version = { name: "churn", version: "2", creation_timestamp: 2000 } as ModelVersion;
    const local = await materialize(version);
    expect(await readFile(path.join(local, "model.onnx"), "utf8")).toBe("onnx bytes");
    expect(await readdir(path.join(cache, "churn", "1-1000"))).toEqual([]);
    expect(await readdir(path.join(cache, "churn", "2-2000"))).toEqual(["files"]);
  });
});
