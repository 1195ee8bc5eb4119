import type { WriteContext } from "../../core/actor.js";
import { systemContext } from "../../core/actor.js";
import { systemClock, type Clock } from "../../core/clock.js";
import { CairnError, ErrorCode } from "../../core/errors.js";
import { atomically, type AuditRecorder } from "../../audit/recorder.js";
import type { ArtifactStore } from "../../artifacts/store.js";
import { compareManifest, keyOfEntry, manifestDigest, type FileDigest, type FileManifest, type ManifestMismatch } from "./file-manifest.js";
import type { ManifestStore, VersionManifest } from "./manifest-store.js";
import { digestOfStoredFile, snapshotStoredFiles } from "./manifest-snapshot.js";
import { versionEntity } from "../registry-writes.js";

/** Audit actions of the integrity checks. */
export const IntegrityAction = {
  RECORD: "registry.integrity.record",
  REFUSE: "registry.integrity.refuse",
} as const;

/** Where a check ran: what the refusal stopped. */
export type IntegrityCheckpoint = "serving" | "download" | "upload" | "delete";

export interface IntegrityServiceOptions {
  audit: AuditRecorder;
  clock?: Clock;
}

/** Digests of files already verified for downloads, by key: a range request does not hash the whole file again. */
const VERIFIED_CACHE_LIMIT = 1000;

const short = (sha256: string | undefined): string => (sha256 === undefined ? "?" : sha256.slice(0, 16));

const mismatchSentence = (mismatch: ManifestMismatch): string => {
  switch (mismatch.problem) {
    case "changed":
      return (
        `does not match the sha256 recorded when the version was pinned (recorded ${short(mismatch.expected?.sha256)}… ` +
        `${mismatch.expected?.size} bytes, found ${short(mismatch.actual?.sha256)}… ${mismatch.actual?.size} bytes): it was changed after registration`
      );
    case "missing":
      return "is missing: it was removed after registration";
    case "added":
      return "was added after registration: it is not in the version's manifest";
  }
};

/**
 * The registry's file integrity: each registered version's files are pinned by a sha256 manifest, recorded at
 * registration (or, for a version registered before manifests existed or before its files, on first use by
 * serving). Serving and downloads verify the files against it and refuse a changed one; writes and deletes through
 * the artifact API that would touch pinned files are refused. Every refusal is an audit event.
 */
export class IntegrityService {
  private readonly audit: AuditRecorder;
  private readonly clock: Clock;
  private readonly verified = new Map<string, { size: number; modifiedAtMs: number; sha256: string }>();

  constructor(
    private readonly manifests: ManifestStore,
    private readonly artifacts: ArtifactStore,
    options: IntegrityServiceOptions,
  ) {
    this.audit = options.audit;
    this.clock = options.clock ?? systemClock;
  }

  /** The files at a new version's source, hashed now (before the version's transaction: this reads files). */
  async snapshot(rootKey: string): Promise<FileManifest | undefined> {
    return snapshotStoredFiles(this.artifacts, rootKey);
  }

  /** Records a registration's manifest (inside the registration's transaction); what its audit event says of it. */
  async recordAtRegistration(name: string, version: string, manifest: FileManifest): Promise<{ files: number; manifest_sha256: string }> {
    await this.manifests.record(name, version, manifest, "registration", this.clock());
    return { files: manifest.files.length, manifest_sha256: manifestDigest(manifest.files) };
  }

  async manifestOf(name: string, version: string): Promise<VersionManifest | undefined> {
    return this.manifests.get(name, version);
  }

  /**
   * Serving's check of the bytes it copied out of the artifact store (digested on the way): against the manifest,
   * or, for a version without one, recorded as its manifest (first use, audited).
   */
  async checkServedCopy(name: string, version: string, copy: FileManifest): Promise<void> {
    const recorded = await this.manifests.get(name, version);
    if (recorded !== undefined) return this.checkAgainst(recorded, copy.files, "serving");
    const outcome = await atomically(this.audit, async () => {
      const stored = await this.manifests.record(name, version, copy, "first_use", this.clock());
      if (stored?.created === true) {
        await this.audit.record(systemContext("integrity"), {
          action: IntegrityAction.RECORD,
          entityType: "model_version",
          entityId: versionEntity(name, version),
          after: { origin: "first_use", root: copy.rootKey, files: copy.files.length, manifest_sha256: manifestDigest(copy.files) },
        });
      }
      return stored;
    });
    // Another replica may have pinned the version meanwhile: then the copy is checked against its manifest.
    if (outcome !== undefined && !outcome.created) await this.checkAgainst(outcome.manifest, copy.files, "serving");
  }

  /** A download of `key` through the artifact API: refused when a version pinned this file and its bytes changed. */
  async checkDownload(key: string, ctx: WriteContext): Promise<void> {
    const recorded = await this.manifests.recordedFilesAt(key);
    if (recorded.length === 0) return;
    const now = await this.currentDigest(key);
    for (const entry of recorded) {
      const mismatch = now === undefined ? { path: entry.file.path, problem: "missing" as const } : compareManifest([entry.file], [{ ...now, path: entry.file.path }]);
      if (mismatch !== undefined) {
        throw await this.refuse(entry.name, entry.version, entry.rootKey, mismatch, "download", ctx);
      }
    }
  }

  /**
   * An upload to `key` or a delete of it (a delete of a folder takes everything below it): refused when it would
   * change the files of a registered version. The client is told which version; nothing is written.
   */
  async checkChange(key: string, action: "upload" | "delete", ctx: WriteContext): Promise<void> {
    const pinned = await this.manifests.pinning(key, { below: action === "delete" });
    const first = pinned[0];
    if (first === undefined) return;
    const names = pinned.map((version) => `'${version.name}' version ${version.version}`).join(", ");
    await this.audit.record(ctx, {
      action: IntegrityAction.REFUSE,
      entityType: "model_version",
      entityId: versionEntity(first.name, first.version),
      after: { checkpoint: action, key, versions: pinned.map((version) => `${version.name}/${version.version}`) },
    });
    throw new CairnError(
      ErrorCode.INVALID_STATE,
      `Refused to ${action === "upload" ? "overwrite" : "delete"} artifact '${key}': it holds files of registered model ${names}, ` +
        "which are pinned by sha256 since registration. Register a new model version with the new files instead.",
      { status: 409 },
    );
  }

  private async checkAgainst(recorded: VersionManifest, files: readonly FileDigest[], checkpoint: IntegrityCheckpoint): Promise<void> {
    const mismatch = compareManifest(recorded.files, files);
    if (mismatch !== undefined) throw await this.refuse(recorded.name, recorded.version, recorded.rootKey, mismatch, checkpoint, systemContext("integrity"));
  }

  private async refuse(
    name: string,
    version: string,
    rootKey: string,
    mismatch: ManifestMismatch,
    checkpoint: IntegrityCheckpoint,
    ctx: WriteContext,
  ): Promise<CairnError> {
    const key = keyOfEntry(rootKey, mismatch.path);
    const file = mismatch.path === "" ? key.slice(key.lastIndexOf("/") + 1) : mismatch.path;
    await this.audit.record(ctx, {
      action: IntegrityAction.REFUSE,
      entityType: "model_version",
      entityId: versionEntity(name, version),
      after: {
        checkpoint,
        file,
        key,
        problem: mismatch.problem,
        expected_sha256: mismatch.expected?.sha256 ?? null,
        actual_sha256: mismatch.actual?.sha256 ?? null,
      },
    });
    return new CairnError(
      ErrorCode.INVALID_STATE,
      `Refused to ${checkpoint === "serving" ? "serve" : "download"} model '${name}' version ${version}: file '${file}' (artifact '${key}') ${mismatchSentence(mismatch)}.`,
      { status: 409 },
    );
  }

  /** The file's digest now; reused while its size and modification time stay those it had when it was hashed. */
  private async currentDigest(key: string): Promise<{ size: number; sha256: string } | undefined> {
    const info = await this.artifacts.stat(key);
    if (info === undefined || info.isDir) return undefined;
    const cached = this.verified.get(key);
    if (cached !== undefined && cached.size === info.size && cached.modifiedAtMs === info.modifiedAtMs) return cached;
    const digest = await digestOfStoredFile(this.artifacts, key, "");
    if (this.verified.size >= VERIFIED_CACHE_LIMIT) this.verified.clear();
    this.verified.set(key, { size: digest.size, modifiedAtMs: info.modifiedAtMs, sha256: digest.sha256 });
    return digest;
  }
}
