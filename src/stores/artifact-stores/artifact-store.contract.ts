import { createHash } from "node:crypto";
import { Readable } from "node:stream";
import { buffer } from "node:stream/consumers";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { CairnError } from "../../core/errors.js";
import type { ArtifactStore, WrittenFile } from "../../artifacts/store.js";

/**
 * The behaviour every ArtifactStore backend must show, run by each backend's test file (the local folder today,
 * S3 later), so that the service and the routes can rely on one contract.
 */
export interface ContractSubject {
  store: ArtifactStore;
  close(): Promise<void>;
}

const bytes = (text: string): Readable => Readable.from([Buffer.from(text)]);
/** A write reports its size, and its sha256 when the backend computes one on the way (the audit event records it). */
const expectWritten = (written: WrittenFile, content: string): void => {
  const sha256 = createHash("sha256").update(content).digest("hex");
  expect(written).toEqual({ size: Buffer.byteLength(content), ...(written.sha256 !== undefined ? { sha256 } : {}) });
};
const read = async (store: ArtifactStore, key: string): Promise<string> => (await buffer((await store.read(key)).stream)).toString("utf8");

const rejection = async (promise: Promise<unknown>): Promise<CairnError> => {
  try {
    await promise;
  } catch (error) {
    if (error instanceof CairnError) return error;
    throw error;
  }
  throw new Error("resolved");
};

async function* failingAfter(text: string): AsyncGenerator<Uint8Array> {
  yield Buffer.from(text);
  throw new Error("client went away");
}

export const describeArtifactStoreContract = (name: string, open: () => Promise<ContractSubject>): void => {
  describe(`ArtifactStore contract: ${name}`, () => {
    let subject: ContractSubject;
    let store: ArtifactStore;
    beforeEach(async () => {
      subject = await open();
      store = subject.store;
    });
    afterEach(async () => subject.close());

    it("writes, reads, stats and replaces a file", async () => {
      expectWritten(await store.write("0/r1/artifacts/a.txt", bytes("hello")), "hello");
      expect(await read(store, "0/r1/artifacts/a.txt")).toBe("hello");
      const info = await store.stat("0/r1/artifacts/a.txt");
      expect(info).toMatchObject({ key: "0/r1/artifacts/a.txt", isDir: false, size: 5 });
      expect(await store.stat("0/r1")).toMatchObject({ isDir: true, size: 0 });
      expect(await store.stat("0/none")).toBeUndefined();
      await store.write("0/r1/artifacts/a.txt", bytes("bye"));
      expect(await read(store, "0/r1/artifacts/a.txt")).toBe("bye");
    });

    it("writes without a per-file sync (sync: false) with the same atomic replace", async () => {
      expectWritten(await store.write("1/traces/t/artifacts/traces.json", bytes('{"spans": []}'), { sync: false }), '{"spans": []}');
      expect(await read(store, "1/traces/t/artifacts/traces.json")).toBe('{"spans": []}');
      await store.write("1/traces/t/artifacts/traces.json", bytes("{}"), { sync: false });
      expect(await read(store, "1/traces/t/artifacts/traces.json")).toBe("{}");
    });

    it("reads a byte range", async () => {
      await store.write("f.bin", bytes("0123456789"));
      const content = await store.read("f.bin", { start: 2, end: 5 });
      expect(content.size).toBe(10);
      expect((await buffer(content.stream)).toString()).toBe("2345");
      const error = await rejection(store.read("f.bin", { start: 5, end: 10 }));
      expect(error.code).toBe("INVALID_PARAMETER_VALUE");
    });

    it("lists direct children sorted by key, sizes for files only; [] for a missing folder or a file", async () => {
      await store.write("d/b.txt", bytes("bb"));
      await store.write("d/a.txt", bytes("a"));
      await store.write("d/sub/c.txt", bytes("ccc"));
      await store.write("d/Z.txt", bytes(""));
      expect(await store.list("d")).toEqual([
        { key: "d/Z.txt", isDir: false, size: 0 },
        { key: "d/a.txt", isDir: false, size: 1 },
        { key: "d/b.txt", isDir: false, size: 2 },
        { key: "d/sub", isDir: true },
      ]);
      expect(await store.list("")).toEqual([{ key: "d", isDir: true }]);
      expect(await store.list("missing")).toEqual([]);
      expect(await store.list("d/a.txt")).toEqual([]);
    });

    it("lists folders that hold only deeper folders, and stats them as folders", async () => {
      await store.write("0/r1/artifacts/model/MLmodel", bytes("m"));
      await store.write("1/r2/artifacts/a.txt", bytes("a"));
      expect(await store.list("")).toEqual([
        { key: "0", isDir: true },
        { key: "1", isDir: true },
      ]);
      expect(await store.list("0")).toEqual([{ key: "0/r1", isDir: true }]);
      expect(await store.list("0/r1/artifacts")).toEqual([{ key: "0/r1/artifacts/model", isDir: true }]);
      expect(await store.stat("0/r1/artifacts")).toMatchObject({ key: "0/r1/artifacts", isDir: true, size: 0 });
    });

    it("reports a missing file as RESOURCE_DOES_NOT_EXIST and a folder read as INVALID_PARAMETER_VALUE", async () => {
      await store.write("d/a.txt", bytes("a"));
      const missing = await rejection(store.read("d/none.txt"));
      expect(missing.code).toBe("RESOURCE_DOES_NOT_EXIST");
      expect(missing.message).toBe("Artifact 'd/none.txt' does not exist.");
      const folder = await rejection(store.read("d"));
      expect(folder.code).toBe("INVALID_PARAMETER_VALUE");
    });

    it("refuses to write over a folder or below a file", async () => {
      await store.write("d/a.txt", bytes("a"));
      expect((await rejection(store.write("d", bytes("x")))).message).toContain("a directory exists at this path");
      expect((await rejection(store.write("d/a.txt/b", bytes("x")))).message).toContain("a parent of this path is a file");
      expect(await read(store, "d/a.txt")).toBe("a");
    });

    it("deletes a file or a tree; a missing key is not an error; the root is refused", async () => {
      await store.write("d/a.txt", bytes("a"));
      await store.write("d/sub/b.txt", bytes("b"));
      await store.write("e.txt", bytes("e"));
      await store.delete("d/sub");
      expect(await store.list("d")).toEqual([{ key: "d/a.txt", isDir: false, size: 1 }]);
      await store.delete("e.txt");
      await store.delete("never/was");
      expect(await store.list("")).toEqual([{ key: "d", isDir: true }]);
      expect((await rejection(store.delete(""))).code).toBe("INVALID_PARAMETER_VALUE");
    });

    it("leaves neither a partial file nor the old one torn when the source fails mid-way", async () => {
      await store.write("keep.txt", bytes("old"));
      await expect(store.write("keep.txt", failingAfter("new-partial"))).rejects.toThrow("client went away");
      await expect(store.write("new.txt", failingAfter("partial"))).rejects.toThrow("client went away");
      expect(await read(store, "keep.txt")).toBe("old");
      expect(await store.stat("new.txt")).toBeUndefined();
      expect(await store.list("")).toEqual([{ key: "keep.txt", isDir: false, size: 3 }]);
    });

    it("refuses keys that are not normalised or escape the root", async () => {
      for (const key of ["../x", "/abs", "a//b", "a/./b", "a\\b", "x/", "a\u0000b"]) {
        expect((await rejection(store.write(key, bytes("x")))).code, key).toBe("INVALID_PARAMETER_VALUE");
        expect((await rejection(store.read(key))).code, key).toBe("INVALID_PARAMETER_VALUE");
        expect((await rejection(store.list(key))).code, key).toBe("INVALID_PARAMETER_VALUE");
        expect((await rejection(store.delete(key))).code, key).toBe("INVALID_PARAMETER_VALUE");
      }
    });

    it("assembles multipart parts in part-number order whatever the upload order", async () => {
      const { uploadId } = await store.createMultipartUpload("m/big.bin");
      const p3 = await store.uploadPart("m/big.bin", uploadId, 3, bytes("ccc"));
      const p1 = await store.uploadPart("m/big.bin", uploadId, 1, bytes("a"));
      await store.uploadPart("m/big.bin", uploadId, 2, bytes("wrong"));
      const p2 = await store.uploadPart("m/big.bin", uploadId, 2, bytes("bb"));
      expect(p1).toEqual({ etag: '"0cc175b9c0f1b6a831c399e269772661"', size: 1 });
      expect(await store.stat("m/big.bin")).toBeUndefined();
      const done = await store.completeMultipartUpload("m/big.bin", uploadId, [
        { partNumber: 3, etag: p3.etag },
        { partNumber: 1, etag: p1.etag },
        { partNumber: 2, etag: p2.etag },
      ]);
      expectWritten(done, "abbccc");
      expect(await read(store, "m/big.bin")).toBe("abbccc");
      // The upload is gone once complete.
      expect((await rejection(store.uploadPart("m/big.bin", uploadId, 1, bytes("x")))).code).toBe("RESOURCE_DOES_NOT_EXIST");
    });

    it("checks parts and ETags at completion, and the key an upload belongs to", async () => {
      const { uploadId } = await store.createMultipartUpload("m/f.bin");
      await store.uploadPart("m/f.bin", uploadId, 1, bytes("a"));
      expect((await rejection(store.completeMultipartUpload("m/f.bin", uploadId, [{ partNumber: 2 }]))).message).toBe(
        `Part 2 of multipart upload '${uploadId}' was never uploaded.`,
      );
      expect((await rejection(store.completeMultipartUpload("m/f.bin", uploadId, [{ partNumber: 1, etag: '"00"' }]))).message).toContain(
        "does not match the uploaded part",
      );
      expect((await rejection(store.completeMultipartUpload("m/f.bin", uploadId, [{ partNumber: 1 }, { partNumber: 1 }]))).message).toContain(
        "listed more than once",
      );
      expect((await rejection(store.completeMultipartUpload("m/f.bin", uploadId, []))).code).toBe("INVALID_PARAMETER_VALUE");
      expect((await rejection(store.uploadPart("m/other.bin", uploadId, 1, bytes("a")))).message).toBe(
        `Multipart upload '${uploadId}' belongs to another path than 'm/other.bin'.`,
      );
      expect((await rejection(store.uploadPart("m/f.bin", uploadId, 0, bytes("a")))).message).toContain("between 1 and 10000");
      expect((await rejection(store.uploadPart("m/f.bin", uploadId, 10001, bytes("a")))).code).toBe("INVALID_PARAMETER_VALUE");
      expect((await rejection(store.uploadPart("m/f.bin", "../../x", 1, bytes("a")))).message).toContain("'upload_id'");
      expect(await store.stat("m/f.bin")).toBeUndefined();
    });

    it("aborts an upload and drops its parts", async () => {
      const { uploadId } = await store.createMultipartUpload("m/f.bin");
      await store.uploadPart("m/f.bin", uploadId, 1, bytes("a"));
      await store.abortMultipartUpload("m/f.bin", uploadId);
      expect((await rejection(store.completeMultipartUpload("m/f.bin", uploadId, [{ partNumber: 1 }]))).code).toBe("RESOURCE_DOES_NOT_EXIST");
      expect((await rejection(store.abortMultipartUpload("m/f.bin", uploadId))).code).toBe("RESOURCE_DOES_NOT_EXIST");
      expect(await store.stat("m/f.bin")).toBeUndefined();
    });
  });
};
