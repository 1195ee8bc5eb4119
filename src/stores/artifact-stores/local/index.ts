import { mkdir, readdir, realpath, rm, stat } from "node:fs/promises";
import path from "node:path";
import { CairnError, ErrorCode, notFound } from "../../../core/errors.js";
import { invalidPath, normaliseArtifactPath } from "../../../artifacts/artifact-path.js";
import type { ArtifactContent, ArtifactEntry, ArtifactStat, ArtifactStore, ByteRange, ByteSource, OrphanedUpload, UploadedPart, WriteOptions, WrittenFile } from "../../../artifacts/store.js";
import { confine } from "./confine.js";
import { LocalMultipartUploads } from "./multipart.js";
import { listLocalOrphans, removeLocalOrphan } from "./orphans.js";
import { readFileStream } from "./read-stream.js";
import { MULTIPART_UPLOAD_MAX_AGE_MS, removeEntriesOlderThan, removeOrphanedEntries, TEMP_FILE_MAX_AGE_MS } from "./stale.js";
import { commitTempFile, streamToTempFile } from "./temp-file.js";

/**
 * The default artifact backend: a folder. Keys map to files below the root; a hidden staging folder inside the
 * root holds temporary files and multipart parts, so that every rename into place stays on one file system.
 */
export const STAGING_DIR_NAME = ".cairn-staging";

/** Key order as Python sorts strings (code points), which byte order of UTF-8 reproduces. */
const byKey = (a: ArtifactEntry, b: ArtifactEntry): number => Buffer.compare(Buffer.from(a.key), Buffer.from(b.key));

const errnoCode = (error: unknown): string | undefined => (error as NodeJS.ErrnoException).code;

class LocalArtifactStore implements ArtifactStore {
  private readonly multipart: LocalMultipartUploads;

  constructor(
    private readonly rootReal: string,
    private readonly tempDir: string,
    private readonly uploadsDir: string,
  ) {
    this.multipart = new LocalMultipartUploads(uploadsDir, tempDir);
  }

  listOrphanedUploads(minAgeMs: number, now: number): Promise<OrphanedUpload[]> {
    return listLocalOrphans(this.tempDir, this.uploadsDir, minAgeMs, now);
  }

  removeOrphanedUpload(upload: OrphanedUpload): Promise<void> {
    return removeLocalOrphan(this.tempDir, this.uploadsDir, upload);
  }

  /** Keys reach backends normalised; checking again costs little and keeps this backend safe on its own. */
  private key(key: string, allowRoot: boolean): string {
    const normalised = normaliseArtifactPath(key, "path", { allowRoot });
    if (normalised !== key) throw invalidPath("path", key, "the key is not normalised");
    if (key.split("/")[0] === STAGING_DIR_NAME) throw invalidPath("path", key, `'${STAGING_DIR_NAME}' is reserved by the server`);
    return key;
  }

  async list(dirKey: string): Promise<ArtifactEntry[]> {
    const target = await confine(this.rootReal, this.key(dirKey, true), "path");
    if (!target.real) return [];
    const info = await stat(target.real);
    if (!info.isDirectory()) return [];
    const entries: ArtifactEntry[] = [];
    for (const dirent of await readdir(target.real, { withFileTypes: true })) {
      if (dirKey === "" && dirent.name === STAGING_DIR_NAME) continue;
      const key = dirKey === "" ? dirent.name : `${dirKey}/${dirent.name}`;
      const full = path.join(target.real, dirent.name);
      let resolved = full;
      if (dirent.isSymbolicLink()) {
        // A link that leaves the root (or dangles) is not part of the artifact tree: it is not listed at all.
        try {
          resolved = await realpath(full);
        } catch {
          continue;
        }
        if (resolved !== this.rootReal && !resolved.startsWith(this.rootReal + path.sep)) continue;
      }
      const entryStat = await stat(resolved).catch(() => undefined);
      if (!entryStat) continue;
      entries.push(entryStat.isDirectory() ? { key, isDir: true } : { key, isDir: false, size: entryStat.size });
    }
    return entries.sort(byKey);
  }

  async stat(key: string): Promise<ArtifactStat | undefined> {
    const target = await confine(this.rootReal, this.key(key, true), "path");
    if (!target.real) return undefined;
    const info = await stat(target.real);
    return { key, isDir: info.isDirectory(), size: info.isDirectory() ? 0 : info.size, modifiedAtMs: info.mtimeMs };
  }

  async read(key: string, range?: ByteRange): Promise<ArtifactContent> {
    const target = await confine(this.rootReal, this.key(key, false), "path");
    if (!target.real) throw notFound(`Artifact '${key}' does not exist.`);
    return readFileStream(target.real, key, range);
  }

  async write(key: string, source: ByteSource, options: WriteOptions = {}): Promise<WrittenFile> {
    const target = await this.prepareFileTarget(this.key(key, false));
    const temp = await streamToTempFile(source, this.tempDir, { sync: options.sync ?? true });
    await this.placeTempFile(temp.path, target, key);
    return { size: temp.size, sha256: temp.sha256 };
  }

  async delete(key: string): Promise<void> {
    if (this.key(key, true) === "") {
      throw new CairnError(ErrorCode.INVALID_PARAMETER_VALUE, "Deleting the artifact root itself is not allowed; name a path below it.");
    }
    const target = await confine(this.rootReal, key, "path");
    if (!target.real) return;
    // rm on the lexical path removes a link itself, never what it points to.
    await rm(target.lexical, { recursive: true, force: true });
  }

  async createMultipartUpload(key: string): Promise<{ uploadId: string }> {
    await this.prepareFileTarget(this.key(key, false));
    return this.multipart.create(key);
  }

  async uploadPart(key: string, uploadId: string, partNumber: number, source: ByteSource): Promise<{ etag: string; size: number }> {
    return this.multipart.uploadPart(this.key(key, false), uploadId, partNumber, source);
  }

  async completeMultipartUpload(key: string, uploadId: string, parts: readonly UploadedPart[]): Promise<WrittenFile> {
    const checkedKey = this.key(key, false);
    const target = await this.prepareFileTarget(checkedKey);
    const temp = await this.multipart.assemble(checkedKey, uploadId, parts);
    await this.placeTempFile(temp.path, target, key);
    await this.multipart.forget(uploadId);
    return { size: temp.size, sha256: temp.sha256 };
  }

  async abortMultipartUpload(key: string, uploadId: string): Promise<void> {
    await this.multipart.abort(this.key(key, false), uploadId);
  }

  /** Confines a file target and refuses one that is an existing directory, before any byte is received. */
  private async prepareFileTarget(key: string): Promise<string> {
    const target = await confine(this.rootReal, key, "path");
    if (target.real && (await stat(target.real)).isDirectory()) {
      throw invalidPath("path", key, "a directory exists at this path");
    }
    return target.lexical;
  }

  private async placeTempFile(tempPath: string, lexicalTarget: string, key: string): Promise<void> {
    try {
      await mkdir(path.dirname(lexicalTarget), { recursive: true });
      // Check again now that the parents exist: a link created meanwhile must not redirect the rename.
      await confine(this.rootReal, key, "path");
    } catch (error) {
      await rm(tempPath, { force: true });
      const code = errnoCode(error);
      if (code === "ENOTDIR" || code === "EEXIST") throw invalidPath("path", key, "a parent of this path is a file");
      throw error;
    }
    try {
      await commitTempFile(tempPath, lexicalTarget);
    } catch (error) {
      const code = errnoCode(error);
      if (code === "EISDIR" || code === "ENOTEMPTY" || code === "EEXIST") throw invalidPath("path", key, "a directory exists at this path");
      throw error;
    }
  }
}

/** Opens (creating if needed) a folder as an artifact store, and clears staging leftovers old enough to be orphans. */
export const openLocalArtifactStore = async (rootDir: string): Promise<ArtifactStore> => {
  await mkdir(rootDir, { recursive: true });
  const rootReal = await realpath(rootDir);
  const tempDir = path.join(rootReal, STAGING_DIR_NAME, "tmp");
  const uploadsDir = path.join(rootReal, STAGING_DIR_NAME, "uploads");
  await mkdir(tempDir, { recursive: true });
  await mkdir(uploadsDir, { recursive: true });
  await removeOrphanedEntries(tempDir, TEMP_FILE_MAX_AGE_MS);
  await removeEntriesOlderThan(uploadsDir, MULTIPART_UPLOAD_MAX_AGE_MS);
  return new LocalArtifactStore(rootReal, tempDir, uploadsDir);
};
