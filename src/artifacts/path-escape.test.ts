import { mkdir, readdir, readFile, symlink, writeFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openHarness, rawRequest, type ArtifactHarness } from "./test-support/artifact-app.js";

/**
 * Every way out of the artifact root that MLflow's CVEs used, sent over real HTTP with the path exactly as written
 * (inject and fetch would resolve dot segments before the server saw them). Each must be a 400
 * INVALID_PARAMETER_VALUE that names the path, and nothing outside the root may be read, written or deleted.
 */
const API = "/api/2.0/mlflow-artifacts";

describe("path escapes through the mlflow-artifacts routes", () => {
  let h: ArtifactHarness;
  let base: string;
  let outside: string;
  beforeAll(async () => {
    h = await openHarness();
    base = await h.app.listen({ host: "127.0.0.1", port: 0 });
    outside = path.join(h.dir, "outside");
    await mkdir(outside);
    await writeFile(path.join(outside, "secret.txt"), "secret");
    await mkdir(path.join(h.root, "inside"), { recursive: true });
    await writeFile(path.join(h.root, "inside", "ok.txt"), "ok");
    await symlink(outside, path.join(h.root, "inside", "link-out"));
  });
  afterAll(() => h.close());

  const expectRefused = async (method: string, rawPath: string, shown: string, reason: string, body?: string): Promise<void> => {
    const res = await rawRequest(base, method, rawPath, body);
    expect(res.status, `${method} ${rawPath}`).toBe(400);
    const error = JSON.parse(res.body) as { error_code: string; message: string };
    expect(error.error_code).toBe("INVALID_PARAMETER_VALUE");
    expect(error.message).toContain(`Invalid path ${JSON.stringify(shown)}`);
    expect(error.message).toContain(reason);
  };

  // [name, raw URL tail, the path after one decode, reason]
  const cases: ReadonlyArray<readonly [string, string, string, string]> = [
    ["'..' segments", "inside/../../outside/secret.txt", "inside/../../outside/secret.txt", "'..' segments are not allowed"],
    ["percent-encoded dots and slash", "%2e%2e%2f%2e%2e%2foutside/secret.txt", "../../outside/secret.txt", "'..' segments are not allowed"],
    ["upper-case percent-encoding", "%2E%2E/%2E%2E/outside/secret.txt", "../../outside/secret.txt", "'..' segments are not allowed"],
    ["encoded slash inside a segment", "..%2f..%2foutside/secret.txt", "../../outside/secret.txt", "'..' segments are not allowed"],
    ["double-encoded traversal", "%252e%252e%252f%252e%252e%252foutside/secret.txt", "%2e%2e%2f%2e%2e%2foutside/secret.txt", "double encoding"],
    ["double-encoded slash only", "..%252f..%252foutside", "..%2f..%2foutside", "double encoding"],
    ["absolute path (encoded leading slash)", "%2fetc%2fpasswd", "/etc/passwd", "absolute paths are not allowed"],
    ["backslashes", "..%5c..%5coutside%5csecret.txt", "..\\..\\outside\\secret.txt", "backslashes are not allowed"],
    ["NUL byte", "inside/ok.txt%00.png", "inside/ok.txt\u0000.png", "NUL bytes are not allowed"],
    ["Windows drive letter", "C:%5cWindows%5cwin.ini", "C:\\Windows\\win.ini", "backslashes are not allowed"],
    ["Windows drive letter with slashes", "C:/Windows/win.ini", "C:/Windows/win.ini", "Windows drive letters are not allowed"],
    ["symlink leaving the root", "inside/link-out/secret.txt", "inside/link-out/secret.txt", "resolves outside the artifact root through a symbolic link"],
  ];

  describe.each(cases)("%s", (_name, tail, decoded, reason) => {
    it("is refused for download", async () => {
      await expectRefused("GET", `${API}/artifacts/${tail}`, decoded, reason);
    });
    it("is refused for upload, and nothing is written outside", async () => {
      await expectRefused("PUT", `${API}/artifacts/${tail}`, decoded, reason, "pwned");
      expect(await readFile(path.join(outside, "secret.txt"), "utf8")).toBe("secret");
      expect((await readdir(outside)).sort()).toEqual(["secret.txt"]);
    });
    it("is refused for delete, and nothing outside is removed", async () => {
      await expectRefused("DELETE", `${API}/artifacts/${tail}`, decoded, reason);
      expect(await readdir(outside)).toEqual(["secret.txt"]);
    });
    it("is refused for listing through ?path=", async () => {
      await expectRefused("GET", `${API}/artifacts?path=${tail}`, decoded, reason);
    });
    it("is refused for multipart create", async () => {
      const res = await rawRequest(base, "POST", `${API}/mpu/create/${tail}`, JSON.stringify({ path: "f.bin", num_parts: 1 }), "application/json");
      expect(res.status).toBe(400);
      expect(JSON.parse(res.body)).toMatchObject({ error_code: "INVALID_PARAMETER_VALUE" });
    });
  });

  it("refuses an escaping file name in the multipart body too", async () => {
    for (const name of ["..", "%2e%2e", "a/..", "a\\.."]) {
      const res = await rawRequest(base, "POST", `${API}/mpu/create/inside`, JSON.stringify({ path: name, num_parts: 1 }), "application/json");
      expect(res.status, name).toBe(400);
      expect(JSON.parse(res.body).error_code).toBe("INVALID_PARAMETER_VALUE");
    }
  });

  it("refuses an escaping path in the tracking API's artifacts/list", async () => {
    h.runs.set("r1", "mlflow-artifacts:/inside");
    const res = await rawRequest(base, "GET", "/api/2.0/mlflow/artifacts/list?run_id=r1&path=%2e%2e%2f%2e%2e");
    expect(res.status).toBe(400);
    expect(JSON.parse(res.body).message).toBe(`Invalid path "../.." for parameter 'path': '..' segments are not allowed.`);
    const link = await rawRequest(base, "GET", "/api/2.0/mlflow/artifacts/list?run_id=r1&path=link-out");
    expect(link.status).toBe(400);
    h.runs.set("r2", "mlflow-artifacts:/../outside");
    expect((await rawRequest(base, "GET", "/api/2.0/mlflow/artifacts/list?run_id=r2")).status).toBe(400);
  });

  it("still serves legitimate paths, including odd but safe names", async () => {
    const ok = await rawRequest(base, "GET", `${API}/artifacts/inside/ok.txt`);
    expect(ok.status).toBe(200);
    expect(ok.body).toBe("ok");
    expect((await rawRequest(base, "PUT", `${API}/artifacts/inside/..hidden/...txt`, "dots")).status).toBe(200);
    expect((await rawRequest(base, "GET", `${API}/artifacts/inside/..hidden/...txt`)).body).toBe("dots");
    expect((await rawRequest(base, "PUT", `${API}/artifacts/inside/100%25%20sure.txt`, "pct")).status).toBe(200);
    expect(await readFile(path.join(h.root, "inside", "100% sure.txt"), "utf8")).toBe("pct");
    // A listing does not show the link that leaves the root.
    const list = await rawRequest(base, "GET", `${API}/artifacts?path=inside`);
    expect(JSON.parse(list.body).files.map((file: { path: string }) => file.path)).toEqual(["..hidden", "100% sure.txt", "ok.txt"]);
  });
});
