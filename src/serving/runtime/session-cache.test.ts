import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { logisticRegressionModel, mlpModel, writeOnnxFile } from "../test-support/onnx-models.js";
import { OnnxSession } from "./onnx-session.js";
import { SessionCache } from "./session-cache.js";

const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

describe("SessionCache", () => {
  it("shares one session per (path, threads), separates other settings, releases on last close", async () => {
    const dir = await mkdtemp(join(tmpdir(), "cairn-cache-"));
    dirs.push(dir);
    const path = await writeOnnxFile(dir, "lr.onnx", logisticRegressionModel());
    const cache = new SessionCache();
    const one = { intraOpThreads: 1, interOpThreads: 1 };
    const [a, b] = await Promise.all([OnnxSession.open(path, one, cache), OnnxSession.open(path, one, cache)]);
    expect(a.session).toBe(b.session);
    expect(cache.size()).toBe(1);
    const c = await OnnxSession.open(path, { intraOpThreads: 2, interOpThreads: 1 }, cache);
    expect(c.session).not.toBe(a.session);
    expect(cache.size()).toBe(2);
    await a.close();
    await a.close(); // idempotent: must not release b's share
    expect(cache.size()).toBe(2);
    const out = await b.run({ x: { type: "float32", dims: [1, 4], data: new Float32Array(4) } });
    expect(out.prob?.dims).toEqual([1, 1]);
    await b.close();
    await c.close();
    expect(cache.size()).toBe(0);
  });

  it("reloads a file rewritten in place and does not cache a failed load", async () => {
    const dir = await mkdtemp(join(tmpdir(), "cairn-cache-"));
    dirs.push(dir);
    const cache = new SessionCache();
    const settings = { intraOpThreads: 1, interOpThreads: 1 };
    const path = await writeOnnxFile(dir, "m.onnx", logisticRegressionModel());
    const first = await OnnxSession.open(path, settings, cache);
    await new Promise((r) => setTimeout(r, 20));
    await writeOnnxFile(dir, "m.onnx", mlpModel());
    const second = await OnnxSession.open(path, settings, cache);
    expect(second.session).not.toBe(first.session);
    expect(second.inputs).toEqual([{ name: "x", type: "float32", shape: [null, 16] }]);
    await first.close();
    await second.close();

    const bad = join(dir, "bad.onnx");
    await writeOnnxFile(dir, "bad.onnx", new Uint8Array([1, 2, 3]));
    await expect(OnnxSession.open(bad, settings, cache)).rejects.toThrow(/could not load ONNX model/);
    expect(cache.size()).toBe(0);
  });
});
