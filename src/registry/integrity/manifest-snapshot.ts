import type { ArtifactStore } from "../../artifacts/store.js";
import { CairnError, ErrorCode } from "../../core/errors.js";
import { DigestingStream, MAX_MANIFEST_FILES, type FileDigest, type FileManifest } from "./file-manifest.js";

/** Reads one file through a hashing stream: its size and sha256 as the store holds it now. */
export const digestOfStoredFile = async (store: ArtifactStore, key: string, path: string): Promise<FileDigest> => {
  const content = await store.read(key);
  const meter = new DigestingStream();
  // Drained, not buffered: memory stays at one chunk whatever the file's size.
  for await (const _chunk of content.stream.pipe(meter)) {
    // nothing: the meter counts and hashes
  }
  return { path, size: meter.size, sha256: meter.digest() };
};

const tooManyFiles = (rootKey: string): CairnError =>
  new CairnError(
    ErrorCode.INVALID_PARAMETER_VALUE,
    `Invalid value for parameter 'source': the files at '${rootKey}' are more than ${MAX_MANIFEST_FILES}; a model version may register at most ${MAX_MANIFEST_FILES} files.`,
  );

/**
 * The manifest of the files at `rootKey` as the artifact store holds them now: one file, or every file of the folder
 * tree (paths relative to it). Undefined when nothing is there yet, or an empty folder (a version registered before
 * its files were uploaded: it is pinned on first use).
 */
export const snapshotStoredFiles = async (store: ArtifactStore, rootKey: string): Promise<FileManifest | undefined> => {
  const root = await store.stat(rootKey);
  if (root === undefined) return undefined;
  if (!root.isDir) return { rootKey, rootIsFile: true, files: [await digestOfStoredFile(store, rootKey, "")] };
  const files: FileDigest[] = [];
  const walk = async (dirKey: string, prefix: string): Promise<void> => {
    for (const entry of await store.list(dirKey)) {
      const name = entry.key.slice(entry.key.lastIndexOf("/") + 1);
      const path = prefix === "" ? name : `${prefix}/${name}`;
      if (entry.isDir) {
        await walk(entry.key, path);
      } else {
        if (files.length >= MAX_MANIFEST_FILES) throw tooManyFiles(rootKey);
        files.push(await digestOfStoredFile(store, entry.key, path));
      }
    }
  };
  await walk(rootKey, "");
  return files.length === 0 ? undefined : { rootKey, rootIsFile: false, files };
};
