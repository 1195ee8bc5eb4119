import type { FileDigest, FileManifest } from "./file-manifest.js";

/** How a manifest came to be: at registration, or (versions registered before manifests, or before their files) on first use. */
export type ManifestOrigin = "registration" | "first_use";

export interface VersionManifest extends FileManifest {
  name: string;
  version: string;
  origin: ManifestOrigin;
  recordedTime: number;
}

/** A version whose root covers a key, and the digest recorded for the file at that key. */
export interface RecordedFile {
  name: string;
  version: string;
  rootKey: string;
  file: FileDigest;
}

/** A version pinning files at or below a key, or above it. */
export interface PinningVersion {
  name: string;
  version: string;
  rootKey: string;
}

/** Versions named in one answer at most: enough to name the owner of a key in an error. */
export const MAX_PINNING_VERSIONS = 20;

/**
 * The sha256 manifests of registered model versions. A manifest is written once and never replaced; it goes with
 * its version (deleted with it, renamed with its model).
 */
export interface ManifestStore {
  /**
   * Records the manifest of `name`/`version` unless one exists. Returns the manifest now stored (the earlier one,
   * created false, if there was one), or undefined when the version does not exist.
   */
  record(
    name: string,
    version: string,
    manifest: FileManifest,
    origin: ManifestOrigin,
    now: number,
  ): Promise<{ manifest: VersionManifest; created: boolean } | undefined>;
  get(name: string, version: string): Promise<VersionManifest | undefined>;
  /** Every recorded digest of the file at `key` (one per version whose root holds it). */
  recordedFilesAt(key: string): Promise<RecordedFile[]>;
  /**
   * Versions whose files a write or delete at `key` would touch: roots equal to `key` or above it, and with
   * `below`, roots below it (a folder delete). At most MAX_PINNING_VERSIONS.
   */
  pinning(key: string, options: { below: boolean }): Promise<PinningVersion[]>;
}
