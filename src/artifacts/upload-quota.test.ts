import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { Readable } from "node:stream";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { openHarness, type ArtifactHarness } from "./test-support/artifact-app.js";

const ARTIFACTS = "/api/2.0/mlflow-artifacts/artifacts";
const MPU = "/api/2.0/mlflow-artifacts/mpu";

/** Every file under the root with its size, staging folders included: what a refused upload must not change. */
const filesUnder = async (root: string): Promise<string[]> => {
  const entries = await readdir(root, { recursive: true, withFileTypes: true }).catch(() => []);
  const files = await Promise.all(
    entries.filter((entry) => entry.isFile()).map(async (entry) => {
      const full = path.join(entry.parentPath, entry.name);
      return `${path.relative(root, full)}:${(await readFile(full)).length}`;
    }),
  );
  return files.sort();
};

describe("artifact upload quotas (issue 12 part 5)", () => {
  let h: ArtifactHarness;
  beforeEach(async () => {
    h = await openHarness({ maxFileBytes: 1000, maxExperimentBytes: 2500 });
  });
  afterEach(() => h.close());

  const put = (key: string, body: string | Readable, headers: Record<string, string> = {}) =>
    h.app.inject({ method: "PUT", url: `${ARTIFACTS}/${key}`, payload: body, headers: { "content-type": "application/octet-stream", ...headers } });
  /** A body without content-length, in chunks: only counting the bytes as they arrive can stop it. */
  const chunked = (bytes: number): Readable => Readable.from(Array.from({ length: Math.ceil(bytes / 100) }, (_, i) => Buffer.alloc(Math.min(100, bytes - i * 100), 97)));

  it("refuses a file over --max-artifact-file-bytes while it streams, keeping the file it would have replaced", async () => {
    expect((await put("1/r/artifacts/model.bin", "old")).statusCode).toBe(200);
    const before = await filesUnder(h.root);
    const refused = await put("1/r/artifacts/model.bin", chunked(1500));
    expect(refused.statusCode).toBe(413);
    expect(refused.json()).toEqual({
      error_code: "INVALID_PARAMETER_VALUE",
      message: "Invalid value for parameter 'artifact_path' supplied: '1/r/artifacts/model.bin' exceeds the artifact file limit of 1000 bytes (--max-artifact-file-bytes).",
    });
    expect(await filesUnder(h.root)).toEqual(before);
    expect((await h.app.inject({ method: "GET", url: `${ARTIFACTS}/1/r/artifacts/model.bin` })).body).toBe("old");
    // Declared over the limit: refused before a byte is read.
    const declared = await put("1/r/artifacts/other.bin", "x".repeat(1001));
    expect(declared.statusCode).toBe(413);
    expect(await filesUnder(h.root)).toEqual(before);
    expect((await put("1/r/artifacts/other.bin", chunked(1000))).statusCode).toBe(200);
  });

  it("refuses uploads past --max-experiment-artifact-bytes in that experiment only, counting replaced and deleted files", async () => {
    expect((await put("7/r/artifacts/a.bin", chunked(1000))).statusCode).toBe(200);
    expect((await put("7/r/artifacts/b.bin", chunked(1000))).statusCode).toBe(200);
    const before = await filesUnder(h.root);
    const refused = await put("7/s/artifacts/c.bin", chunked(600));
    expect(refused.statusCode).toBe(413);
    expect(refused.json().message).toBe(
      "Invalid value for parameter 'artifact_path' supplied: the artifacts of experiment '7' would exceed the limit of 2500 bytes (--max-experiment-artifact-bytes); it holds 2000 bytes.",
    );
    expect(await filesUnder(h.root)).toEqual(before);
    // Another experiment has its own quota; 500 more bytes fit in this one.
    expect((await put("8/r/artifacts/c.bin", chunked(1000))).statusCode).toBe(200);
    expect((await put("7/s/artifacts/c.bin", chunked(500))).statusCode).toBe(200);
    expect((await put("7/s/artifacts/d.bin", "x")).statusCode).toBe(413);
    // Replacing a file by a smaller one frees the difference; a delete frees the file.
    expect((await put("7/r/artifacts/a.bin", "small")).statusCode).toBe(200);
    expect((await put("7/s/artifacts/d.bin", chunked(900))).statusCode).toBe(200);
    expect((await h.app.inject({ method: "DELETE", url: `${ARTIFACTS}/7/r/artifacts` })).statusCode).toBe(200);
    expect((await put("7/t/artifacts/e.bin", chunked(1000))).statusCode).toBe(200);
  });

  it("counts files already on disk when the server starts", async () => {
    await h.store.write("9/r/artifacts/old.bin", Readable.from([Buffer.alloc(2400)]));
    const refused = await put("9/r/artifacts/new.bin", chunked(200));
    expect(refused.statusCode).toBe(413);
    expect(refused.json().message).toContain("it holds 2400 bytes.");
  });

  it("bounds multipart uploads: each part by the file limit, the completed file by both quotas, before assembling", async () => {
    const post = (url: string, body: object) => h.app.inject({ method: "POST", url, payload: body, headers: { host: "cairn.test:5000" } });
    const created = (await post(`${MPU}/create/3/r/artifacts`, { path: "w.bin", num_parts: 2 })).json() as { upload_id: string; credentials: Array<{ url: string }> };
    const partPut = (index: number, body: string | Readable) => {
      const url = new URL(created.credentials[index]?.url ?? "");
      return h.app.inject({ method: "PUT", url: url.pathname + url.search, payload: body, headers: { "content-type": "application/octet-stream" } });
    };
    expect((await partPut(0, chunked(1200))).statusCode).toBe(413);
    expect((await partPut(0, chunked(700))).statusCode).toBe(200);
    expect((await partPut(1, chunked(700))).statusCode).toBe(200);
    const complete = await post(`${MPU}/complete/3/r/artifacts`, { path: "w.bin", upload_id: created.upload_id, parts: [{ part_number: 1 }, { part_number: 2 }] });
    expect(complete.statusCode).toBe(413);
    expect(complete.json().message).toContain("'3/r/artifacts/w.bin' exceeds the artifact file limit of 1000 bytes");
    expect((await h.app.inject({ method: "GET", url: `${ARTIFACTS}/3/r/artifacts/w.bin` })).statusCode).toBe(404);
    // Staged parts count against the experiment until the upload completes or is aborted.
    expect((await put("3/r/artifacts/x.bin", chunked(1000))).statusCode).toBe(200);
    expect((await put("3/r/artifacts/y.bin", chunked(200))).statusCode).toBe(413);
    expect((await post(`${MPU}/abort/3/r/artifacts`, { path: "w.bin", upload_id: created.upload_id })).statusCode).toBe(200);
    expect((await put("3/r/artifacts/y.bin", chunked(1000))).statusCode).toBe(200);
  });
});
