import { createHash } from "node:crypto";
import { readdir } from "node:fs/promises";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { openHarness, type ArtifactHarness } from "./test-support/artifact-app.js";

interface Created {
  upload_id: string;
  credentials: Array<{ url: string; part_number: number; headers: Record<string, string> }>;
}

describe("multipart uploads through mlflow-artifacts/mpu", () => {
  let h: ArtifactHarness;
  beforeEach(async () => {
    h = await openHarness();
  });
  afterEach(() => h.close());

  const post = (url: string, body: object) => h.app.inject({ method: "POST", url, payload: body, headers: { host: "cairn.test:5000" } });
  const create = async (numParts: number, prefix = "/api/2.0"): Promise<Created> => {
    // The client sends its local file path; only the file name counts.
    const res = await post(`${prefix}/mlflow-artifacts/mpu/create/0/r/artifacts/model`, { path: "/home/me/out/weights.bin", num_parts: numParts });
    expect(res.statusCode).toBe(200);
    return res.json() as Created;
  };
  const putPart = async (credentialUrl: string, body: string) => {
    const url = new URL(credentialUrl);
    const res = await h.app.inject({ method: "PUT", url: url.pathname + url.search, payload: body, headers: { "content-type": "application/octet-stream" } });
    expect(res.statusCode).toBe(200);
    return res.headers.etag as string;
  };
  const download = async () => (await h.app.inject({ method: "GET", url: "/api/2.0/mlflow-artifacts/artifacts/0/r/artifacts/model/weights.bin" }));

  it("hands out one part URL per part, pointing back at this server", async () => {
    const created = await create(3);
    expect(created.upload_id).toMatch(/^[0-9a-f]{32}$/);
    expect(created.credentials).toEqual([1, 2, 3].map((n) => ({
      url: `http://cairn.test:5000/api/2.0/mlflow-artifacts/mpu/upload-part/0/r/artifacts/model/weights.bin?upload_id=${created.upload_id}&part_number=${n}`,
      part_number: n,
      headers: {},
    })));
    const ajax = await create(1, "/ajax-api/2.0");
    expect(ajax.credentials[0]?.url).toContain("/ajax-api/2.0/mlflow-artifacts/mpu/upload-part/");
  });

  it("completes parts uploaded out of order into one file, in part-number order", async () => {
    const created = await create(3);
    const [c1, c2, c3] = created.credentials;
    const e3 = await putPart(c3!.url, "third");
    const e1 = await putPart(c1!.url, "first-");
    const e2 = await putPart(c2!.url, "second-");
    expect(e1).toBe(`"${createHash("md5").update("first-").digest("hex")}"`);
    expect((await download()).statusCode).toBe(404);
    const done = await post("/api/2.0/mlflow-artifacts/mpu/complete/0/r/artifacts/model", {
      path: "/home/me/out/weights.bin",
      upload_id: created.upload_id,
      parts: [
        { part_number: 2, etag: e2, url: c2!.url },
        { part_number: 3, etag: e3, url: c3!.url },
        { part_number: 1, etag: e1, url: c1!.url },
      ],
    });
    expect(done.statusCode).toBe(200);
    expect(done.json()).toEqual({});
    expect((await download()).body).toBe("first-second-third");
    expect(await readdir(path.join(h.root, ".cairn-staging", "uploads"))).toEqual([]);
    expect(await readdir(path.join(h.root, ".cairn-staging", "tmp"))).toEqual([]);
  });

  it("accepts a Windows client path as the file name", async () => {
    const res = await post("/api/2.0/mlflow-artifacts/mpu/create/dir", { path: "C:\\Users\\me\\data.csv", num_parts: 1 });
    expect(res.statusCode).toBe(200);
    expect((res.json() as Created).credentials[0]?.url).toContain("/mpu/upload-part/dir/data.csv?");
  });

  it("aborts an upload: its parts are dropped and it cannot be completed", async () => {
    const created = await create(2);
    await putPart(created.credentials[0]!.url, "a");
    const aborted = await post("/api/2.0/mlflow-artifacts/mpu/abort/0/r/artifacts/model", { path: "weights.bin", upload_id: created.upload_id });
    expect(aborted.statusCode).toBe(200);
    expect(aborted.json()).toEqual({});
    expect(await readdir(path.join(h.root, ".cairn-staging", "uploads"))).toEqual([]);
    const late = await post("/api/2.0/mlflow-artifacts/mpu/complete/0/r/artifacts/model", {
      path: "weights.bin",
      upload_id: created.upload_id,
      parts: [{ part_number: 1 }],
    });
    expect(late.statusCode).toBe(404);
    expect(late.json()).toEqual({
      error_code: "RESOURCE_DOES_NOT_EXIST",
      message: `Multipart upload '${created.upload_id}' does not exist (it was completed, aborted, or never created).`,
    });
    expect((await download()).statusCode).toBe(404);
  });

  it("refuses bad requests with messages that name the field", async () => {
    const noPath = await post("/api/2.0/mlflow-artifacts/mpu/create/d", { num_parts: 1 });
    expect(noPath.statusCode).toBe(400);
    expect(noPath.json().message).toBe("Missing value for required parameter 'path'. See the API docs for more information about request parameters.");
    const tooMany = await post("/api/2.0/mlflow-artifacts/mpu/create/d", { path: "f", num_parts: 10001 });
    expect(tooMany.json().message).toBe("Invalid value 10001 for parameter 'num_parts' supplied: must be between 1 and 10000.");
    const created = await create(1);
    const noParts = await post("/api/2.0/mlflow-artifacts/mpu/complete/0/r/artifacts/model", { path: "weights.bin", upload_id: created.upload_id });
    expect(noParts.json().message).toBe("Missing value for required parameter 'parts'. See the API docs for more information about request parameters.");
    const missingPart = await post("/api/2.0/mlflow-artifacts/mpu/complete/0/r/artifacts/model", {
      path: "weights.bin",
      upload_id: created.upload_id,
      parts: [{ part_number: 1 }],
    });
    expect(missingPart.statusCode).toBe(400);
    expect(missingPart.json().message).toBe(`Part 1 of multipart upload '${created.upload_id}' was never uploaded.`);
    const wrongEtag = await putPart(created.credentials[0]!.url, "x").then(() =>
      post("/api/2.0/mlflow-artifacts/mpu/complete/0/r/artifacts/model", {
        path: "weights.bin",
        upload_id: created.upload_id,
        parts: [{ part_number: 1, etag: '"ffff"' }],
      }),
    );
    expect(wrongEtag.statusCode).toBe(400);
    const otherPath = await post("/api/2.0/mlflow-artifacts/mpu/abort/0/r/artifacts", { path: "weights.bin", upload_id: created.upload_id });
    expect(otherPath.json().message).toBe(`Multipart upload '${created.upload_id}' belongs to another path than '0/r/artifacts/weights.bin'.`);
    const badPart = await h.app.inject({
      method: "PUT",
      url: `/api/2.0/mlflow-artifacts/mpu/upload-part/0/r/artifacts/model/weights.bin?upload_id=${created.upload_id}&part_number=abc`,
      payload: "x",
    });
    expect(badPart.statusCode).toBe(400);
    expect(badPart.json().message).toContain("'part_number'");
    const noUpload = await h.app.inject({ method: "PUT", url: "/api/2.0/mlflow-artifacts/mpu/upload-part/a.bin?part_number=1", payload: "x" });
    expect(noUpload.json().message).toBe("Missing value for required parameter 'upload_id'. See the API docs for more information about request parameters.");
  });
});
