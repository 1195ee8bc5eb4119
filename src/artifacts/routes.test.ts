import { readdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { openHarness, type ArtifactHarness } from "./test-support/artifact-app.js";

const RUN = "0123456789abcdef0123456789abcdef";

describe("mlflow-artifacts routes", () => {
  let h: ArtifactHarness;
  beforeEach(async () => {
    h = await openHarness();
  });
  afterEach(() => h.close());

  const put = (url: string, body: string | Buffer, contentType = "application/octet-stream") =>
    h.app.inject({ method: "PUT", url, payload: body, headers: { "content-type": contentType } });

  it("uploads the raw body of any content type, then downloads the exact bytes as an attachment", async () => {
    const binary = Buffer.from([0, 1, 2, 255, 254, 10, 13]);
    const uploaded = await put("/api/2.0/mlflow-artifacts/artifacts/0/r/artifacts/data.bin", binary);
    expect(uploaded.statusCode).toBe(200);
    expect(uploaded.json()).toEqual({});
    // A JSON content type must not be parsed either: the body is a file.
    const json = await put("/api/2.0/mlflow-artifacts/artifacts/0/r/artifacts/conf/params.json", '{"a": 1', "application/json");
    expect(json.statusCode).toBe(200);

    const download = await h.app.inject({ method: "GET", url: "/api/2.0/mlflow-artifacts/artifacts/0/r/artifacts/data.bin" });
    expect(download.statusCode).toBe(200);
    expect(download.rawPayload.equals(binary)).toBe(true);
    expect(download.headers["content-type"]).toBe("application/octet-stream");
    expect(download.headers["content-disposition"]).toBe("attachment; filename=data.bin");
    expect(download.headers["x-content-type-options"]).toBe("nosniff");
    expect(download.headers["content-length"]).toBe("7");

    const text = await h.app.inject({ method: "GET", url: "/ajax-api/2.0/mlflow-artifacts/artifacts/0/r/artifacts/conf/params.json" });
    expect(text.body).toBe('{"a": 1');
    expect(text.headers["content-type"]).toBe("text/plain");
  });

  it("names content types as MLflow does and escapes unusual file names in Content-Disposition", async () => {
    for (const [name, type] of [
      ["MLmodel", "text/plain"],
      ["report.html", "text/html"],
      ["plot.png", "image/png"],
      ["model.pkl", "application/octet-stream"],
      ["notes.md", "text/plain"],
    ] as const) {
      await put(`/api/2.0/mlflow-artifacts/artifacts/t/${name}`, "x");
      const res = await h.app.inject({ method: "GET", url: `/api/2.0/mlflow-artifacts/artifacts/t/${name}` });
      expect(res.headers["content-type"], name).toBe(type);
    }
    await put("/api/2.0/mlflow-artifacts/artifacts/t/r%C3%A9sum%C3%A9%20%22final%22.txt", "x");
    const res = await h.app.inject({ method: "GET", url: "/api/2.0/mlflow-artifacts/artifacts/t/r%C3%A9sum%C3%A9%20%22final%22.txt" });
    expect(res.headers["content-disposition"]).toBe(
      `attachment; filename="r_sum_ _final_.txt"; filename*=UTF-8''r%C3%A9sum%C3%A9%20%22final%22.txt`,
    );
  });

  it("answers a byte range with 206 and Content-Range", async () => {
    await put("/api/2.0/mlflow-artifacts/artifacts/f.txt", "0123456789");
    const res = await h.app.inject({ method: "GET", url: "/api/2.0/mlflow-artifacts/artifacts/f.txt", headers: { range: "bytes=2-4" } });
    expect(res.statusCode).toBe(206);
    expect(res.body).toBe("234");
    expect(res.headers["content-range"]).toBe("bytes 2-4/10");
    const suffix = await h.app.inject({ method: "GET", url: "/api/2.0/mlflow-artifacts/artifacts/f.txt", headers: { range: "bytes=-3" } });
    expect(suffix.body).toBe("789");
    const outside = await h.app.inject({ method: "GET", url: "/api/2.0/mlflow-artifacts/artifacts/f.txt", headers: { range: "bytes=10-" } });
    expect(outside.statusCode).toBe(416);
    expect(outside.headers["content-range"]).toBe("bytes */10");
  });

  it("lists a folder with base names, sizes for files only; {} for an empty or missing folder", async () => {
    await put("/api/2.0/mlflow-artifacts/artifacts/0/r/artifacts/b.txt", "bb");
    await put("/api/2.0/mlflow-artifacts/artifacts/0/r/artifacts/a.txt", "a");
    await put("/api/2.0/mlflow-artifacts/artifacts/0/r/artifacts/model/MLmodel", "m");
    const res = await h.app.inject({ method: "GET", url: "/api/2.0/mlflow-artifacts/artifacts?path=0/r/artifacts" });
    expect(res.statusCode).toBe(200);
    expect(res.headers["content-type"]).toContain("application/json");
    expect(res.body).toBe(
      '{"files":[{"path":"a.txt","is_dir":false,"file_size":1},{"path":"b.txt","is_dir":false,"file_size":2},{"path":"model","is_dir":true}]}',
    );
    const root = await h.app.inject({ method: "GET", url: "/ajax-api/2.0/mlflow-artifacts/artifacts" });
    expect(root.json()).toEqual({ files: [{ path: "0", is_dir: true }] });
    expect((await h.app.inject({ method: "GET", url: "/api/2.0/mlflow-artifacts/artifacts?path=nothing/here" })).body).toBe("{}");
    expect((await h.app.inject({ method: "GET", url: "/api/2.0/mlflow-artifacts/artifacts?path=0/r/artifacts/a.txt" })).body).toBe("{}");
  });

  it("deletes a file or a folder; deleting a missing path succeeds as in MLflow", async () => {
    await put("/api/2.0/mlflow-artifacts/artifacts/d/x/a.txt", "a");
    await put("/api/2.0/mlflow-artifacts/artifacts/d/b.txt", "b");
    const del = await h.app.inject({ method: "DELETE", url: "/api/2.0/mlflow-artifacts/artifacts/d/x" });
    expect(del.statusCode).toBe(200);
    expect(del.json()).toEqual({});
    expect((await h.app.inject({ method: "DELETE", url: "/api/2.0/mlflow-artifacts/artifacts/d/none" })).statusCode).toBe(200);
    expect((await h.app.inject({ method: "GET", url: "/api/2.0/mlflow-artifacts/artifacts?path=d" })).json()).toEqual({
      files: [{ path: "b.txt", is_dir: false, file_size: 1 }],
    });
  });

  it("answers errors in MLflow's JSON shape", async () => {
    const missing = await h.app.inject({ method: "GET", url: "/api/2.0/mlflow-artifacts/artifacts/none.txt" });
    expect(missing.statusCode).toBe(404);
    expect(missing.json()).toEqual({ error_code: "RESOURCE_DOES_NOT_EXIST", message: "Artifact 'none.txt' does not exist." });

    await put("/api/2.0/mlflow-artifacts/artifacts/dir/a.txt", "a");
    const folder = await h.app.inject({ method: "GET", url: "/api/2.0/mlflow-artifacts/artifacts/dir" });
    expect(folder.statusCode).toBe(400);
    expect(folder.json()).toEqual({
      error_code: "INVALID_PARAMETER_VALUE",
      message: `Invalid path "dir" for parameter 'path': it is a directory; list it or name a file below it.`,
    });
    const overFolder = await put("/api/2.0/mlflow-artifacts/artifacts/dir", "x");
    expect(overFolder.statusCode).toBe(400);
    expect(overFolder.json().message).toBe(`Invalid path "dir" for parameter 'path': a directory exists at this path.`);
    const belowFile = await put("/api/2.0/mlflow-artifacts/artifacts/dir/a.txt/b.txt", "x");
    expect(belowFile.statusCode).toBe(400);
    expect(belowFile.json().message).toBe(`Invalid path "dir/a.txt/b.txt" for parameter 'path': a parent of this path is a file.`);
  });

  it("leaves no partial file when an upload body fails mid-stream", async () => {
    const { Readable } = await import("node:stream");
    const failing = new Readable({
      read() {
        this.push(Buffer.alloc(64 * 1024, 1));
        this.destroy(new Error("client aborted"));
      },
    });
    const res = await h.app
      .inject({ method: "PUT", url: "/api/2.0/mlflow-artifacts/artifacts/broken.bin", payload: failing, headers: { "content-type": "application/octet-stream" } })
      .catch((error: unknown) => error);
    expect(res).toBeDefined();
    expect(await readdir(h.root)).toEqual([".cairn-staging"]);
    expect(await readdir(path.join(h.root, ".cairn-staging", "tmp"))).toEqual([]);
  });
});

describe("tracking API artifacts/list", () => {
  let h: ArtifactHarness;
  beforeEach(async () => {
    h = await openHarness();
    h.runs.set(RUN, `mlflow-artifacts:/0/${RUN}/artifacts`);
    const dir = path.join(h.root, "0", RUN, "artifacts");
    await import("node:fs/promises").then(({ mkdir }) => mkdir(path.join(dir, "model"), { recursive: true }));
    await writeFile(path.join(dir, "metrics.csv"), "a,b\n");
    await writeFile(path.join(dir, "model", "MLmodel"), "flavors: {}\n");
  });
  afterEach(() => h.close());

  it("lists run-relative paths with the run's root_uri, as MLflow", async () => {
    const res = await h.app.inject({ method: "GET", url: `/api/2.0/mlflow/artifacts/list?run_id=${RUN}` });
    expect(res.statusCode).toBe(200);
    expect(res.body).toBe(
      `{"root_uri":"mlflow-artifacts:/0/${RUN}/artifacts","files":[{"path":"metrics.csv","is_dir":false,"file_size":4},{"path":"model","is_dir":true}]}`,
    );
    const sub = await h.app.inject({ method: "GET", url: `/ajax-api/2.0/mlflow/artifacts/list?run_uuid=${RUN}&path=model&page_token=x` });
    expect(sub.json()).toEqual({
      root_uri: `mlflow-artifacts:/0/${RUN}/artifacts`,
      files: [{ path: "model/MLmodel", is_dir: false, file_size: 12 }],
    });
    const empty = await h.app.inject({ method: "GET", url: `/api/2.0/mlflow/artifacts/list?run_id=${RUN}&path=nothing` });
    expect(empty.body).toBe(`{"root_uri":"mlflow-artifacts:/0/${RUN}/artifacts"}`);
  });

  it("reads mlflow-artifacts URIs with an authority too", async () => {
    h.runs.set("other", `mlflow-artifacts://host:5000/0/${RUN}/artifacts`);
    const res = await h.app.inject({ method: "GET", url: `/api/2.0/mlflow/artifacts/list?run_id=other&path=model` });
    expect(res.json().files).toEqual([{ path: "model/MLmodel", is_dir: false, file_size: 12 }]);
  });

  it("refuses a missing run_id, an unknown run, a run stored elsewhere, and an escaping path", async () => {
    const noRun = await h.app.inject({ method: "GET", url: "/api/2.0/mlflow/artifacts/list" });
    expect(noRun.statusCode).toBe(400);
    expect(noRun.json()).toEqual({
      error_code: "INVALID_PARAMETER_VALUE",
      message: "Missing value for required parameter 'run_id'. See the API docs for more information about request parameters.",
    });
    const unknown = await h.app.inject({ method: "GET", url: "/api/2.0/mlflow/artifacts/list?run_id=nope" });
    expect(unknown.statusCode).toBe(404);
    h.runs.set("s3run", "s3://bucket/0/s3run/artifacts");
    const elsewhere = await h.app.inject({ method: "GET", url: "/api/2.0/mlflow/artifacts/list?run_id=s3run" });
    expect(elsewhere.statusCode).toBe(400);
    expect(elsewhere.json()).toEqual({
      error_code: "BAD_REQUEST",
      message:
        "Run 's3run' has artifact_uri 's3://bucket/0/s3run/artifacts', which this server does not serve: only runs whose artifact_uri is an mlflow-artifacts: URI are listed through the tracking server.",
    });
    h.runs.set("local", "/tmp/mlruns/0/local/artifacts");
    expect((await h.app.inject({ method: "GET", url: "/api/2.0/mlflow/artifacts/list?run_id=local" })).statusCode).toBe(400);
    const escape = await h.app.inject({ method: "GET", url: `/api/2.0/mlflow/artifacts/list?run_id=${RUN}&path=../../..` });
    expect(escape.statusCode).toBe(400);
    expect(escape.json().message).toBe(`Invalid path "../../.." for parameter 'path': '..' segments are not allowed.`);
  });
});
