import { createHash } from "node:crypto";
import type { Readable } from "node:stream";
import type { ArtifactStore } from "./store.js";

/**
 * Copies every artifact of one store into another (`cairn artifacts migrate`), through the ArtifactStore interface
 * only, so any pair of backends works (a folder to S3, S3 to S3, S3 back to a folder). Keys stay the same: a
 * run's mlflow-artifacts:/ URI is relative to the destination, so once the copy is done, pointing the server's
 * --artifacts-destination at the target is the whole move.
 *
 * Every copied object is read back from the target and its sha256 compared with the source's. Re-running is safe
 * and resumes: an object already in the target with the same size and sha256 is skipped (a copy interrupted
 * mid-object left nothing, as writes are atomic). Objects are streamed, never held in memory.
 */
export interface MigrationOptions {
  dryRun?: boolean;
  /** Objects copied at once; default 4. */
  concurrency?: number;
  /** Called after each object (progress for a person). */
  onObject?: (outcome: ObjectOutcome) => void;
}

export type ObjectAction = "copied" | "skipped" | "would-copy" | "failed";

export interface ObjectOutcome {
  key: string;
  bytes: number;
  action: ObjectAction;
  sha256?: string;
  error?: string;
}

export interface MigrationReport {
  objects: number;
  copied: number;
  skipped: number;
  failed: number;
  bytesCopied: number;
  bytesSkipped: number;
  dryRun: boolean;
  /** The objects that failed (at most the first 100), with why. */
  failures: { key: string; error: string }[];
}

const MAX_REPORTED_FAILURES = 100;

const sha256Of = async (stream: Readable): Promise<string> => {
  const hash = createHash("sha256");
  for await (const chunk of stream) hash.update(chunk as Buffer);
  return hash.digest("hex");
};

/** Every file below a folder, depth first, in key order; folders are listed one at a time (bounded memory per level). */
export async function* walkFiles(store: ArtifactStore, dirKey = ""): AsyncGenerator<{ key: string; size: number }> {
  for (const entry of await store.list(dirKey)) {
    if (entry.isDir) yield* walkFiles(store, entry.key);
    else yield { key: entry.key, size: entry.size ?? 0 };
  }
}

const digestOf = async (store: ArtifactStore, key: string): Promise<string> => sha256Of((await store.read(key)).stream);

const migrateObject = async (source: ArtifactStore, target: ArtifactStore, file: { key: string; size: number }, dryRun: boolean): Promise<ObjectOutcome> => {
  const existing = await target.stat(file.key);
  let sourceDigest: string | undefined;
  if (existing !== undefined && !existing.isDir && existing.size === file.size) {
    sourceDigest = await digestOf(source, file.key);
    if ((await digestOf(target, file.key)) === sourceDigest) return { key: file.key, bytes: file.size, action: "skipped", sha256: sourceDigest };
  }
  if (dryRun) return { key: file.key, bytes: file.size, action: "would-copy" };
  const written = await target.write(file.key, (await source.read(file.key)).stream);
  // The digest of the bytes that left the source (computed by the target on the way, or here by a second read).
  const sent = written.sha256 ?? sourceDigest ?? (await digestOf(source, file.key));
  const readBack = await digestOf(target, file.key);
  if (readBack !== sent) throw new Error(`checksum mismatch after copy: source sha256 ${sent}, target ${readBack}`);
  return { key: file.key, bytes: written.size, action: "copied", sha256: readBack };
};

export const migrateArtifacts = async (source: ArtifactStore, target: ArtifactStore, options: MigrationOptions = {}): Promise<MigrationReport> => {
  const dryRun = options.dryRun === true;
  const report: MigrationReport = { objects: 0, copied: 0, skipped: 0, failed: 0, bytesCopied: 0, bytesSkipped: 0, dryRun, failures: [] };
  const files = walkFiles(source);
  const worker = async (): Promise<void> => {
    for (;;) {
      const next = await files.next();
      if (next.done === true) return;
      const file = next.value;
      let outcome: ObjectOutcome;
      try {
        outcome = await migrateObject(source, target, file, dryRun);
      } catch (error) {
        outcome = { key: file.key, bytes: file.size, action: "failed", error: error instanceof Error ? error.message : String(error) };
      }
      report.objects += 1;
      if (outcome.action === "copied" || outcome.action === "would-copy") {
        report.copied += 1;
        report.bytesCopied += outcome.bytes;
      } else if (outcome.action === "skipped") {
        report.skipped += 1;
        report.bytesSkipped += outcome.bytes;
      } else {
        report.failed += 1;
        if (report.failures.length < MAX_REPORTED_FAILURES) report.failures.push({ key: outcome.key, error: outcome.error ?? "" });
      }
      options.onObject?.(outcome);
    }
  };
  // An async generator queues concurrent next() calls, so the workers share one walk.
  await Promise.all(Array.from({ length: Math.max(1, options.concurrency ?? 4) }, worker));
  return report;
};
