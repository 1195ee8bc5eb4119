import { mkdir, mkdtemp, readdir, rm, symlink, utimes, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { Readable } from "node:stream";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { describeArtifactStoreContract } from "../artifact-store.contract.js";
import type { ArtifactStore } from "../../../artifacts/store.js";
import { openLocalArtifactStore, STAGING_DIR_NAME } from "./index.js";

describeArtifactStoreContract("local folder", async () => {
  const dir = await mkdtemp(path.join(tmpdir(), "cairn-local-store-"));
  const store = await openLocalArtifactStore(path.join(dir, "root"));
  return { store, close: () => rm(dir, { recursive: true, force: true }) };
});

describe("local folder specifics", () => {
  let dir: string;
  let root: string;
  let store: ArtifactStore;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), "cairn-local-store-"));
    root = path.join(dir, "nested", "root");
    store = await openLocalArtifactStore(root);
    await mkdir(path.join(dir, "outside"));
    await writeFile(path.join(dir, "outside", "secret.txt"), "secret");
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it("creates the root and keeps its staging folder out of listings and out of reach", async () => {
    expect(await readdir(root)).toEqual([STAGING_DIR_NAME]);
    expect(await store.list("")).toEqual([]);
    await expect(store.write(`${STAGING_DIR_NAME}/tmp/x`, Readable.from([Buffer.from("x")]))).rejects.toThrow("is reserved by the server");
    await expect(store.list(STAGING_DIR_NAME)).rejects.toThrow("is reserved by the server");
  });

  it("refuses every operation through a symbolic link that leaves the root", async () => {
    await symlink(path.join(dir, "outside"), path.join(root, "escape"));
    await symlink(path.join(dir, "outside", "secret.txt"), path.join(root, "secret-link.txt"));
    const outsideMessage = "it resolves outside the artifact root through a symbolic link";
    await expect(store.read("escape/secret.txt")).rejects.toThrow(outsideMessage);
    await expect(store.read("secret-link.txt")).rejects.toThrow(outsideMessage);
    await expect(store.list("escape")).rejects.toThrow(outsideMessage);
    await expect(store.stat("escape/secret.txt")).rejects.toThrow(outsideMessage);
    await expect(store.write("escape/new.txt", Readable.from([Buffer.from("x")]))).rejects.toThrow(outsideMessage);
    await expect(store.write("escape/deeper/new.txt", Readable.from([Buffer.from("x")]))).rejects.toThrow(outsideMessage);
    await expect(store.delete("escape/secret.txt")).rejects.toThrow(outsideMessage);
    await expect(store.createMultipartUpload("escape/big.bin")).rejects.toThrow(outsideMessage);
    // Links that leave the root are not listed either.
    expect(await store.list("")).toEqual([]);
    expect(await readdir(path.join(dir, "outside"))).toEqual(["secret.txt"]);
  });

  it("follows links that stay inside the root, and deletes the link rather than its target", async () => {
    await store.write("real/a.txt", Readable.from([Buffer.from("a")]));
    await symlink(path.join(root, "real"), path.join(root, "alias"));
    expect(await store.list("alias")).toEqual([{ key: "alias/a.txt", isDir: false, size: 1 }]);
    expect(await store.list("")).toEqual([
      { key: "alias", isDir: true },
      { key: "real", isDir: true },
    ]);
    await store.delete("alias");
    expect(await store.list("")).toEqual([{ key: "real", isDir: true }]);
    expect(await store.list("real")).toEqual([{ key: "real/a.txt", isDir: false, size: 1 }]);
  });

  it("leaves no temporary file behind after a failed write", async () => {
    async function* failing(): AsyncGenerator<Uint8Array> {
      yield Buffer.alloc(1024 * 1024);
      throw new Error("boom");
    }
    await expect(store.write("x.bin", failing())).rejects.toThrow("boom");
    expect(await readdir(path.join(root, STAGING_DIR_NAME, "tmp"))).toEqual([]);
  });

  it("clears temporary files and multipart uploads old enough to be orphans when opened, keeping fresh ones", async () => {
    const staging = path.join(root, STAGING_DIR_NAME);
    const old = new Date(Date.now() - 8 * 24 * 60 * 60 * 1000);
    await writeFile(path.join(staging, "tmp", "crashed.part"), "x");
    await utimes(path.join(staging, "tmp", "crashed.part"), old, old);
    // Written to two hours ago: no upload is still streaming into it.
    const twoHours = new Date(Date.now() - 2 * 60 * 60 * 1000);
    await writeFile(path.join(staging, "tmp", "killed.part"), "x");
    await utimes(path.join(staging, "tmp", "killed.part"), twoHours, twoHours);
    await writeFile(path.join(staging, "tmp", "receiving.part"), "x");
    const { uploadId } = await store.createMultipartUpload("a.bin");
    const abandoned = await store.createMultipartUpload("b.bin");
    await utimes(path.join(staging, "uploads", abandoned.uploadId), old, old);
    await openLocalArtifactStore(root);
    expect(await readdir(path.join(staging, "tmp"))).toEqual(["receiving.part"]);
    expect(await readdir(path.join(staging, "uploads"))).toEqual([uploadId]);
  });
});
