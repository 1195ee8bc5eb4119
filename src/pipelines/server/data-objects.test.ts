import { createHash } from "node:crypto";
import { mkdir, readdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTempServer, type TempServer } from "../../server/test-support/temp-server.js";

const DATA = "/api/2.0/cairn/data";
const sha = (bytes: string | Buffer): string => createHash("sha256").update(bytes).digest("hex");

let server: TempServer;
const call = async (method: string, url: string, body?: unknown): Promise<{ status: number; body: Record<string, unknown> }> => {
  const response = await fetch(`${server.url}${url}`, {
    method,
    ...(body === undefined ? {} : { headers: { "content-type": "application/json" }, body: JSON.stringify(body) }),
  });
  const text = await response.text();
  return { status: response.status, body: text === "" ? {} : (JSON.parse(text) as Record<string, unknown>) };
};
const put = (hash: string, body: string | Buffer): Promise<Response> =>
  fetch(`${server.url}${DATA}/objects/sha256/${hash}`, { method: "PUT", headers: { "content-type": "application/octet-stream" }, body });
const objectFiles = async (): Promise<string[]> => {
  const root = path.join(server.dir, "artifacts", ".cairn-data");
  try {
    return (await readdir(root, { recursive: true, withFileTypes: true })).filter((entry) => entry.isFile()).map((entry) => path.relative(root, path.join(entry.parentPath, entry.name)));
  } catch {
    return [];
  }
};

beforeAll(async () => {
  server = await startTempServer("cairn-data-objects-");
});
afterAll(async () => server?.close());

describe("the server's data objects", () => {
  it("stores a verified object under .cairn-data with the cache layout, answers missing, and streams it back", async () => {
    const bytes = "hello data\n";
    const hash = sha(bytes);
    const absent = sha("absent");
    expect(await call("POST", `${DATA}/objects/missing`, { hashes: [hash, absent, hash] })).toEqual({ status: 200, body: { missing: [hash, absent] } });

    const stored = await put(hash, bytes);
    expect(stored.status).toBe(200);
    expect(await stored.json()).toEqual({ size: 11, created: true });
    expect(await objectFiles()).toEqual([`files/sha256/${hash.slice(0, 2)}/${hash.slice(2)}`]);
    // Again: already there, not rewritten.
    expect(await (await put(hash, bytes)).json()).toEqual({ size: 11, created: false });

    expect(await call("POST", `${DATA}/objects/missing`, { hashes: [hash, absent] })).toEqual({ status: 200, body: { missing: [absent] } });
    const got = await fetch(`${server.url}${DATA}/objects/sha256/${hash}`);
    expect(got.status).toBe(200);
    expect(got.headers.get("content-length")).toBe("11");
    expect(await got.text()).toBe(bytes);
    // The /ajax-api spelling too.
    expect(await (await fetch(`${server.url}/ajax-api/2.0/cairn/data/objects/sha256/${hash}`)).text()).toBe(bytes);

    const manifest = Buffer.from(JSON.stringify([{ relpath: "a", sha256: hash, size: 11 }]));
    const dirHash = `${sha(manifest)}.dir`;
    expect((await put(dirHash, manifest)).status).toBe(200);
    expect(await objectFiles()).toContain(`files/sha256/${dirHash.slice(0, 2)}/${dirHash.slice(2)}`);
  });

  it("refuses a body that does not hash to its name with a 400 naming the hash, storing nothing", async () => {
    const hash = sha("the promised bytes");
    const before = await objectFiles();
    const refused = await put(hash, "other bytes");
    expect(refused.status).toBe(400);
    const body = (await refused.json()) as { error_code: string; message: string };
    expect(body.error_code).toBe("INVALID_PARAMETER_VALUE");
    expect(body.message).toContain(hash);
    expect(body.message).toContain(sha("other bytes"));
    expect(await objectFiles()).toEqual(before);
    expect((await call("POST", `${DATA}/objects/missing`, { hashes: [hash] })).body).toEqual({ missing: [hash] });
  });

  it("refuses bad hashes in the path and the list, naming them, and a missing object with a 404", async () => {
    for (const bad of ["abc", "A".repeat(64), `${"a".repeat(64)}.tar`, "..%2F..%2Fetc", `${"a".repeat(63)}g`]) {
      const got = await fetch(`${server.url}${DATA}/objects/sha256/${bad}`);
      expect(got.status, bad).toBe(400);
      expect(((await got.json()) as { message: string }).message).toContain("'hash'");
      expect((await put(bad, "x")).status, bad).toBe(400);
    }
    const listed = await call("POST", `${DATA}/objects/missing`, { hashes: ["a".repeat(64), "nope"] });
    expect(listed.status).toBe(400);
    expect(listed.body.message).toContain("hashes[1]");
    expect((await call("POST", `${DATA}/objects/missing`, { hashes: "a" })).status).toBe(400);
    expect((await call("POST", `${DATA}/objects/missing`, {})).body.message).toContain("'hashes'");
    const tooMany = await call("POST", `${DATA}/objects/missing`, { hashes: Array.from({ length: 10_001 }, () => "a".repeat(64)) });
    expect(tooMany.status).toBe(400);
    expect(tooMany.body.message).toContain("at most 10000");
    const gone = await fetch(`${server.url}${DATA}/objects/sha256/${"b".repeat(64)}`);
    expect(gone.status).toBe(404);
    expect(((await gone.json()) as { error_code: string }).error_code).toBe("RESOURCE_DOES_NOT_EXIST");
  });

  it("counts an emptied object (an OS crash after an unsynced write) as missing, but the empty object as present", async () => {
    const bytes = `emptied ${Date.now()}`;
    const hash = sha(bytes);
    const file = path.join(server.dir, "artifacts", ".cairn-data", "files", "sha256", hash.slice(0, 2), hash.slice(2));
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(file, "");
    expect((await call("POST", `${DATA}/objects/missing`, { hashes: [hash] })).body).toEqual({ missing: [hash] });
    expect((await fetch(`${server.url}${DATA}/objects/sha256/${hash}`)).status).toBe(404);
    expect(await (await put(hash, bytes)).json()).toMatchObject({ created: true });
    const empty = sha("");
    expect((await put(empty, "")).status).toBe(200);
    expect((await call("POST", `${DATA}/objects/missing`, { hashes: [empty] })).body).toEqual({ missing: [] });
  });

  it("stores a batch of framed objects, skipping those present, and streams a batch back with absent ones marked", async () => {
    const bodies = ["batch one", "batch two", "", "batch one"].map((text) => Buffer.from(`${text} ${Date.now()}`));
    const frame = (bytes: Buffer): Buffer => Buffer.concat([Buffer.from(`${sha(bytes)} ${bytes.length}\n`), bytes]);
    const batch = (parts: Buffer[]): Promise<Response> =>
      fetch(`${server.url}${DATA}/objects/batch-upload`, { method: "POST", headers: { "content-type": "application/octet-stream" }, body: Buffer.concat(parts) });
    const first = await batch(bodies.slice(0, 3).map(frame));
    expect(first.status).toBe(200);
    expect(await first.json()).toMatchObject({ stored: 3, present: 0 });
    expect(await (await batch([frame(bodies[0] as Buffer)])).json()).toMatchObject({ stored: 0, present: 1 });

    const absent = sha("not stored");
    const answer = await fetch(`${server.url}${DATA}/objects/batch-download`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ hashes: [sha(bodies[1] as Buffer), absent, sha(bodies[0] as Buffer)] }),
    });
    expect(answer.status).toBe(200);
    expect(Buffer.from(await answer.arrayBuffer())).toEqual(
      Buffer.concat([frame(bodies[1] as Buffer), Buffer.from(`${absent} -\n`), frame(bodies[0] as Buffer)]),
    );

    // A frame that does not match its name: 400 naming it; the frames before it are stored, nothing of it.
    const good = Buffer.from(`good before bad ${Date.now()}`);
    const promised = sha("promised bytes");
    const bad = Buffer.concat([Buffer.from(`${promised} 5\n`), Buffer.from("wrong")]);
    const refused = await batch([frame(good), bad]);
    expect(refused.status).toBe(400);
    expect(((await refused.json()) as { message: string }).message).toContain(promised);
    expect((await call("POST", `${DATA}/objects/missing`, { hashes: [sha(good), promised] })).body).toEqual({ missing: [promised] });

    for (const [body, mentions] of [
      [Buffer.from(`${sha("x")} 10\nshort`), "truncated"],
      [Buffer.from(`${sha("x")} 1 2\nx`), "'<hash> <size>'"],
      [Buffer.from(`${sha("x")}\nx`), "size of object"],
      [Buffer.from(`nothex 1\nx`), "objects[0].hash"],
      [Buffer.from(`${sha("x")} -\n`), "size of object"],
      [Buffer.from(`${sha("x")} 99999999999\n`), "exceeds the limit"],
      [Buffer.from("x".repeat(200)), "header line"],
    ] as const) {
      const answer = await batch([body]);
      expect(answer.status, mentions).toBe(400);
      expect(await answer.text(), mentions).toContain(mentions);
    }
  });

  it("checks 10,000 hashes in one call", async () => {
    const hashes = Array.from({ length: 10_000 }, (_unused, index) => sha(`n${index}`));
    const answer = await call("POST", `${DATA}/objects/missing`, { hashes });
    expect(answer.status).toBe(200);
    expect((answer.body.missing as string[]).length).toBe(10_000);
  });

  it("lists the data versions runs recorded as cairn-data inputs, paged, including a registered model version's run", async () => {
    const experiment = (await call("POST", "/api/2.0/mlflow/experiments/create", { name: "refs" })).body.experiment_id as string;
    const runOf = async (): Promise<string> => ((await call("POST", "/api/2.0/mlflow/runs/create", { experiment_id: experiment })).body.run as { info: { run_id: string } }).info.run_id;
    const input = (hash: string, name: string): object => ({
      tags: [{ key: "mlflow.data.context", value: "cairn.input" }],
      dataset: { name, digest: hash.slice(0, 32), source_type: "cairn-data", source: JSON.stringify({ uri: `cairn-data://sha256/${hash}` }) },
    });
    const [a, b, c] = [sha("a"), `${sha("b")}.dir`, sha("c")];
    const run1 = await runOf();
    const run2 = await runOf();
    await call("POST", "/api/2.0/mlflow/runs/log-inputs", {
      run_id: run1,
      datasets: [input(a, "data/a"), input(b, "data/b"), { dataset: { name: "x", digest: "d", source_type: "local", source: "/x" } }],
    });
    await call("POST", "/api/2.0/mlflow/runs/log-inputs", { run_id: run2, datasets: [input(c, "model-data")] });
    await call("POST", "/api/2.0/mlflow/registered-models/create", { name: "refs-model" });
    await call("POST", "/api/2.0/mlflow/model-versions/create", { name: "refs-model", source: `runs:/${run2}/model`, run_id: run2 });
    // A deleted run's data still counts: the run can be restored.
    await call("POST", "/api/2.0/mlflow/runs/delete", { run_id: run2 });

    const all = await call("GET", `${DATA}/references`);
    expect(all).toEqual({ status: 200, body: { hashes: expect.any(Array) } });
    expect([...(all.body.hashes as string[])].sort()).toEqual([a, b, c].sort());

    const seen: string[] = [];
    let token: string | undefined;
    let pages = 0;
    do {
      const page = await call("GET", `${DATA}/references?max_results=1${token === undefined ? "" : `&page_token=${token}`}`);
      expect(page.status).toBe(200);
      seen.push(...(page.body.hashes as string[]));
      token = page.body.next_page_token as string | undefined;
      pages += 1;
    } while (token !== undefined);
    expect(pages).toBe(3);
    expect(seen.sort()).toEqual([a, b, c].sort());

    expect((await call("GET", `${DATA}/references?max_results=0`)).status).toBe(400);
    expect((await call("GET", `${DATA}/references?max_results=10001`)).body.message).toContain("max_results");
    expect((await call("GET", `${DATA}/references?page_token=%%%`)).status).toBe(400);
    expect((await call("GET", `${DATA}/references?page_token=eyJvZmZzZXQiOjF9`)).body.message).toContain("page token");
  });
});
